"""What the narrative says: the figures a report states in words, and whether its tables agree.

In: the narrative sections of a parsed report (一 总体情况, 五, 六) and the agency's name.
Out: ``NarrativeFigure`` rows (key, value, unit, the raw text matched, its sentence and where it
was printed), and ``Check`` rows comparing a figure with the table that gives the same number.

Precision over recall: a figure is read only when a sentence states it plainly, right after
what it counts (主动公开政府信息608条, 收到信息公开申请159件, 上年结转1件, 办结1191件,
行政复议2件), or states that there was none (本年度未收到公开申请; 未发生因信息公开申请提起的
行政复议和行政诉讼). Whatever stands before the verb in its clause must be a time (全年, 2019年),
a filler (共, 累计, 已) or the agency itself (我局, 本单位, 相山区人社局); any other subject
(区政务服务局未收到…, 收到省政府办公厅交办的…协查) or qualifier (其中…, 按时答复, 同意公开答复)
and the figure is skipped. Figures about reviews and lawsuits are read only in a sentence that
speaks of 公开, so an agency's other legal work is not taken for them.

keys: ``active_total`` (items proactively disclosed), ``active_website`` (the same through the
website or a platform: 通过门户网站主动公开政府信息2145条), ``active_part`` (one item of the
breakdown after the total, ``label`` as printed), ``requests_received``, ``requests_carried_over``,
``requests_answered``, ``requests_carried_forward``, ``reviews``, ``lawsuits``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from . import check
from .model import Check, Location, NarrativeFigure, Section, Value

NARRATIVE_PARTS = ("overview", "problems", "other")

# Full-width digits read as digits; one character for one, so offsets stay put.
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)"
_UNIT = r"(条|件|宗|篇|项|个|起|次|份)"
_CLAUSE_END = "，,。；;：:！？!?、（）()\n"
_SENTENCE_END = "。！？!?\n"

# What may stand before a verb in its clause: times and fillers.
_FILLER = re.compile(
    r"\s+|\d{4}\s*年度?|本报告期内|报告期内|本年度?|今年|全年|年内|当年|年度|期间|"
    r"共计|合计|总计|累计|一共|共|已经|已|均|全部|依法|发布"
)
_SELF = re.compile(r"^(?:我|本)(?:局|厅|委|办|院|会|署|处|所|站|馆|社|行|单位|机关|部门|中心|公司|机构|府)$")
_WHOLE = re.compile(r"^(?:全|我|本)(?:省|市|区|县|旗|州|盟)$")
_ORG_END = "局厅委办院会署处所站馆社行位关门心司构府"
_PLACE_WORD = re.compile(r"^[省市区县]")

_OBJECT = r"(?:政府信息公开|信息公开|依申请公开政府信息|依申请公开|公开)?申请"
_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("active", re.compile(rf"主动公开(?:了)?(?:政府信息|信息)(?:共)?\s*{_NUMBER}\s*{_UNIT}")),
    ("requests_received", re.compile(rf"(?:收到|受理|接收|接到|新收)(?:了)?(?:各类)?{_OBJECT}(?:共|合计)?\s*{_NUMBER}\s*{_UNIT}")),
    ("requests_received", re.compile(rf"(?:收到|受理|接收|接到|新收)(?:了)?\s*{_NUMBER}\s*{_UNIT}{_OBJECT}")),
    ("requests_carried_over", re.compile(rf"上一?年度?结转(?:的)?(?:{_OBJECT})?\s*{_NUMBER}\s*{_UNIT}")),
    ("requests_carried_forward", re.compile(rf"结转(?:至|到)?下一?年度?(?:继续办理)?(?:的)?(?:{_OBJECT})?\s*{_NUMBER}\s*{_UNIT}")),
    ("requests_answered", re.compile(rf"(?:办结|办理完毕|办理完成|答复|办理)(?:了)?(?:{_OBJECT})?\s*{_NUMBER}\s*{_UNIT}")),
    ("reviews", re.compile(rf"行政复议(?:申请|案件)?(?:共)?\s*{_NUMBER}\s*{_UNIT}")),
    ("lawsuits", re.compile(rf"行政诉讼(?:案件)?(?:共)?\s*{_NUMBER}\s*{_UNIT}")),
)
# "There was none": 本年度未收到公开申请; 未发生因信息公开申请提起的行政复议和行政诉讼.
_NONE_RECEIVED = re.compile(r"(?:未|没有)(?:收到|接到)([^，,。；;！？!?\n\d]{0,24})")
# What 未收到 may be followed by to say no requests came: 公开申请, 依申请政府信息相关方面的请求 …
# (not 申请人的补正材料).
_REQUESTS_ONLY = re.compile(r"^(?:任何|有关|相关|各类)?(?:依申请公开|依申请|政府信息公开|信息公开|公开|政府信息|信息|相关方面|方面|的|申请|请求|事项)+$")
_NONE_APPEALS = re.compile(r"(?:未|没有)(?:发生|收到|出现|产生|涉及|有)?([^，,。；;！？!?\n\d]{0,30})")
# What may stand before 行政复议/行政诉讼: the cause and the verb (因政府信息公开申请引发, 被申请),
# not a result (纠错, 败诉) nor what the agency decided as a review body (受理, 办理).
_APPEAL_CAUSE = re.compile(
    r"^(?:因|由于|涉及|就|对)?(?:政府信息公开|信息公开|依申请公开)?(?:申请|工作|答复|事项)?(?:而|所)?"
    r"(?:被申请|被提起|提起|引发|引起|产生|发生|涉及|共有|有|收到)?(?:的)?$"
)
_APPEAL_WORD = re.compile(r"行政复议|行政诉讼")
_APPEALS_ONLY = re.compile(r"^(?:行政复议|行政诉讼|案件|申请|情况|事项|的|和|及|与|或|、)+$")
_OUTCOME = re.compile(r"审结|结案|办结|纠错|纠正|败诉|撤销|维持|确认违法|审理|判决")
_CHANNEL = re.compile(r"(?:通过)?[^，,。；;]{0,12}?(?:网站|平台)(?:平台)?")
_BREAKDOWN = re.compile(r"^\s*[。，,；;]?\s*其中(?:包括|包含|有)?\s*[:：]?")
_ITEM = re.compile(rf"^\s*(?:\d+\s*[.．、]|[（(]\d+[）)])?\s*(.{{1,25}}?)\s*{_NUMBER}\s*{_UNIT}\s*$")
_HEADING = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十\d]+\s*[、.．])")


@dataclass
class Text:
    """A section's lines joined into one text (a line wrapped mid-sentence joins without a gap),
    with where each line starts, to give a figure the location of its line."""

    text: str
    starts: list[tuple[int, Location]]
    part: str

    def loc(self, offset: int) -> Location:
        where = self.starts[0][1] if self.starts else Location()
        for start, loc in self.starts:
            if start > offset:
                break
            where = loc
        return where


def joined(section: Section) -> Text:
    parts: list[str] = []
    starts: list[tuple[int, Location]] = []
    length = 0
    previous = ""
    for row in section.rows:
        line = row.text.strip().translate(_DIGITS)
        if not line:
            continue
        # A heading (（一）主动公开信息) ends its clause; so does a number before a number.
        if previous and (_is_heading(previous) or (previous[-1].isdigit() and line[0].isdigit())):
            parts.append("\n")
            length += 1
        starts.append((length, row.loc))
        parts.append(line)
        length += len(line)
        previous = line
    return Text("".join(parts), starts, section.part)


def _is_heading(line: str) -> bool:
    return bool(_HEADING.match(line)) and len(line) <= 25 and line[-1] not in "，,"


def _clause_before(text: str, start: int) -> str:
    i = start
    while i > 0 and text[i - 1] not in _CLAUSE_END:
        i -= 1
    return text[i:start]


def _sentence(text: str, start: int, end: int) -> str:
    i, j = start, end
    while i > 0 and text[i - 1] not in _SENTENCE_END:
        i -= 1
    while j < len(text) and text[j] not in _SENTENCE_END:
        j += 1
    if j < len(text) and text[j] != "\n":
        j += 1  # keep the sentence's own full stop
    return text[i:j].strip()


def _stem(name: str) -> str:
    """An agency name without the places it begins with: 相山区人社局 -> 人社局."""
    from .region import mentions

    found = mentions(name)
    cut = 0
    for m in found:
        if m.start != cut:
            break
        cut = m.end
    return _PLACE_WORD.sub("", name[cut:])


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def is_self(subject: str, agency: str) -> bool:
    """Whether what stands before a verb is nothing but times, fillers and the agency itself:
    我局, 本单位, 相山区人社局 (an abbreviation of 相山区人力资源和社会保障局); 全县 or 我区 only
    in a government's own report (沭阳县人民政府: 全县共受理…)."""
    rest = _FILLER.sub("", subject)
    if not rest:
        return True
    if _SELF.match(rest):
        return True
    if _WHOLE.match(rest):
        return "人民政府" in agency
    if rest[-1] not in _ORG_END:
        return False
    stem = _stem(rest)
    return bool(stem) and _subsequence(stem, _stem(agency))


