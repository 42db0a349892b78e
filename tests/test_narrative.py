"""ogi/narrative.py: the figures a report states in words, and their checks against the tables.

The expected figures of the seeds were read off their 总体情况 by hand (values and sentences),
not taken from the code's output."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ogi import narrative as N
from ogi.model import Cell, Check, Location, Row, Section, Value
from ogi.parse import as_json, parse_file

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "ogi" / "samples"
REAL = ROOT.parent / "shared" / "corpus" / "real"


def section(*lines: str, part: str = "overview") -> Section:
    rows = [Row([Cell(line, Location(line=i))], Location(line=i)) for i, line in enumerate(lines, start=1)]
    return Section(part, "一、总体情况", rows)


def read(*lines: str, agency: str = "相山区人力资源和社会保障局") -> list[tuple]:
    return [(f.key, f.value, f.unit, f.label, f.raw) for f in N.figures({"overview": section(*lines)}, agency)]


def brief(figures) -> list[tuple]:
    return [(f.key, f.value, f.unit, f.label) for f in figures]


# --------------------------------------------------------------------------------------------
# The seeds, read by hand
# --------------------------------------------------------------------------------------------

SEED_000_PARTS = [
    ("政策法规", 51), ("重大决策预公开", 2), ("规划计划", 11), ("决策部署落实情况", 37), ("建议提案办理", 4),
    ("“三大攻坚战”", 5), ("社会公益事业建设及重点民生领域", 119), ("机构领导", 11), ("机构设置", 8), ("财政资金", 113),
    ("应急管理", 7), ("精准脱贫", 5), ("权责清单和动态调整情况", 2), ("公共服务清单和中介服务", 1), ("行政权力运行", 69),
    ("“双随机一公开”", 2), ("招标采购", 2), ("新闻发布", 16), ("上级政策解读", 9), ("本级政策解读", 9),
    ("重点领域新公开", 124), ("主动回应", 9), ("监督保障", 62),
]
SEED_001_PARTS = [
    ("政策法规", 19), ("重大决策预公开", 9), ("规划计划", 2), ("决策部署落实情况", 67), ("建议提案办理", 4), ("机构领导", 12),
    ("机构设置", 1), ("人事信息", 38), ("财政资金", 39), ("应急管理", 10), ("行政权力运行", 59), ("“双随机一公开”", 3),
    ("招标采购", 8), ("政策解读", 15), ("回应关切", 14), ("监督保障", 3), ("“三大”攻坚战", 5), ("社会公益事业建设及重点民生领域", 164),
]
SEED_003_PARTS = [
    ("组织机构类信息", 13), ("部门文件类信息", 23), ("动态类信息", 73), ("行政执法类信息", 29), ("办事指南类信息", 47),
    ("财政预决算信息", 1), ("行政许可信息", 226), ("行政处罚信息", 37), ("其他信息", 665),
]


def parts(items, unit="条"):
    return [("active_part", Decimal(n), unit, label) for label, n in items]


SEEDS = {
    "000_070e4010cc8b607e.txt": (
        [("active_total", Decimal(608), "条", None)] + parts(SEED_000_PARTS) + [("requests_received", Decimal(0), "", None)],
        {"active_total": "全年共主动公开政府信息 608 条。", "requests_received": "本年度未收到公开申请。"},
        {"active_total": 15, "requests_received": 39},
        [("narrative_new_received", "new_received.total", 0, 0)],
    ),
    "001_95df3186215ccd32.txt": (
        [("active_total", Decimal(472), "条", None)] + parts(SEED_001_PARTS) + [("requests_received", Decimal(0), "", None)],
        {"requests_received": "2023年，相山区人社局未收到依申请政府信息相关方面的请求。"},
        {"active_total": 11, "requests_received": 15},
        [("narrative_new_received", "new_received.total", 0, 0)],
    ),
    # 区政务服务局未收到依申请公开政府信息: another agency's word, not read.
    "002_c794ba25e5b72fb2.txt": (
        [("active_total", Decimal(23), "条", None)] + parts([("通知", 12), ("请示", 2), ("函", 1), ("其他类", 8)]),
        {"active_total": "年内，我局积极抓好政务信息工作，已发布2020年主动公开信息23条。"},
        {"active_total": 16},
        [],
    ),
    "003_358dec47750a91e3.txt": (
        [("active_total", Decimal(1114), "条", None)] + parts(SEED_003_PARTS) + [("requests_received", Decimal(9), "宗", None)],
        {"requests_received": "2019年本单位共收到9宗政府信息公开申请，均依法予以办理。"},
        {"active_total": 15, "requests_received": 21},
        [("narrative_new_received", "new_received.total", 9, 9)],
    ),
    # 按时答复 160 件 is the on-time count, and 收到省政府办公厅交办的…协查 9 件 are not requests: neither read.
    "004_445335a71f9baff7.txt": (
        [("requests_received", Decimal(159), "件", None), ("requests_carried_over", Decimal(1), "件", None),
         ("reviews", Decimal(0), "", None), ("lawsuits", Decimal(0), "", None)],
        {"requests_received": "本年共收到信息公开申请 159 件，上年度结转 1 件，按时答复 160 件，按时答复率 100%。",
         "reviews": "未发生因信息公开申请提起的行政复议和行政诉讼。"},
        {"requests_received": 13, "reviews": 13, "lawsuits": 13},
        [("narrative_new_received", "new_received.total", 159, 159), ("narrative_carried_over", "carried_over.total", 1, 1),
         ("narrative_reviews", "review.total", 0, 0), ("narrative_lawsuits", "litigation.total", 0, 0)],
    ),
}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_figures(name):
    figures, sentences, lines, checks = SEEDS[name]
    report = parse_file(SAMPLES / name)
    assert brief(report.narrative) == figures
    by_key = {f.key: f for f in reversed(report.narrative)}  # the first of each key
    for key, sentence in sentences.items():
        assert by_key[key].sentence == sentence
    for key, line in lines.items():
        assert by_key[key].loc.line == line
    assert all(f.part == "overview" for f in report.narrative)
    assert [(c.identity, c.key, c.lhs, c.rhs) for c in report.narrative_checks] == checks
    assert all(c.ok for c in report.narrative_checks)
    out = as_json(report)
    assert len(out["narrative"]) == len(figures)
    assert [c["identity"] for c in out["narrative_checks"]] == [c[0] for c in checks]


def test_seed_figures_as_json():
    out = as_json(parse_file(SAMPLES / "000_070e4010cc8b607e.txt"))
    assert out["narrative"][0] == {
        "key": "active_total", "value": 608, "unit": "条", "label": None, "raw": "主动公开政府信息 608 条",
        "sentence": "全年共主动公开政府信息 608 条。", "part": "overview", "line": 15,
    }
    assert out["narrative"][1]["raw"] == "政策法规51条" and out["narrative"][1]["label"] == "政策法规"
    assert out["narrative_checks"] == [{"identity": "narrative_new_received", "key": "new_received.total", "lhs": 0, "rhs": 0, "diff": 0, "ok": True}]


# --------------------------------------------------------------------------------------------
# The real corpus
# --------------------------------------------------------------------------------------------

REAL_FIGURES = {
    "hzq2023_working.pdf": (
        [("active_website", 1136, "条"), ("requests_received", 21, "件")],
        [("narrative_new_received", 21, 21)],
    ),
    "kewei-2024-source.md": (
        [("requests_received", 34, "件"), ("requests_carried_over", 2, "件")],
        [("narrative_new_received", 34, 34), ("narrative_carried_over", 2, 2)],
    ),
    # 未发生因依申请公开被行政复议纠错或行政诉讼败诉情形 says none were corrected or lost, not none filed.
    "shanghai-office-sample-source.md": (
        [("requests_received", 1295, "件"), ("requests_answered", 1191, "件"), ("requests_carried_over", 189, "件")],
        [("narrative_new_received", 1295, 1295), ("narrative_carried_over", 189, 189), ("narrative_answered", 1191, 1191)],
    ),
    "shanghai-shfb-2019_tables_extract.html": ([], []),
    # 全县全年共受理政府信息公开申请 749 件 counts the 36 carried over too: the check says so.
    "沭阳县人民政府2025年政府信息公开工作年度报告-沭阳县人民政府.txt": (
        [("active_website", 4511, "条"), ("requests_received", 749, "件"), ("requests_answered", 718, "件"), ("requests_carried_forward", 31, "件")],
        [("narrative_new_received", 749, 713), ("narrative_answered", 718, 718), ("narrative_carried_forward", 31, 31)],
    ),
}


@pytest.mark.skipif(not REAL.is_dir(), reason="the real corpus is not here")
@pytest.mark.parametrize("name", sorted(REAL_FIGURES))
def test_real_figures(name):
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"{name} is not here")
    figures, checks = REAL_FIGURES[name]
    report = parse_file(path)
    assert [(f.key, f.value, f.unit) for f in report.narrative] == [(k, Decimal(v), u) for k, v, u in figures]
    assert [(c.identity, c.lhs, c.rhs) for c in report.narrative_checks] == [(i, Decimal(a), Decimal(b)) for i, a, b in checks]


# --------------------------------------------------------------------------------------------
# Sentences read and sentences skipped
# --------------------------------------------------------------------------------------------


def test_what_is_read():
    assert read("全年共主动公开政府信息608条。") == [("active_total", 608, "条", None, "主动公开政府信息608条")]
    assert read("全年通过门户网站主动公开政府信息2145条。") == [("active_website", 2145, "条", None, "主动公开政府信息2145条")]
    assert read("本年共收到信息公开申请 159 件，上年度结转 1 件。") == [
        ("requests_received", 159, "件", None, "收到信息公开申请 159 件"), ("requests_carried_over", 1, "件", None, "上年度结转 1 件")]
    assert read("2019年本单位共收到9宗政府信息公开申请。") == [("requests_received", 9, "宗", None, "收到9宗政府信息公开申请")]
    assert read("办结1191件（含上年结转189件），结转下年度继续办理8件。") == [
        ("requests_answered", 1191, "件", None, "办结1191件"), ("requests_carried_over", 189, "件", None, "上年结转189件"),
        ("requests_carried_forward", 8, "件", None, "结转下年度继续办理8件")]
    assert read("因政府信息公开申请，行政复议2件，行政诉讼1件。") == [
        ("reviews", 2, "件", None, "行政复议2件"), ("lawsuits", 1, "件", None, "行政诉讼1件")]
    assert read("因政府信息公开申请引发行政复议 2 件，被提起行政诉讼 1 起。") == [
        ("reviews", 2, "件", None, "行政复议 2 件"), ("lawsuits", 1, "起", None, "行政诉讼 1 起")]
    assert read("全年未发生因政府信息公开引起的行政诉讼。") == [("lawsuits", 0, "", None, "未发生因政府信息公开引起的行政诉讼")]
    assert read("全年主动公开政府信息１,２３４条。") == [("active_total", 1234, "条", None, "主动公开政府信息1,234条")]


@pytest.mark.parametrize(
    "text",
    [
        "2020年，区政务服务局未收到依申请公开政府信息。",  # another agency
        "全年收到省政府办公厅交办的信息公开申请协查 9 件。",  # not requests to the agency
        "按时答复 160 件，按时答复率 100%。",  # on time only
        "申请中同意公开答复 9 件。",  # one outcome
        "其中主动公开政府信息 13 条。",  # part of something
        "共受理政府信息公开申请160件（含上年结转1件）。",  # new and carried over together
        "未发生因依申请公开被行政复议纠错或行政诉讼败诉情形。",  # none corrected or lost, not none filed
        "全年办理行政复议案件 120 件。",  # not about 公开
        "未发生政务公开责任追究事件。",
        "2019年通过政府网站公开工作信息624条。",  # not 主动公开
        "全年主动公开市政府规章 22 件。",  # regulations, not information items
        "全区共收到政府信息公开申请 21 件。",  # 全区: a bureau's report does not speak for the district
        "行政复议和行政诉讼各1件，均涉及信息公开。",
        "本机关受理行政复议申请 120 件，其中涉及信息公开 5 件。",  # as the review body
        "涉及信息公开的被纠错行政复议 1 件。",  # an outcome
        "其中因信息公开申请提起行政诉讼 2 件。",
        "本年度未收到申请人的补正材料。",  # not requests
        "对不符合条件的申请未受理。",
        "尚未审结的行政复议涉及信息公开。",  # pending, not none
        "未审结的行政复议涉及信息公开。",
        "新区管委会收到政府信息公开申请 3 件。",
    ],
)
def test_what_is_skipped(text):
    found = read(text, agency="相山区人力资源和社会保障局")
    assert [f for f in found if f[0] != "requests_carried_over"] == []


def test_a_government_speaks_for_its_whole_division():
    assert read("全县全年共受理政府信息公开申请 749 件。", agency="沭阳县人民政府") == [
        ("requests_received", 749, "件", None, "受理政府信息公开申请 749 件")]
    assert read("2023 年全区受理政府信息公开申请 21 件。", agency="洪泽区人民政府") == [
        ("requests_received", 21, "件", None, "受理政府信息公开申请 21 件")]


@pytest.mark.parametrize(
    "subject, agency, expected",
    [
        ("", "相山区人力资源和社会保障局", True),
        ("2019年本单位共", "相山区人力资源和社会保障局", True),
        ("全年", "x局", True),
        ("我局", "x局", True),
        ("本厅", "x厅", True),
        ("相山区人社局", "相山区人力资源和社会保障局", True),
        ("区人社局", "相山区人力资源和社会保障局", True),
        ("区政务服务局", "四平市铁西区人力资源和社会保障局", False),
        ("市政府共", "上海市人民政府办公厅", True),
        ("全县", "沭阳县人民政府", True),
        ("我区", "洪泽区人民政府", True),
        ("全区", "相山区人力资源和社会保障局", False),
        ("积极做好", "x局", False),
        ("省政府办公厅", "山东省人力资源和社会保障厅", False),
        ("其中", "x局", False),
        ("按时", "x局", False),
    ],
)
def test_whose_figure_it_is(subject, agency, expected):
    assert N.is_self(subject, agency) is expected


def test_lines_are_joined_and_headings_end_their_clause():
    t = N.joined(section("（一）主动公开信息", "全年共主动公开政府信息 608 条。其中包括：政策法规", "51条，重大决策预公开 2条。", "", "12", "34"))
    assert t.text == "（一）主动公开信息\n全年共主动公开政府信息 608 条。其中包括：政策法规51条，重大决策预公开 2条。12\n34"
    assert [(start, loc.line) for start, loc in t.starts] == [(0, 1), (10, 2), (37, 3), (52, 5), (55, 6)]
    assert (t.loc(0).line, t.loc(9).line, t.loc(10).line, t.loc(36).line, t.loc(37).line, t.loc(54).line, t.loc(55).line, t.loc(99).line) == (1, 1, 2, 2, 3, 5, 6, 6)
    assert N.joined(section()).loc(3) == Location()


def test_a_breakdown_after_the_total():
    found = N.figures({"overview": section("全年共主动公开政府信息 608 条。其中包括：政策法规", "51条，“双随机一公开”2条；1.其他信息 3 条、", "说明文字；机构设置8条。另有10条。")}, "x局")
    assert [(f.key, f.value, f.label, f.raw, f.loc.line) for f in found] == [
        ("active_total", 608, None, "主动公开政府信息 608 条", 1),
        ("active_part", 51, "政策法规", "政策法规51条", 2),
        ("active_part", 2, "“双随机一公开”", "“双随机一公开”2条", 2),
        ("active_part", 3, "其他信息", "1.其他信息 3 条", 2),
        ("active_part", 8, "机构设置", "机构设置8条", 3),
    ]
    assert found[1].sentence == "其中包括：政策法规51条，“双随机一公开”2条；1.其他信息 3 条、说明文字；机构设置8条。"
    assert brief(N.figures({"overview": section("主动公开政府信息10条，较上年增加2条。")}, "x局")) == [("active_total", 10, "条", None)]


def test_only_the_narrative_parts_are_read():
    sections = {
        "overview": section("全年共主动公开政府信息608条。"),
        "appeals": section("行政复议 1 2 3 公开", part="appeals"),
        "problems": section("本年度未收到公开申请。", part="problems"),
        "other": section("未发生因信息公开申请提起的行政复议。", part="other"),
    }
    found = N.figures(sections, "x局")
    assert [(f.key, f.part) for f in found] == [("active_total", "overview"), ("requests_received", "problems"), ("reviews", "other")]


# --------------------------------------------------------------------------------------------
# Checks against the tables
# --------------------------------------------------------------------------------------------


def value(part, row, col, n):
    return Value(part, row, col, None if n is None else Decimal(n), str(n), Location(), row)


def test_checks_only_where_both_give_the_figure():
    figures = N.figures({"overview": section("收到政府信息公开申请 12 件，上年结转 1 件，办结 10 件，结转下年度 3 件。因信息公开行政复议 2 件，行政诉讼 3 件。")}, "x局")
    values = [
        value("requests", "new_received", "total", 12), value("requests", "carried_over", "total", 2),
        value("requests", "total", "total", 10),
        value("appeals", "review", "total", 2),
        value("appeals", "litigation_direct", "total", 1), value("appeals", "litigation_after_review", "total", 2),
    ]
    assert N.checks(figures, values) == [
        Check("narrative_new_received", "new_received.total", Decimal(12), Decimal(12)),
        Check("narrative_carried_over", "carried_over.total", Decimal(1), Decimal(2)),
        Check("narrative_answered", "total.total", Decimal(10), Decimal(10)),
        Check("narrative_reviews", "review.total", Decimal(2), Decimal(2)),
        Check("narrative_lawsuits", "litigation.total", Decimal(3), Decimal(3)),
    ]
    # carried_forward is missing from the table; lawsuits need both litigation rows; "/" is no figure
    values = [value("appeals", "litigation_direct", "total", 3), value("requests", "new_received", "total", None)]
    assert N.checks(figures, values) == []
    assert N.checks([], values) == []


def test_a_figure_stated_twice_with_two_values_is_not_checked():
    figures = N.figures({"overview": section("收到政府信息公开申请 12 件。", "全年收到政府信息公开申请 13 件。")}, "x局")
    values = [value("requests", "new_received", "total", 12)]
    assert [f.value for f in figures] == [12, 13]
    assert N.checks(figures, values) == []
    figures = N.figures({"overview": section("收到政府信息公开申请 12 件。", "全年收到政府信息公开申请 12 件。")}, "x局")
    assert N.checks(figures, values) == [Check("narrative_new_received", "new_received.total", Decimal(12), Decimal(12))]
