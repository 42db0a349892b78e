"""Place an agency in China's administrative divisions: province / city / county.

In: the agency name as printed, and what else the file says about where it is (the title,
the text, the file name, a manifest hint). Out: a ``Region`` with full official names, the
adcode, longitude/latitude, the agency's ``level``, a ``status`` and a one-line ``why``.

The division table is the one cpca ships (``cpca/resources/adcodes.csv``: adcode, name,
longitude, latitude of every province, city and county), read directly, not a hand-written
list. Telephone area codes are read with ``phonenumbers`` (Google's libphonenumber data, which
names the city of every Chinese area code). Postcodes are not used: no maintained package
ships a table of them.

Evidence is taken in this order, and the first that settles the place wins:

1. the agency name: every division it names, in order (四平市 + 铁西区);
2. the title;
3. the text: addresses (地址：…), telephone area codes, the site's name (主办单位, …网站),
   then the division the report mentions most;
4. the file name, then the hint (a manifest's word on the place).

Evidence never moves a place the name settled (a provincial department stays provincial);
it only chooses among the places a name could be (铁西区: 沈阳, 鞍山 or 四平), or finds one
when the name names none. A tie stays open: ``status`` says ``ambiguous`` and ``why`` lists
the candidates; nothing is guessed.

``level`` is the agency's own level: ``province``, ``city``, ``county``; ``township`` for a
乡/镇/街道 agency (placed at its county); ``zone`` for a development zone or new area that is
not a division (苏州工业园区, 南京高新技术产业开发区, 雄安新区), placed at the division that
administers or contains it when the name or the text says which.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .model import Region, Warning
from .text import simplified

MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
LEVELS = ("province", "city", "county")
# Rows of the table that stand for a group of divisions, not for a place of that name.
PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True)
class Division:
    code: str  # 6 digits
    name: str
    rank: int  # 0 province, 1 city, 2 county
    longitude: float | None
    latitude: float | None


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@cache
def divisions() -> dict[str, Division]:
    """6-digit adcode -> Division, from the table cpca ships."""
    raw = resources.files("cpca.resources").joinpath("adcodes.csv").read_text(encoding="utf-8")
    out = {}
    for record in csv.DictReader(io.StringIO(raw)):
        code = record["adcode"][:6]
        rank = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
        out[code] = Division(code, record["name"], rank, _float(record["longitude"]), _float(record["latitude"]))
    return out


@cache
def _nations() -> tuple[str, ...]:
    """The 56 nationalities (cpca ships the list), longest first: 延边朝鲜族自治州 -> 延边."""
    raw = resources.files("cpca.resources").joinpath("56_nations.csv").read_text(encoding="utf-8")
    names = {line.strip() for line in raw.splitlines() if line.strip()}
    names |= {name[:-1] for name in names if name.endswith("族") and len(name) > 2}  # 蒙古 in 巴音郭楞蒙古自治州
    return tuple(sorted(names, key=len, reverse=True))


# How names of provinces and cities are shortened (广东省 -> 广东, 四平市 -> 四平).
_SHORT_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "自治州", "地区", "省", "市", "盟")


def short_name(name: str) -> str:
    """The short form of a province's or city's name: 广西壮族自治区 -> 广西, 四平市 -> 四平,
    延边朝鲜族自治州 -> 延边; the name itself when no short form of two or more characters exists."""
    for suffix in _SHORT_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            if suffix == "自治州":
                stripped = True
                while stripped:
                    stripped = False
                    for nation in _nations():
                        if stem.endswith(nation) and len(stem) - len(nation) >= 2:
                            stem, stripped = stem[: -len(nation)], True
                            break
            return stem
    return name


@cache
def _names() -> dict[str, frozenset[str]]:
    """Every name a division goes by -> the adcodes it may stand for: full names of all
    divisions, short forms of provinces and cities (a county is named in full)."""
    out: dict[str, set[str]] = {}
    for code, division in divisions().items():
        if division.name in PLACEHOLDERS:
            continue
        out.setdefault(division.name, set()).add(code)
        if division.rank < 2:
            short = short_name(division.name)
            if short != division.name:
                out.setdefault(short, set()).add(code)
    return {name: frozenset(codes) for name, codes in out.items()}


@cache
def _place_names() -> frozenset[str]:
    """Every division's full name, and the short form of provinces and cities."""
    return frozenset(_names())