def _number(raw: str) -> Decimal:
    return Decimal(raw.replace(",", ""))


def figures(sections: dict[str, Section], agency: str) -> list[NarrativeFigure]:
    """Every figure the narrative sections state plainly, in printed order."""
    out: list[NarrativeFigure] = []
    for part in NARRATIVE_PARTS:
        if part in sections:
            out += _figures(joined(sections[part]), agency)
    return out


def _figures(t: Text, agency: str) -> list[NarrativeFigure]:
    text = t.text
    found: list[tuple[int, NarrativeFigure]] = []
    taken: set[int] = set()  # where a number was read, so no two patterns read it

    def add(key: str, start: int, end: int, number: Decimal, unit: str, at: int, label: str | None = None):
        found.append((start, NarrativeFigure(key, number, unit, text[start:end], _sentence(text, start, end), t.loc(at), t.part, label)))

    for key, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if m.start(1) in taken:
                continue
            sentence = _sentence(text, m.start(), m.end())
            if key in ("reviews", "lawsuits") and "公开" not in sentence:
                continue
            subject = _clause_before(text, m.start())
            channel = _CHANNEL.search(subject) if key == "active" else None
            if channel:  # 全年通过门户网站主动公开…: the website's count
                subject = subject[: channel.start()] + subject[channel.end() :]
            if key == "requests_carried_over":
                subject = re.sub(r"^(?:其中)?(?:含|包括|包含)", "", subject)
            if key == "requests_received" and re.match(r"\s*[（(]?(?:含|包括|包含)[^）)]{0,8}结转", text[m.end():]):
                continue  # 受理…160件（含上年结转1件）: not the new requests alone
            if key in ("reviews", "lawsuits"):
                subject = _APPEAL_CAUSE.sub("", _FILLER.sub("", subject))
            if not is_self(subject, agency):
                continue
            if key == "active":
                key_here = "active_website" if channel else "active_total"
                add(key_here, m.start(), m.end(), _number(m.group(1)), m.group(2), m.start(1))
                taken.add(m.start(1))
                if key_here == "active_total":
                    found.extend(_breakdown(t, m.end()))
                continue
            add(key, m.start(), m.end(), _number(m.group(1)), m.group(2), m.start(1))
            taken.add(m.start(1))

    for m in _NONE_RECEIVED.finditer(text):
        what = m.group(1)
        if re.search("申请|请求", what) and _REQUESTS_ONLY.match(what) and is_self(_clause_before(text, m.start()), agency):
            add("requests_received", m.start(), m.end(), Decimal(0), "", m.start())
    for m in _NONE_APPEALS.finditer(text):
        what = m.group(1)
        first = _APPEAL_WORD.search(what)
        # Only what ends the clause: 未发生…行政复议和行政诉讼, not 未发生…行政复议纠错或行政诉讼败诉情形.
        if not first or not _APPEALS_ONLY.match(what[first.start() :]) or "公开" not in _sentence(text, m.start(), m.end()):
            continue
        if text[m.start() - 1 : m.start()] == "尚" or _OUTCOME.search(what[: first.start()]):
            continue  # 尚未审结的行政复议: pending ones, not none
        for key, word in (("reviews", "行政复议"), ("lawsuits", "行政诉讼")):
            if word in what:
                add(key, m.start(), m.end(), Decimal(0), "", m.start())
    return [figure for _, figure in sorted(found, key=lambda pair: pair[0])]