def starts_with_place(name: str) -> bool:
    """True when the name begins with the name of a division (西安市雁塔区教育局, 广东省…厅),
    in Simplified or Traditional characters; 塔区教育局 (a title cut mid-name) does not."""
    name = simplified(name)
    longest = _longest_place_name()
    return any(name[:n] in _place_names() for n in range(2, min(len(name), longest) + 1))


@cache
def _longest_place_name() -> int:
    # names run to 15 characters and more (积石山保安族东乡族撒拉族自治县); a fixed bound cut them
    return max(map(len, _place_names()))


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str
    codes: frozenset[str]


def mentions(text: str) -> list[Mention]:
    """Every division named in the text, in order. Overlaps go to the longer name (确保山东省
    is 山东省, not 保山); a name several divisions share keeps all their codes."""
    names = _names()
    longest = max(map(len, names))
    found = []
    for i in range(len(text)):
        for n in range(min(longest, len(text) - i), 1, -1):
            if text[i : i + n] in names:
                found.append((i, i + n))
    found.sort(key=lambda span: (span[0] - span[1], span[0]))
    taken = [False] * len(text)
    chosen = []
    for start, end in found:
        if not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            chosen.append(Mention(start, end, text[start:end], names[text[start:end]]))
    return sorted(chosen, key=lambda m: m.start)


def within(code: str, ancestor: str) -> bool:
    """True when division ``code`` is ``ancestor`` or lies inside it."""
    rank = divisions()[ancestor].rank
    return code[: 2 * (rank + 1)] == ancestor[: 2 * (rank + 1)]


def related(code: str, other: str) -> bool:
    return within(code, other) or within(other, code)


@dataclass
class Chain:
    """The divisions a run of names designates, outermost first (四平市 铁西区): ``codes`` are the
    divisions the last name may be, given the names before it; ``end`` where the run ends."""

    codes: frozenset[str]
    names: list[str]
    end: int


def chain(text: str) -> Chain | None:
    """The divisions a name designates: each name must lie inside the one before it (四平市铁西区
    is 220302); the first name that does not ends the chain (淮安市驻南京办事处 is 淮安市)."""
    codes: frozenset[str] | None = None
    names: list[str] = []
    end = 0
    for mention in mentions(text):
        if codes is None:
            codes = mention.codes
        else:
            inner = frozenset(c for c in mention.codes if any(within(c, outer) and c != outer for outer in codes))
            if not inner:
                break
            # 吉林 + 丰满区: the outer name is kept only through what lies inside it.
            codes = inner
        names.append(mention.name)
        end = mention.end
    return None if codes is None else Chain(codes, names, end)


def region_of(code: str) -> Region:
    """The Region of one division: its province, city and county, adcode and coordinates."""
    table = divisions()
    division = table[code]
    province = table.get(code[:2] + "0000")
    city = table.get(code[:4] + "00") if division.rank >= 1 else None
    county = division if division.rank == 2 else None
    province_name = province.name if province else None
    city_name = city.name if city and city.name not in PLACEHOLDERS else None
    if province_name in MUNICIPALITIES:
        city_name = province_name
    return Region(
        province=province_name,
        city=city_name,
        county=county.name if county else None,
        adcode=code,
        longitude=division.longitude,
        latitude=division.latitude,
    )


def common(codes: frozenset[str]) -> str | None:
    """The deepest division that holds every one of ``codes`` (None when they span provinces)."""
    for rank in (1, 0):
        width = 2 * (rank + 1)
        prefixes = {c[:width] for c in codes}
        if len(prefixes) == 1:
            code = prefixes.pop().ljust(6, "0")
            if code in divisions() and divisions()[code].name not in PLACEHOLDERS:
                return code
    return None


def _list(codes) -> str:
    return "、".join(_label(c) for c in sorted(codes))


def _label(code: str) -> str:
    """A division as a person would tell it apart: 沈阳市铁西区, 吉林省 …"""
    r = region_of(code)
    parts = [r.province] if r.city is None or r.city == r.province else [r.city]
    if r.county:
        parts.append(r.county)
    return "".join(p for p in parts if p)


# --------------------------------------------------------------------------------------------
# The agency's level: township and zone agencies are told by their names
# --------------------------------------------------------------------------------------------

_TOWNSHIP = re.compile(r"^([\u4e00-\u9fff]{1,8}?(?:民族乡|乡|镇|街道|苏木))(?:人民政府|政府|办事处|党委|党工委|便民服务中心|$)")
# Zones that are not divisions: development zones, industrial parks, new areas, pilot zones.
_ZONE = re.compile(
    r"(经济技术开发区|高新技术产业开发区|开发区|工业园区|产业园区|园区|高新区|新区|综合实验区|实验区|试验区|示范区|"
    r"保税区|自贸区|合作区|管理区|度假区|风景名胜区|风景区|景区|经济区|功能区)"
)
_AGENCY_WORD = re.compile(r"局|厅|委员会|办公室|中心|人民政府|法院|检察院")


def township_of(rest: str) -> str | None:
    """The township an agency name names right after its county (钱集镇人民政府 -> 钱集镇)."""
    m = _TOWNSHIP.match(rest)
    return m.group(1) if m else None


def zone_of(name: str, rest_start: int) -> str | None:
    """The zone an agency name names (苏州工业园区管理委员会 -> 苏州工业园区), when it follows the
    divisions of the name and comes before any agency word; None for a real division."""
    rest = name[rest_start:]
    m = _ZONE.search(rest)
    if not m or m.start() > 12 or _AGENCY_WORD.search(rest[: m.start()]):
        return None
    return name[: rest_start + m.end()]


# --------------------------------------------------------------------------------------------
# Evidence from the file
# --------------------------------------------------------------------------------------------

_ADDRESS = re.compile(r"(?:通讯地址|办公地址|联系地址|地址|住所)\s*[:：]\s*([^\n，,。；;]{2,60})")
_PHONE = re.compile(r"(?<![\d-])(0\d{2,3})\s*[-－—–]?\s*(\d{7,8})(?!\d)")
_SITE = re.compile(
    r"(?:主办单位|网站主办|主办|网站名称|承办单位)\s*[:：]\s*([^\s　，,。；;]{2,40})"
    r"|([\u4e00-\u9fff]{2,24}?)(?:人民政府)?(?:门户网站|政府网站|政务网站|政府网|官方网站)"
)
# Sentences that say which division administers or contains a zone.
_ADMINISTERED = re.compile(
    r"(?:由|归|受)([^\n，,。；;]{2,30}?)(?:人民政府)?(?:管辖|代管|托管|直管|管理|领导)"
    r"|([^\n，,。；;由归受]{2,30}?)(?:人民政府)?(?:管辖|代管|托管|直管)"
    r"|([^\n，,。；;]{2,30}?)(?:人民政府)?的?派出机构"
    r"|(?:位于|地处|隶属于?)([^\n，,。；;]{2,30})"
    r"|([^\n，,。；;]{2,30}?)(?:境内|辖区内|辖内)"
)


def addresses(text: str) -> list[str]:
    return [m.group(1) for m in _ADDRESS.finditer(text)]


def phone_places(text: str) -> list[str]:
    """The places telephone numbers' area codes name (0434-3273136 -> 吉林省四平市), from
    libphonenumber's geocoding data; nothing when phonenumbers is not installed."""
    try:
        import phonenumbers
        from phonenumbers import geocoder
    except ImportError:  # pragma: no cover - a declared dependency
        return []
    out = []
    for m in _PHONE.finditer(text):
        try:
            number = phonenumbers.parse(f"+86{m.group(1)[1:]}{m.group(2)}")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            place = geocoder.description_for_number(number, "zh")
            if place and place != "中国":
                out.append(place)
    return out