def _breakdown(t: Text, end: int) -> list[tuple[int, NarrativeFigure]]:
    """The items that follow a total: 其中包括：政策法规51条，重大决策预公开2条 …, up to the full stop."""
    text = t.text
    lead = _BREAKDOWN.match(text[end:])
    if not lead:
        return []
    start = end + lead.end()
    stop = start
    while stop < len(text) and text[stop] not in "。\n":
        stop += 1
    out = []
    item_start = start
    for i in range(start, stop + 1):
        if i == stop or text[i] in "，,、；;":
            raw = text[item_start:i]
            m = _ITEM.match(raw)
            if m:
                first = item_start + len(raw) - len(raw.lstrip())
                label = m.group(1).strip()
                figure = NarrativeFigure("active_part", _number(m.group(2)), m.group(3), raw.strip(), _sentence(text, item_start, i),
                                         t.loc(item_start + m.start(2)), t.part, label)
                out.append((first, figure))
            item_start = i + 1
    return out


# --------------------------------------------------------------------------------------------
# Checks against the tables
# --------------------------------------------------------------------------------------------

# identity, figure key, (part, row, column) of the tables that give the same number
_SAME = (
    ("narrative_new_received", "requests_received", "new_received.total", (("requests", "new_received", "total"),)),
    ("narrative_carried_over", "requests_carried_over", "carried_over.total", (("requests", "carried_over", "total"),)),
    ("narrative_answered", "requests_answered", "total.total", (("requests", "total", "total"),)),
    ("narrative_carried_forward", "requests_carried_forward", "carried_forward.total", (("requests", "carried_forward", "total"),)),
    ("narrative_reviews", "reviews", "review.total", (("appeals", "review", "total"),)),
    ("narrative_lawsuits", "lawsuits", "litigation.total",
     (("appeals", "litigation_direct", "total"), ("appeals", "litigation_after_review", "total"))),
)


def checks(found: list[NarrativeFigure], values: list[Value]) -> list[Check]:
    """One check per figure the narrative and the tables both give: the narrative's figure (lhs)
    against the table's (rhs; lawsuits: both litigation rows added). A figure stated twice with
    two values is left unchecked: which one the narrative means is not clear."""
    tables = check.tables(values)
    out = []
    for identity, key, check_key, cells in _SAME:
        stated = {f.value for f in found if f.key == key}
        if len(stated) != 1:
            continue
        printed = [tables.get(part, {}).get(row, {}).get(col) for part, row, col in cells]
        if any(v is None for v in printed):
            continue
        out.append(Check(identity, check_key, stated.pop(), sum(printed, Decimal(0))))
    return out