def site_names(text: str) -> list[str]:
    return [m.group(1) or m.group(2) for m in _SITE.finditer(text)]


def administering(text: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in _ADMINISTERED.finditer(text)]


@dataclass
class Evidence:
    label: str  # what it is, for ``why``: "the title", "an address" …
    texts: list[str]
    counted: bool = False  # the whole text, read by how often it names each place


def _sources(title: str, text: str, evidence: str, hint: str) -> list[Evidence]:
    return [
        Evidence("the title", [title]),
        Evidence("an address in the text", addresses(text)),
        Evidence("a telephone area code in the text", phone_places(text)),
        Evidence("the site's name in the text", site_names(text)),
        Evidence("the text most often", [text], counted=True),
        Evidence("the file name", [evidence]),
        Evidence("the hint", [hint]),
    ]


def _narrow(candidates: frozenset[str], source: Evidence) -> tuple[frozenset[str], Counter]:
    """The candidates this evidence names most (a strict subset, else all of them), and the count."""
    score: Counter = Counter()
    for text in source.texts:
        for mention in mentions(text):
            supported = {c for c in candidates if any(related(c, m) for m in mention.codes)}
            if supported and supported != candidates:
                for c in supported:
                    score[c] += 1
    if not score:
        return candidates, score
    top = max(score.values())
    best = frozenset(c for c in candidates if score[c] == top)
    return best, score


def _found(source: Evidence) -> tuple[frozenset[str], str] | None:
    """Where a piece of evidence places an agency whose name names no division: the divisions its
    texts designate (each text read as a chain of names), or for the text as a whole, the
    county (else the city) it names most. (codes, the name that says so)"""
    if source.counted:
        for rank in (2, 1):
            counts = Counter()
            for mention in mentions(source.texts[0]):
                if len(mention.codes) == 1:
                    (code,) = mention.codes
                    if divisions()[code].rank == rank:
                        counts[code] += 1
            ranked = counts.most_common(2)
            if ranked:
                if len(ranked) == 2 and ranked[1][1] == ranked[0][1]:
                    tied = frozenset(c for c, n in counts.items() if n == ranked[0][1])
                    return tied, f"{_list(tied)} ({ranked[0][1]}× each)"
                return frozenset({ranked[0][0]}), f"{_label(ranked[0][0])} ({ranked[0][1]}×)"
        return None
    found: set[str] = set()
    said = []
    for text in source.texts:
        c = chain(text)
        if c is not None:
            found |= c.codes
            said.append("".join(c.names))
    if not found:
        return None
    # Several texts (two addresses) that name places inside one another agree on the deepest.
    found = {c for c in found if not any(o != c and within(o, c) for o in found)}
    return frozenset(found), "、".join(dict.fromkeys(said))


# --------------------------------------------------------------------------------------------
# resolve
# --------------------------------------------------------------------------------------------


def _settled(code: str, level: str, why: str) -> Region:
    region = region_of(code)
    region.level, region.status, region.why = level, "settled", why
    return region


def _open(codes: frozenset[str], level: str | None, why: str) -> Region:
    """Several places remain: keep what they share (the province, the county's name), no more."""
    holder = common(codes)
    region = region_of(holder) if holder else Region()
    names = {divisions()[c].name for c in codes}
    if len(names) == 1 and divisions()[next(iter(codes))].rank == 2:
        region.county = names.pop()
    region.level, region.status, region.why = level, "ambiguous", why
    return region


def _level(code: str) -> str:
    return LEVELS[divisions()[code].rank]


def resolve(agency: str, text: str = "", evidence: str = "", *, title: str = "", hint: str = "") -> tuple[Region, str, list[Warning]]:
    """(region, agency, warnings). ``evidence`` is the file name; ``hint`` what a manifest says of
    the place. The file name or text may also show the right spelling of a place name misread
    in the title (沐阳县 for 沭阳县); the agency is then respelled."""
    printed, name = agency, simplified(agency)  # 南山區 is 南山区 in the division table
    warnings: list[Warning] = []
    respelling = ""
    found = chain(name)
    if found is None:
        respelled = _respelled(name, evidence + "\n" + text)
        if respelled is not None:
            wrong, right = respelled
            name = name.replace(wrong, right, 1)
            printed = name
            found = chain(name)
            respelling = f"the agency name prints {wrong}, which is no division, and the file name or text spells it {right}; "
            warnings.append(Warning(f"agency: {wrong} is not an administrative division; read as {right}, which differs by one character and is spelled so in the file name or text"))
    sources = _sources(simplified(title), text, evidence, hint)

    if found is not None:
        rest = found.end
        zone = zone_of(name, rest)
        township = None if zone else township_of(name[rest:])
        named = "、".join(found.names)
        if zone:
            level, what = "zone", f"{zone} is a zone, not a division; placed at what its name names ({named})"
        elif township:
            level, what = "township", f"{township} is a township; placed at what the agency name names before it ({named})"
        else:
            level, what = None, f"{respelling}the agency name names {named}"
        codes = found.codes
        if len(codes) == 1:
            (code,) = codes
            region = _settled(code, level or _level(code), what)
            return region, printed, warnings
        # A name several divisions share: the title, the text, then the file name choose.
        for source in sources:
            narrowed, score = _narrow(codes, source)
            if len(narrowed) == 1:
                (code,) = narrowed
                why = f"{what}, which is in {len(codes)} places ({_list(codes)}); {source.label} names {_label(code)} ({score[code]}×)"
                warnings.append(Warning(f"region: {why}"))
                return _settled(code, level or _level(code), why), printed, warnings
            codes = narrowed
        level = level or _common_level(codes)
        why = f"{what}, which is in {len(codes)} places ({_list(codes)}); nothing in the title, text, file name or hint says which"
        warnings.append(Warning(f"region: {why}"))
        return _open(codes, level, why), printed, warnings

    # No division in the agency name.
    zone = zone_of(name, 0)
    township = None if zone else township_of(name)
    level = "zone" if zone else "township" if township else None
    if zone:
        sources = [sources[0], Evidence("the text, on what administers or contains it,", administering(text))] + sources[1:4] + sources[5:]
    subject = f"{zone} is a zone, not a division" if zone else f"{township} is a township" if township else "the agency name names no division"
    for i, source in enumerate(sources):
        got = _found(source)
        if got is None:
            continue
        codes, said = got
        why = f"{subject}; {source.label} names {said}"
        for later in sources[i + 1 :]:  # several places: later evidence may choose among them
            if len(codes) == 1:
                break
            narrowed, score = _narrow(codes, later)
            if len(narrowed) < len(codes):
                why += f"; {later.label} names {_list(narrowed)}"
            codes = narrowed
        if len(codes) == 1:
            (code,) = codes
            warnings.append(Warning(f"region: {why}"))
            return _settled(code, level or _level(code), why), printed, warnings
        why += "; nothing says which"
        warnings.append(Warning(f"region: {why}"))
        return _open(codes, level or _common_level(codes), why), printed, warnings
    why = f"{subject}; nothing in the title, text, file name or hint names one"
    warnings.append(Warning(f"region: {why}"))
    return Region(level=level, status="not_found", why=why), printed, warnings


def _common_level(codes: frozenset[str]) -> str | None:
    levels = {_level(c) for c in codes}
    return levels.pop() if len(levels) == 1 else None


_PLACE_PREFIX = re.compile(r"^(.{1,8}?(?:自治州|自治县|自治区|地区|省|市|县|区|旗|盟))")


def _respelled(agency: str, evidence: str) -> tuple[str, str] | None:
    """(printed place, real place) when the agency's leading place name is not a division but
    exactly one division differs from it by one character and the evidence spells it so."""
    m = _PLACE_PREFIX.match(agency)
    if not m:
        return None
    printed = m.group(1)
    names = {d.name for d in divisions().values()}
    if printed in names:
        return None
    close = {
        name for name in names
        if len(name) == len(printed) and sum(a != b for a, b in zip(name, printed)) == 1 and name in evidence
    }
    return (printed, close.pop()) if len(close) == 1 else None
