#!/usr/bin/env python3
"""Generate realistic 政府信息公开工作年度报告 documents with known values (fixtures + gold).

    .venv/bin/python scripts/make_fixtures.py OUT_DIR [--only STEM ...] [--list]

Known values first, documents second: every fixture starts as a ``Spec`` (agency, year,
region, the format of each table and every value of tables 二/三/四), drawn from seeded
pseudo-random numbers that satisfy the identities of report-format.md, unless the spec
deliberately breaks one (then the gold lists it in ``expected_failures``). The spec is then
rendered into a document of one format with the official layout (six parts, table 二 as
sub-tables 第二十条第（一）（五）（六）（八）（九）项, table 三 with its two-level header and
row-group cells spanning rows, table 四 with 15 numbers) and the quirks real reports show,
each one described in the gold ``notes``.

Formats: DOCX (python-docx, merged cells as gridSpan/vMerge), PDF (that DOCX through
``soffice --headless --convert-to pdf``, Noto CJK fonts, page numbers in the footer, table 三
split over pages), HTML (rowspan/colspan; one GBK page without a charset, one inside a site
page with navigation and metadata, one in Traditional characters), an image-only PDF (pages
rendered by pdftoppm at 200 dpi and wrapped by Pillow), TXT and Markdown.

OUT_DIR receives ``<stem>.<ext>`` and ``<stem>.json`` (gold, the shape of ../shared/gold)
for every document, so that ``scripts/accuracy.py OUT_DIR OUT_DIR`` can score them. The gold's
``provenance`` records every printed cell of tables 二/三/四 as the renderer laid it out: its raw
text and where it is (line/char in TXT and MD, block line/table/row/col in DOCX and HTML, page in
PDFs and scans, read back from the PDF LibreOffice rendered), ``inferred`` for a cell left out. The
output is deterministic for a given version of this file (ZIP and PDF timestamps are pinned);
``ensure(BASE)`` caches it in ``BASE/<hash of this file>/`` (the tests use build/fixtures).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import io
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

GENERATOR = Path(__file__).resolve()
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
PINNED_DATE = datetime(2024, 1, 15, 9, 0, 0)
PINNED_ZIP_TIME = (2024, 1, 15, 9, 0, 0)

# --------------------------------------------------------------------------------------------
# The template: keys of items.csv, labels as the official forms print them
# --------------------------------------------------------------------------------------------

APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org", "total"]
ORG_LABELS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
OUTCOMES = ["upheld", "corrected", "other", "pending", "total"]
OUTCOME_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
GROUPS = ["review", "litigation_direct", "litigation_after_review"]

# table 二: (第二十条 item, [(row key, label)], [metric keys], [metric headers])
ACTIVE_TEMPLATE = {
    "2019": [
        ("（一）", [("regulations", "规章"), ("normative_documents", "规范性文件")],
         ["made", "published", "total_published"], ["本年新制作数量", "本年新公开数量", "对外公开总数量"]),
        ("（五）", [("administrative_licensing", "行政许可"), ("other_management_services", "其他对外管理服务事项")],
         ["items_last_year", "items_change", "decisions"], ["上一年项目数量", "本年增/减", "处理决定数量"]),
        ("（六）", [("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")],
         ["items_last_year", "items_change", "decisions"], ["上一年项目数量", "本年增/减", "处理决定数量"]),
        ("（八）", [("administrative_fees", "行政事业性收费")], ["items_last_year", "items_change"], ["上一年项目数量", "本年增/减"]),
        ("（九）", [("centralized_procurement", "政府集中采购")], ["procurement_projects", "procurement_amount_yuan"], ["采购项目数量", "采购总金额"]),
    ],
    "2021": [
        ("（一）", [("regulations", "规章"), ("normative_documents", "行政规范性文件")],
         ["issued", "repealed", "in_force"], ["本年制发件数", "本年废止件数", "现行有效件数"]),
        ("（五）", [("administrative_licensing", "行政许可")], ["decisions"], ["本年处理决定数量"]),
        ("（六）", [("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")], ["decisions"], ["本年处理决定数量"]),
        ("（八）", [("administrative_fees", "行政事业性收费")], ["fee_amount_10k_yuan"], ["本年收费金额（单位：万元）"]),
    ],
}

BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS_LABEL = "三、本年度办理结果"
REQUEST_GROUPS = {
    "withheld": ("（三）不予公开", [
        ("withheld.state_secret", "1.属于国家秘密"),
        ("withheld.prohibited_by_law", "2.其他法律行政法规禁止公开"),
        ("withheld.three_securities_one_stability", "3.危及“三安全一稳定”"),
        ("withheld.third_party_rights", "4.保护第三方合法权益"),
        ("withheld.internal_affairs", "5.属于三类内部事务信息"),
        ("withheld.process_information", "6.属于四类过程性信息"),
        ("withheld.law_enforcement_files", "7.属于行政执法案卷"),
        ("withheld.administrative_query", "8.属于行政查询事项"),
    ]),
    "unable": ("（四）无法提供", [
        ("unable.not_held", "1.本机关不掌握相关政府信息"),
        ("unable.needs_creation", "2.没有现成信息需要另行制作"),
        ("unable.unclear_after_correction", "3.补正后申请内容仍不明确"),
    ]),
    "not_processed": ("（五）不予处理", [
        ("not_processed.petition_complaint", "1.信访举报投诉类申请"),
        ("not_processed.duplicate", "2.重复申请"),
        ("not_processed.publication", "3.要求提供公开出版物"),
        ("not_processed.excessive", "4.无正当理由大量反复申请"),
        ("not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"),
    ]),
    "other": ("（六）其他处理", [
        ("other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("other.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other.other", "3.其他"),
    ]),
}
TOP_LABELS = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "carried_forward": "四、结转下年度继续办理",
}
SINGLE_RESULT_LABELS = {
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "other": "（六）其他处理",
    "total": "（七）总计",
}

SECTION_HEADINGS = {
    "overview": "一、总体情况",
    "active": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "appeals": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}


def request_rows(fmt: str) -> list[tuple[str, str | None, str]]:
    """(key, group label or None, row label) of table 三 in printed order."""
    rows = [("new_received", None, TOP_LABELS["new_received"]), ("carried_over", None, TOP_LABELS["carried_over"]),
            ("granted", None, SINGLE_RESULT_LABELS["granted"]), ("partially_granted", None, SINGLE_RESULT_LABELS["partially_granted"])]
    for group in ("withheld", "unable", "not_processed"):
        label, items = REQUEST_GROUPS[group]
        rows += [(key, label, text) for key, text in items]
    if fmt == "2019":
        rows.append(("other", None, SINGLE_RESULT_LABELS["other"]))
    else:
        label, items = REQUEST_GROUPS["other"]
        rows += [(key, label, text) for key, text in items]
    rows += [("total", None, SINGLE_RESULT_LABELS["total"]), ("carried_forward", None, TOP_LABELS["carried_forward"])]
    return rows


def result_keys(fmt: str) -> list[str]:
    """The rows whose sum is （七）总计 (granted … other / other.*)."""
    keys = [k for k, _, _ in request_rows(fmt)]
    return keys[keys.index("granted"): keys.index("total")]


# --------------------------------------------------------------------------------------------
# Identities (report-format.md), computed on gold-shaped values
# --------------------------------------------------------------------------------------------


def identity_failures(gold: dict) -> list[dict]:
    """Every identity that does not hold, as gold ``expected_failures`` entries
    ({identity, key, lhs, rhs, diff}; lhs is the printed total side). Absent values count 0."""
    req, app = gold.get("requests", {}), gold.get("appeals", {})

    def get(table: dict, row: str, col: str):
        return table.get(row, {}).get(col, 0)

    out = []
    if {"new_received", "carried_over", "total", "carried_forward"} <= req.keys():
        for c in APPLICANTS:
            lhs = get(req, "new_received", c) + get(req, "carried_over", c)
            rhs = get(req, "total", c) + get(req, "carried_forward", c)
            out.append(("requests_balance", c, lhs, rhs))
    all_results = result_keys("2019") + [k for k in result_keys("2021") if k not in result_keys("2019")]
    results = [r for r in all_results if r in req]
    if "total" in req and results:
        for c in APPLICANTS:
            out.append(("requests_results_sum", c, get(req, "total", c), sum(get(req, r, c) for r in results)))
    for row, cols in req.items():
        out.append(("requests_row_total", row, cols.get("total", 0), sum(cols.get(c, 0) for c in APPLICANTS[:-1])))
    for group in GROUPS:
        if group in app:
            out.append(("appeals_total", group, get(app, group, "total"), sum(get(app, group, o) for o in OUTCOMES[:-1])))
    return [{"identity": i, "key": k, "lhs": _num(lhs), "rhs": _num(rhs), "diff": _num(lhs - rhs)} for i, k, lhs, rhs in out if lhs != rhs]


def _num(x):
    if isinstance(x, float):
        x = round(x, 6)
        return int(x) if x == int(x) else x
    return x


# --------------------------------------------------------------------------------------------
# Specs: the known values and the quirks of every document
# --------------------------------------------------------------------------------------------


@dataclass
class Spec:
    stem: str
    kind: str  # docx, pdf, scan (image-only pdf), html, txt, md
    agency: str  # as the title prints it (simplified; the Traditional page converts it)
    year: int
    region: tuple[str, str | None, str | None]
    active_format: str
    requests_format: str
    seed: int
    scale: float = 1.0  # how busy the agency is
    title_style: str = "one_line"  # one_line, agency_above, spaced, wrapped (inside the agency name, layout title_break)
    quirks: dict = field(default_factory=dict)
    layout: dict = field(default_factory=dict)  # renderer options
    # filled by build()
    active: dict = field(default_factory=dict)
    requests: dict = field(default_factory=dict)
    appeals: dict = field(default_factory=dict)
    printed: dict = field(default_factory=dict)  # "part.row.col" -> cell text as printed
    labels: dict = field(default_factory=dict)  # (part, row key) -> label as printed
    missing: set = field(default_factory=set)  # (part, row key) not printed
    extra_rows: list = field(default_factory=list)  # dicts: part, after, label, cells
    blank: list = field(default_factory=list)
    not_applicable: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    expected_failures: list = field(default_factory=list)
    # filled by the renderer: cell key ("part.row.col", or "extra.<i>.<n>" for the n-th cell of
    # extra row i) -> {"raw": text as printed, and where: line/char (TXT, MD), line/table/row/col
    # (DOCX, HTML), page (PDF, scan)}; written to the gold as ``provenance``
    where: dict = field(default_factory=dict)

    @property
    def ext(self) -> str:
        return {"scan": "pdf"}.get(self.kind, self.kind)

    @property
    def file(self) -> str:
        return f"{self.stem}.{self.ext}"

    @property
    def format(self) -> str:
        return "2021" if "2021" in (self.active_format, self.requests_format) else "2019"

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"


def specs() -> list[Spec]:
    """The fixture set: one Spec per document (cheap: no rendering)."""
    out = [
        Spec("hongze-2019", "docx", "淮安市洪泽区人民政府", 2019, ("江苏省", "淮安市", "洪泽区"), "2019", "2019", seed=101, scale=3,
             quirks={"wrap_labels": True, "procurement_text": ("100万", 1000000), "fullwidth_minus": "active.other_management_services.items_change",
                     "note_cell": ("active.normative_documents.made", 5, "（其中修订2件）"), "half_width_brackets": True,
                     "break": "appeals_review_total_zero"}),
        Spec("tiexi-edu-2021", "docx", "四平市铁西区教育局", 2021, ("吉林省", "四平市", "铁西区"), "2021", "2021", seed=202, scale=1,
             title_style="agency_above",
             quirks={"blank_zero_orgs": True, "na_column": "research_institution", "spaced_labels": True, "dunhao_numbering": True,
                     "extra_active_row": ("（六）", "行政确认", 15)}),
        Spec("guangdong-eep-2022", "pdf", "广东省生态环境厅", 2022, ("广东省", None, None), "2021", "2021", seed=303, scale=12,
             quirks={"thousands": True, "fee_text": "4068.208", "note_cell": ("active.normative_documents.issued", 22, "（其中修订16件）"),
                     "big_decisions": True},
             layout={"header_repeat": True, "footer": "- {} -", "overview_paragraphs": 9}),
        Spec("jingan-2020", "pdf", "上海市静安区人民政府", 2020, ("上海市", "上海市", "静安区"), "2019", "2019", seed=404, scale=6,
             quirks={"procurement_text": ("7.88万元", 78800), "typo": True, "new_added": True, "space_after_number": True,
                     "na_active": ["active.administrative_coercion.items_last_year", "active.administrative_coercion.items_change"]},
             layout={"header_repeat": False, "footer": "— {} —", "overview_paragraphs": 8, "split_rows": True, "nudge_pt": 40}),
        Spec("xihu-2019", "html", "杭州市西湖区人民政府", 2019, ("浙江省", "杭州市", "西湖区"), "2019", "2019", seed=505, scale=4,
             title_style="spaced",
             quirks={"blank_zeros_everywhere": True, "na_active": ["active.centralized_procurement.procurement_amount_yuan"],
                     "zero_procurement": True},
             layout={"site": True}),
        Spec("wuhou-finance-2021", "html", "成都市武侯区财政局", 2021, ("四川省", "成都市", "武侯区"), "2021", "2021", seed=606, scale=1,
             quirks={"fullwidth_parts": ["active", "appeals"], "missing_request_row": "withheld.administrative_query", "wrap_labels": True},
             layout={"encoding": "gbk", "split_active": True}),
        Spec("nanshan-housing-2023", "html", "深圳市南山区住房和建设局", 2023, ("广东省", "深圳市", "南山区"), "2021", "2021", seed=707, scale=5,
             layout={"traditional": True}),
        Spec("gulou-2021-scan", "scan", "南京市鼓楼区人民政府", 2021, ("江苏省", "南京市", "鼓楼区"), "2021", "2021", seed=808, scale=4,
             layout={"footer": "- {} -", "short": True}),
        Spec("shuyang-health-2023", "txt", "宿迁市沭阳县卫生健康委员会", 2023, ("江苏省", "宿迁市", "沭阳县"), "2021", "2019", seed=909, scale=3,
             quirks={"fee_text": "12.35", "extra_request_row": ("new_received", "其中：网上申请"), "break": "requests_total_plus2"}),
        Spec("chaoyang-2024", "md", "北京市朝阳区人民政府", 2024, ("北京市", "北京市", "朝阳区"), "2021", "2021", seed=1010, scale=8,
             quirks={"new_added": True, "half_width_brackets": True, "missing_active_row": "administrative_coercion", "fee_text": "0.5"}),
        # A centered title wrapped inside the agency's name: the whole name is the agency.
        Spec("yanta-edu-2021", "pdf", "西安市雁塔区教育局", 2021, ("陕西省", "西安市", "雁塔区"), "2021", "2021", seed=1111, scale=2,
             title_style="wrapped", layout={"footer": "- {} -", "title_break": 4, "overview_paragraphs": 2}),
        Spec("shouguang-agri-2021-scan", "scan", "寿光市农业农村局", 2021, ("山东省", "潍坊市", "寿光市"), "2021", "2021", seed=1212, scale=2,
             title_style="wrapped", layout={"footer": "- {} -", "short": True, "title_break": 4}),
        # Table 二 as one small table per 第二十条 item; a sub-table's header rows at the foot of a page, its rows on the next.
        Spec("yuelu-2022", "pdf", "长沙市岳麓区人民政府", 2022, ("湖南省", "长沙市", "岳麓区"), "2021", "2021", seed=1313, scale=5,
             layout={"footer": "- {} -", "split_active": True, "overview_paragraphs": 2, "nudge_active_pt": 178, "active_break": True}),
        # Amounts whose unit is named by the column header, not by the cell.
        Spec("gusu-2020", "docx", "苏州市姑苏区人民政府", 2020, ("江苏省", "苏州市", "姑苏区"), "2019", "2019", seed=1414, scale=3,
             quirks={"header_unit": {"metric": "procurement_amount_yuan", "unit": "万元"}}),
        Spec("yuzhong-finance-2022", "txt", "重庆市渝中区财政局", 2022, ("重庆市", "重庆市", "渝中区"), "2021", "2021", seed=1515, scale=2,
             quirks={"header_unit": {"metric": "fee_amount_10k_yuan", "unit": "元", "value": 0.35},
                     "drop_cell": "requests.unable.not_held.commercial_enterprise"}),
        # Table 三 repeats its header rows after the page break, which cuts a row's label.
        Spec("baiyun-2023", "pdf", "广州市白云区人民政府", 2023, ("广东省", "广州市", "白云区"), "2021", "2021", seed=1616, scale=6,
             layout={"header_repeat": True, "split_rows": True, "footer": "- {} -", "overview_paragraphs": 4, "nudge_pt": 33,
                     "cut_row": "not_processed.confirm_or_reissue"}),
        # A Traditional-character DOCX: agency in Simplified, agency_printed as printed.
        Spec("xiangzhou-2022", "docx", "珠海市香洲区人民政府", 2022, ("广东省", "珠海市", "香洲区"), "2021", "2021", seed=1717, scale=3,
             layout={"traditional": True}),
    ]
    return [build(s) for s in out]


ROW_WEIGHT = {
    "granted": 10, "partially_granted": 3, "withheld.state_secret": .2, "withheld.prohibited_by_law": .3,
    "withheld.three_securities_one_stability": .2, "withheld.third_party_rights": .6, "withheld.internal_affairs": .5,
    "withheld.process_information": 1, "withheld.law_enforcement_files": .5, "withheld.administrative_query": .8,
    "unable.not_held": 8, "unable.needs_creation": 1.5, "unable.unclear_after_correction": 1,
    "not_processed.petition_complaint": 2, "not_processed.duplicate": 1.5, "not_processed.publication": .3,
    "not_processed.excessive": .4, "not_processed.confirm_or_reissue": .5,
    "other": 3, "other.no_correction": 2, "other.unpaid_fee": .2, "other.other": 2,
}
COL_WEIGHT = {"natural_person": 1, "commercial_enterprise": .2, "research_institution": .03, "social_welfare_org": .03,
              "legal_service_org": .1, "other_org": .06}


def draw(rng: random.Random, mean: float) -> int:
    """A small count around ``mean`` (0 with probability e^-mean)."""
    if mean <= 0 or rng.random() < math.exp(-mean):
        return 0
    return max(1, round(rng.uniform(0.3, 1.7) * mean))


def gen_requests(rng: random.Random, fmt: str, scale: float, zero_cols: set, zero_rows: set) -> dict:
    req: dict[str, dict] = {}
    for key in result_keys(fmt):
        row = {}
        for c in APPLICANTS[:-1]:
            row[c] = 0 if (c in zero_cols or key in zero_rows) else draw(rng, ROW_WEIGHT[key] * COL_WEIGHT[c] * scale)
        req[key] = row
    total = {c: sum(req[k][c] for k in req) for c in APPLICANTS[:-1]}
    forward = {c: 0 if c in zero_cols else draw(rng, 0.6 * COL_WEIGHT[c] * scale) for c in APPLICANTS[:-1]}
    over = {c: 0 if c in zero_cols else min(draw(rng, 0.5 * COL_WEIGHT[c] * scale), total[c] + forward[c]) for c in APPLICANTS[:-1]}
    new = {c: total[c] + forward[c] - over[c] for c in APPLICANTS[:-1]}
    ordered = {"new_received": new, "carried_over": over, **req, "total": total, "carried_forward": forward}
    return {k: {**v, "total": sum(v.values())} for k, v in ordered.items()}


def gen_active(rng: random.Random, fmt: str, scale: float) -> dict:
    act: dict[str, dict] = {}
    if fmt == "2019":
        for key, base in (("regulations", 0.3), ("normative_documents", 3)):
            made = draw(rng, base * min(scale, 4))
            published = made - (rng.randint(0, 1) if made else 0)
            act[key] = {"made": made, "published": published, "total_published": published + rng.randint(0, int(20 * base))}
        for key, base in (("administrative_licensing", 40), ("other_management_services", 15), ("administrative_penalty", 25), ("administrative_coercion", 3)):
            last = rng.randint(0, int(base))
            act[key] = {"items_last_year": last, "items_change": rng.randint(-min(last, 5), 6), "decisions": draw(rng, base * 8 * scale)}
        last = rng.randint(0, 6)
        act["administrative_fees"] = {"items_last_year": last, "items_change": rng.randint(-min(last, 2), 1)}
        act["centralized_procurement"] = {"procurement_projects": rng.randint(1, 12), "procurement_amount_yuan": rng.randint(2, 900) * 1000}
    else:
        for key, base in (("regulations", 0.2), ("normative_documents", 4)):
            issued = draw(rng, base * min(scale, 4))
            repealed = draw(rng, base / 2)
            act[key] = {"issued": issued, "repealed": repealed, "in_force": issued + rng.randint(0, int(25 * base))}
        for key, base in (("administrative_licensing", 300), ("administrative_penalty", 120), ("administrative_coercion", 6)):
            act[key] = {"decisions": draw(rng, base * scale)}
        act["administrative_fees"] = {"fee_amount_10k_yuan": 0}
    return act


def gen_appeals(rng: random.Random, scale: float) -> dict:
    out = {}
    for group, base in (("review", 1.0), ("litigation_direct", 0.6), ("litigation_after_review", 0.3)):
        row = {"upheld": draw(rng, base * scale * 0.8), "corrected": draw(rng, base * 0.3), "other": draw(rng, base * 0.3),
               "pending": draw(rng, base * 0.5)}
        out[group] = {**row, "total": sum(row.values())}
    return out


def fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789-.,", "０１２３４５６７８９－．，"))


def build(spec: Spec) -> Spec:
    """Draw the values, apply the quirks; fill printed cells, labels, gold lists and notes."""
    rng = random.Random(spec.seed)
    q = spec.quirks
    zero_cols = {q["na_column"]} if "na_column" in q else set()
    zero_rows = {q["missing_request_row"]} if "missing_request_row" in q else set()
    spec.active = gen_active(rng, spec.active_format, spec.scale)
    spec.requests = gen_requests(rng, spec.requests_format, spec.scale, zero_cols, zero_rows)
    spec.appeals = gen_appeals(rng, spec.scale)
    notes = spec.notes
    notes.append(f"Generated by scripts/make_fixtures.py (seed {spec.seed}): {describe_kind(spec)}.")
    region = "/".join(x for x in spec.region if x)
    if spec.layout.get("traditional"):
        notes.append(f"Every character of the page is Traditional (OpenCC s2t): title '{opencc_s2t(spec.title)}' -> agency {spec.agency} (Simplified), "
                     f"agency_printed {opencc_s2t(spec.agency)} (as printed); region {region} (full official simplified names). Labels must be matched after Traditional->Simplified conversion.")
    elif spec.title_style == "agency_above":
        notes.append(f"Title on two lines: '{spec.agency}' / '{spec.year}年政府信息公开工作年度报告' -> agency {spec.agency}; region {region}.")
    elif spec.title_style == "wrapped":
        cut = spec.layout["title_break"]
        notes.append(f"Title wrapped inside the agency's name by a line break: '{spec.agency[:cut]}' / '{spec.agency[cut:]}{spec.year}年政府信息公开工作年度报告' "
                     f"-> agency {spec.agency} (the whole name, not '{spec.agency[cut:]}'); region {region}.")
    elif spec.title_style == "spaced":
        notes.append(f"Title printed with spaces around the year: '{spec.agency} {spec.year} 年政府信息公开工作年度报告' -> agency {spec.agency}; region {region}.")
    else:
        notes.append(f"Title '{spec.title}' -> agency {spec.agency}; region {region}.")
    fmt_note = f"表二 follows the {spec.active_format} template, 表三 the {spec.requests_format} template"
    if spec.active_format != spec.requests_format:
        fmt_note += " (mixed: 2021 columns in 表二 but the single 2019 '（六）其他处理' row in 表三) -> format 2021, mixed_format true, requests.other present, other.* absent"
    notes.append(fmt_note + ".")

    # --- quirks that change values (before totals are final) ---
    if q.get("big_decisions"):
        spec.active["administrative_licensing"]["decisions"] = 12345 + rng.randint(0, 5000)
        spec.active["administrative_penalty"]["decisions"] = 1000 + rng.randint(0, 900)
    if "note_cell" in q:
        path, value, note = q["note_cell"]
        _, row, col = split_path(path)
        spec.active[row][col] = value
        if col == "made":  # keep 新制作 ≥ 新公开 and the running total
            spec.active[row]["published"] = value
            spec.active[row]["total_published"] = max(spec.active[row]["total_published"], value + 7)
        if col == "issued":
            spec.active[row]["in_force"] = max(spec.active[row]["in_force"], value + 100)
        spec.printed[path] = f"{value}{note}"
        notes.append(f"{path} printed '{value}{note}': the note inside the cell is not a value -> {value}.")
    if "procurement_text" in q:
        text, value = q["procurement_text"]
        spec.active["centralized_procurement"]["procurement_amount_yuan"] = value
        spec.printed["active.centralized_procurement.procurement_amount_yuan"] = text
        notes.append(f"采购总金额 printed '{text}' -> procurement_amount_yuan {value} (元).")
    if "header_unit" in q:
        metric, unit = q["header_unit"]["metric"], q["header_unit"]["unit"]
        row = "centralized_procurement" if metric == "procurement_amount_yuan" else "administrative_fees"
        if "value" in q["header_unit"]:
            spec.active[row][metric] = q["header_unit"]["value"]
        value = spec.active[row][metric]  # in the metric's own unit (元, or 万元 for the fee)
        in_yuan = Decimal(str(value)) * (10_000 if metric.endswith("_10k_yuan") else 1)
        spec.printed[f"active.{row}.{metric}"] = format((in_yuan / {"万元": 10_000, "元": 1}[unit]).normalize(), "f")
        notes.append(f"表二 header names the unit: '{metric_header(spec, metric)}'; the cell prints '{spec.printed[f'active.{row}.{metric}']}' "
                     f"-> {metric} {_num(value)} (the metric's own unit); raw kept as printed.")
    if q.get("zero_procurement"):
        spec.active["centralized_procurement"]["procurement_projects"] = 0
    if "fee_text" in q:
        text = q["fee_text"]
        spec.active["administrative_fees"]["fee_amount_10k_yuan"] = float(text) if "." in text else int(text)
        spec.printed["active.administrative_fees.fee_amount_10k_yuan"] = text
        notes.append(f"本年收费金额（单位：万元） printed '{text}' -> fee_amount_10k_yuan {text} (万元, as printed).")
    if "fullwidth_minus" in q:
        path = q["fullwidth_minus"]
        _, row, col = split_path(path)
        spec.active[row]["items_last_year"] = max(spec.active[row]["items_last_year"], 20)
        spec.active[row][col] = -12
        spec.printed[path] = fullwidth("-12")
        notes.append(f"{path} printed with full-width digits and minus '{fullwidth('-12')}' -> -12.")
    if "na_active" in q:
        for path in q["na_active"]:
            _, row, col = split_path(path)
            spec.active[row][col] = 0
            spec.printed[path] = "—"
            spec.not_applicable.append(path)
        notes.append(f"'—' (not applicable) printed in {', '.join(q['na_active'])}: absent from gold, listed in not_applicable.")
    if "missing_active_row" in q:
        key = q["missing_active_row"]
        spec.missing.add(("active", key))
        notes.append(f"表二 row active.{key} is not printed at all: absent from gold (not 0).")
    if "missing_request_row" in q:
        key = q["missing_request_row"]
        spec.missing.add(("requests", key))
        notes.append(f"表三 row requests.{key} is not printed at all (the group label spans one row less): absent from gold (not 0).")
    if "na_column" in q:
        col = q["na_column"]
        for row in spec.requests:
            if ("requests", row) in spec.missing:
                continue
            spec.printed[f"requests.{row}.{col}"] = "/"
            spec.not_applicable.append(f"requests.{row}.{col}")
        notes.append(f"表三 column {col} printed '/' in every row (not applicable): those values are absent from gold and listed in not_applicable.")
    if q.get("blank_zero_orgs"):
        for row, cols in spec.requests.items():
            if row in ("new_received", "total"):
                continue
            for col in ("commercial_enterprise", "social_welfare_org", "legal_service_org", "other_org"):
                path = f"requests.{row}.{col}"
                if cols[col] == 0 and path not in spec.printed:
                    spec.printed[path] = ""
                    spec.blank.append(path)
        notes.append("表三 leaves zero cells of the 商业企业/社会公益组织/法律服务机构/其他 columns blank (except in 新收 and 总计 rows): gold 0, listed in blank_cells.")
    if q.get("blank_zeros_everywhere"):
        for part, table in (("requests", spec.requests), ("appeals", spec.appeals)):
            for row, cols in table.items():
                for col, value in cols.items():
                    path = f"{part}.{row}.{col}"
                    keep = part == "requests" and row in ("new_received", "carried_over", "total", "carried_forward") and col == "total"
                    if value == 0 and not keep and path not in spec.printed:
                        spec.printed[path] = ""
                        spec.blank.append(path)
        notes.append("表三 and 表四 leave zero cells blank (&nbsp;), except the 总计 column of 新收/上年结转/（七）总计/结转: every blank is 0 in gold and listed in blank_cells.")
    if "drop_cell" in q:
        path = q["drop_cell"]
        if spec.kind not in ("txt", "md"):
            raise ValueError(f"{spec.stem}: drop_cell is rendered only in TXT and MD")
        notes.append(f"表三 row {split_path(path)[1]} prints six cells for seven columns: {path} ({cell(spec, *split_path(path))}) is not printed, "
                     "the cells after it move left and the row has one cell fewer; gold keeps the value, which the row's own total gives (inferred).")
    if "extra_active_row" in q:
        item, label, value = q["extra_active_row"]
        spec.extra_rows.append({"part": "active", "item": item, "label": label, "cells": [str(value)]})
        notes.append(f"表二 prints an extra non-template row '{label} {value}' in 第二十条{item}项: kept by the parser under its own label, not in the gold tables.")
    if "extra_request_row" in q:
        after, label = q["extra_request_row"]
        cells = {c: spec.requests[after][c] * 2 // 3 for c in APPLICANTS[:-1]}
        cells["total"] = sum(cells.values())
        spec.extra_rows.append({"part": "requests", "after": after, "label": label, "cells": [str(cells[c]) for c in APPLICANTS]})
        notes.append(f"表三 prints an extra non-template row '{label}' ({' '.join(str(cells[c]) for c in APPLICANTS)}) after {after}: not in the gold tables.")

    # --- deliberate breaks: printed numbers that violate an identity ---
    brk = q.get("break")
    if brk == "appeals_review_total_zero":
        review = spec.appeals["review"]
        if review["total"] == 0:
            review["upheld"] = 3
        review["total"] = 0
        notes.append(f"DELIBERATE: 表四 行政复议 总计 printed 0 although 维持 {review['upheld']} + 纠正 {review['corrected']} + 其他 {review['other']} + 尚未审结 {review['pending']} > 0; kept as printed -> appeals_total fails for review.")
    elif brk == "requests_total_plus2":
        spec.requests["total"]["natural_person"] += 2
        spec.requests["total"]["total"] += 2
        notes.append("DELIBERATE: 表三 （七）总计 prints 自然人 and 总计 two more than the result rows add up to (the row itself is consistent); kept as printed -> requests_results_sum and requests_balance fail for natural_person and total.")
    elif brk:
        raise ValueError(f"unknown break {brk}")

    # --- label quirks ---
    if q.get("half_width_brackets"):
        notes.append("表三 labels use half-width brackets: (一)予以公开 … (七)总计.")
    if q.get("dunhao_numbering"):
        notes.append("表三 item numbers use '1、' instead of '1.'.")
    if q.get("spaced_labels"):
        spec.labels[("active", "administrative_licensing")] = "行 政 许 可"
        spec.labels[("active", "administrative_penalty")] = "行 政 处 罚"
        spec.labels[("requests", "granted")] = "（一）予 以 公 开"
        spec.labels[("requests", "total")] = "（七）总    计"
        notes.append("Spaces inside labels: '行 政 许 可', '行 政 处 罚', '（一）予 以 公 开', '（七）总    计'.")
    if q.get("space_after_number"):
        notes.append("表三 item labels have a space after the number: '1. 属于国家秘密'.")
    if q.get("typo"):
        spec.labels[("requests", "withheld.prohibited_by_law")] = "2.其他法律行政止公开"
        notes.append("Label typo '2.其他法律行政止公开' (for 其他法律行政法规禁止公开) -> withheld.prohibited_by_law.")
    if q.get("new_added"):
        spec.labels[("requests", "new_received")] = "一、本年新增政府信息公开申请数量"
        notes.append("表三 first row says 本年新增 for 本年新收 -> new_received.")
    if q.get("wrap_labels"):
        examples = "'（二）部分公开（区分处理的，/只计这一情形，不计其他情形）'" + (", '其他对外管理服务/事项'" if spec.active_format == "2019" else "")
        notes.append(f"Labels wrapped inside their cells with explicit line breaks ({examples}).")
    if q.get("thousands"):
        notes.append("Numbers of 1000 and more printed with thousands separators (12,345) -> plain numbers.")
    if "fullwidth_parts" in q:
        notes.append(f"Full-width digits (０１２) in every number of {' and '.join('表二' if p == 'active' else '表四' for p in q['fullwidth_parts'])}.")

    spec.expected_failures = identity_failures(gold_values(spec))
    if bool(brk) != bool(spec.expected_failures):
        raise AssertionError(f"{spec.stem}: identities {'hold despite' if brk else 'fail without'} a deliberate break: {spec.expected_failures}")
    return spec


def split_path(path: str) -> tuple[str, str, str]:
    part, rest = path.split(".", 1)
    row, col = rest.rsplit(".", 1)
    return part, row, col


def describe_kind(spec: Spec) -> str:
    lay = spec.layout
    if spec.kind == "docx":
        script = ", every character Traditional (OpenCC s2t)" if lay.get("traditional") else ""
        return f"a DOCX written with python-docx; merged cells are real gridSpan/vMerge merges{script}"
    if spec.kind == "pdf":
        if lay.get("header_repeat"):
            extra = "header rows repeated on the continuation page" + ("; rows may break across pages" if lay.get("split_rows") else "")
        else:
            extra = "no repeated header rows; rows may break across pages"
        if lay.get("split_active"):
            extra += "; 表二 as one table per 第二十条 item"
        return f"a PDF converted from a python-docx DOCX by LibreOffice (Noto CJK fonts), page numbers '{lay['footer'].format('n')}' in the footer, {extra}"
    if spec.kind == "scan":
        return "an image-only PDF: a LibreOffice PDF rendered by pdftoppm at 200 dpi (grey) and wrapped page by page into a PDF by Pillow; no text layer"
    if spec.kind == "html":
        if lay.get("encoding") == "gbk":
            return "an HTML page encoded GBK without any charset declaration; tables with rowspan/colspan; 表二 as one table per 第二十条 item"
        if lay.get("traditional"):
            return "an HTML page in Traditional characters (OpenCC s2t of the simplified text), UTF-8 declared; tables with rowspan/colspan"
        return ("an HTML page of a government site: navigation, breadcrumb, a sidebar linking other years' reports (titles with other years), "
                "the article inside a layout table whose rows hold the title, the metadata (发布日期/来源/浏览次数) and the content, so the report's "
                "tables are nested in a layout-table cell; tables with rowspan/colspan")
    if spec.kind == "txt":
        return "a plain-text file, table cells separated by tabs (merged cells leave empty cells)"
    return "a Markdown file with pipe tables (merged cells leave empty cells)"


# --------------------------------------------------------------------------------------------
# Gold
# --------------------------------------------------------------------------------------------


def gold_values(spec: Spec) -> dict:
    """{'active': …, 'requests': …, 'appeals': …} as gold: missing rows and n/a cells absent."""
    na = set(spec.not_applicable)
    out = {}
    for part, table in (("active", spec.active), ("requests", spec.requests), ("appeals", spec.appeals)):
        out[part] = {}
        for row, cols in table.items():
            if (part, row) in spec.missing:
                continue
            kept = {c: v for c, v in cols.items() if f"{part}.{row}.{c}" not in na}
            if kept:
                out[part][row] = kept
    return out


def provenance_of(spec: Spec) -> dict:
    """The generator's record of every printed cell of tables 二/三/四, in the shape of the
    parser's ``provenance``: {part: {row: {col: {raw, where}}}} (empty before rendering)."""
    out: dict = {"active": {}, "requests": {}, "appeals": {}}
    for key, where in spec.where.items():
        if not key.startswith("extra."):
            part, row, col = split_path(key)
            out[part].setdefault(row, {})[col] = where
    return out


def gold(spec: Spec) -> dict:
    values = gold_values(spec)
    return {
        "file": spec.file,
        "agency": spec.agency,  # Simplified, also for a Traditional page (facets, joins, search)
        "agency_printed": opencc_s2t(spec.agency) if spec.layout.get("traditional") else spec.agency,
        "year": spec.year,
        "format": spec.format,
        "mixed_format": spec.active_format != spec.requests_format,
        "region": dict(zip(("province", "city", "county"), spec.region)),
        **values,
        "blank_cells": sorted(spec.blank),
        "not_applicable": sorted(spec.not_applicable),
        "extra_rows": [{"part": e["part"], "label": e["label"], "cells": e["cells"], "provenance": [spec.where[f"extra.{i}.{n}"] for n in range(len(e["cells"]))]}
                       if spec.where else {"part": e["part"], "label": e["label"], "cells": e["cells"]} for i, e in enumerate(spec.extra_rows)],
        "provenance": provenance_of(spec),
        "notes": list(spec.notes),
        "expected_failures": spec.expected_failures,
    }


# --------------------------------------------------------------------------------------------
# Table model: rows of cells with spans (HTML-style: covered positions omitted)
# --------------------------------------------------------------------------------------------


@dataclass
class C:
    text: str
    cs: int = 1
    rs: int = 1
    head: bool = False
    label: bool = False  # a row label (left aligned)
    key: str | None = None  # a value cell's "part.row.col" ("extra.<i>.<n>" in an extra row)


@dataclass
class T:
    rows: list[list[C]]
    ncols: int
    widths: list[float]  # cm, for DOCX
    header_rows: int = 0
    name: str = ""


def grid(table: T) -> list[list[tuple[C | None, bool]]]:
    """Expand spans: every grid position -> (cell, is_origin); covered positions carry the cell."""
    out: list[list[tuple[C | None, bool] | None]] = [[None] * table.ncols for _ in table.rows]
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while c < table.ncols and out[r][c] is not None:
                c += 1
            if c >= table.ncols:
                raise ValueError(f"{table.name}: row {r} has more cells than {table.ncols} columns")
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    out[r + dr][c + dc] = (cell, dr == 0 and dc == 0)
            c += cell.cs
    for r, row in enumerate(out):
        if any(x is None for x in row):
            raise ValueError(f"{table.name}: row {r} does not fill {table.ncols} columns")
    return out  # type: ignore[return-value]


def number_text(spec: Spec, part: str, value) -> str:
    q = spec.quirks
    if isinstance(value, float):
        text = repr(value)
    elif q.get("thousands") and abs(value) >= 1000:
        text = f"{value:,}"
    else:
        text = str(value)
    if part in q.get("fullwidth_parts", ()):
        text = fullwidth(text)
    return text


def cell(spec: Spec, part: str, row: str, col: str) -> str:
    path = f"{part}.{row}.{col}"
    if path in spec.printed:
        return spec.printed[path]
    table = {"active": spec.active, "requests": spec.requests, "appeals": spec.appeals}[part]
    return number_text(spec, part, table[row][col])


def request_label(spec: Spec, key: str, text: str) -> str:
    text = spec.labels.get(("requests", key), text)
    q = spec.quirks
    if q.get("dunhao_numbering"):
        text = re.sub(r"^(\d)\.", r"\1、", text)
    if q.get("space_after_number"):
        text = re.sub(r"^(\d)\.", r"\1. ", text)
    if q.get("half_width_brackets"):
        text = text.replace("（", "(").replace("）", ")")
    if q.get("wrap_labels") and key == "partially_granted":
        text = text.replace("（区分处理的，", "（区分处理的，\n").replace("(区分处理的，", "(区分处理的，\n")
    return text


def group_label(spec: Spec, text: str) -> str:
    return text.replace("（", "(").replace("）", ")") if spec.quirks.get("half_width_brackets") else text


def active_tables(spec: Spec) -> list[T]:
    """Table 二 as its sub-tables 第二十条第（…）项 (one table, or one per item when split_active)."""
    sections = []
    for item, rows, metrics, headers in ACTIVE_TEMPLATE[spec.active_format]:
        body: list[list[C]] = [[C(f"第二十条第{item}项", cs=4, head=True)]]
        headers = [metric_header(spec, m) for m in metrics]
        if len(metrics) == 3:
            body.append([C("信息内容", head=True)] + [C(h, head=True) for h in headers])
        elif len(metrics) == 2:
            body.append([C("信息内容", head=True), C(headers[0], head=True), C(headers[1], cs=2, head=True)])
        else:
            body.append([C("信息内容", head=True), C(headers[0], cs=3, head=True)])
        for key, label in rows:
            if ("active", key) in spec.missing:
                continue
            label = spec.labels.get(("active", key), label)
            if spec.quirks.get("wrap_labels") and key == "other_management_services":
                label = "其他对外管理服务\n事项"
            cells = [cell(spec, "active", key, m) for m in metrics]
            body.append([C(label, label=True)] + _spread(cells, [f"active.{key}.{m}" for m in metrics]))
        for i, extra in enumerate(spec.extra_rows):
            if extra["part"] == "active" and extra["item"] == item:
                body.append([C(extra["label"], label=True)] + _spread(extra["cells"], [f"extra.{i}.{n}" for n in range(len(extra["cells"]))]))
        sections.append(body)
    widths = [4.0, 3.8, 3.8, 3.8]
    if spec.layout.get("split_active"):
        return [T(body, 4, widths, name=f"active{n}") for n, body in enumerate(sections)]
    return [T([r for body in sections for r in body], 4, widths, name="active")]


def metric_header(spec: Spec, metric: str) -> str:
    """A column header of table 二 as printed: the template's, with the unit a quirk names."""
    headers = {m: h for _, _, metrics, hs in ACTIVE_TEMPLATE[spec.active_format] for m, h in zip(metrics, hs)}
    header = headers[metric]
    named = spec.quirks.get("header_unit", {})
    if named.get("metric") == metric:
        header = re.sub(r"（单位：.*?）", "", header) + (f"（单位：{named['unit']}）" if "单位" in header else f"（{named['unit']}）")
    return header


def _spread(cells: list[str], keys: list[str]) -> list[C]:
    if len(cells) == 3:
        return [C(t, key=k) for t, k in zip(cells, keys)]
    if len(cells) == 2:
        return [C(cells[0], key=keys[0]), C(cells[1], cs=2, key=keys[1])]
    return [C(cells[0], cs=3, key=keys[0])]


def requests_table(spec: Spec) -> T:
    fmt = spec.requests_format
    printed = [(k, g, t) for k, g, t in request_rows(fmt) if ("requests", k) not in spec.missing]
    header = [
        [C(BALANCE_NOTE, cs=3, rs=3, head=True), C("申请人情况", cs=7, head=True)],
        [C("自然人", rs=2, head=True), C("法人或其他组织", cs=5, head=True), C("总计", rs=2, head=True)],
        [C(t, head=True) for t in ORG_LABELS],
    ]
    rows: list[list[C]] = []
    result_rows = [k for k, _, _ in printed if k in result_keys(fmt) or k == "total"]
    group_sizes: dict[str, int] = {}
    for _, g, _ in printed:
        if g:
            group_sizes[g] = group_sizes.get(g, 0) + 1
    started: set[str] = set()
    for key, group, text in printed:
        values = [C(cell(spec, "requests", key, c), key=f"requests.{key}.{c}") for c in APPLICANTS]
        label = request_label(spec, key, text)
        if key in TOP_LABELS:
            row = [C(label, cs=3, label=True)]
        else:
            row = []
            if key == result_rows[0]:
                row.append(C(RESULTS_LABEL, rs=len(result_rows), label=True))
            if group is None:
                row.append(C(label, cs=2, label=True))
            else:
                if group not in started:
                    started.add(group)
                    row.append(C(group_label(spec, group), rs=group_sizes[group], label=True))
                row.append(C(label, label=True))
        rows.append(row + values)
        for i, extra in enumerate(spec.extra_rows):
            if extra["part"] == "requests" and extra["after"] == key:
                rows.append([C(extra["label"], cs=3, label=True)] + [C(t, key=f"extra.{i}.{n}") for n, t in enumerate(extra["cells"])])
    widths = [1.3, 1.7, 4.2] + [1.22] * 7
    return T(header + rows, 10, widths, header_rows=3, name="requests")


def appeals_table(spec: Spec) -> T:
    header = [
        [C("行政复议", cs=5, head=True), C("行政诉讼", cs=10, head=True)],
        [C(t, rs=2, head=True) for t in OUTCOME_LABELS] + [C("未经复议直接起诉", cs=5, head=True), C("复议后起诉", cs=5, head=True)],
        [C(t, head=True) for t in OUTCOME_LABELS * 2],
    ]
    values = [C(cell(spec, "appeals", g, o), key=f"appeals.{g}.{o}") for g in GROUPS for o in OUTCOMES]
    return T(header + [values], 15, [1.05] * 15, header_rows=3, name="appeals")


# --------------------------------------------------------------------------------------------
# Narrative: the six parts, as a list of blocks
# --------------------------------------------------------------------------------------------

OVERVIEW_TOPICS = [
    ("（一）主动公开情况", [
        "{year}年，{short}坚持以公开为常态、不公开为例外，围绕中心工作和群众关切，持续深化政务公开，全年通过门户网站主动公开政府信息{published}条。",
        "其中政策文件{a}条、工作动态{b}条、人事信息{c}条、财政资金信息{d}条，发布政策解读材料{e}篇，通过新闻发布会、政务新媒体等渠道回应社会关切{f}次。",
        "围绕“放管服”改革、优化营商环境、乡村振兴等重点领域，细化公开内容，确保法定主动公开内容应公开尽公开。",
        "严格落实重大行政决策预公开制度，对涉及群众切身利益的决策事项，通过征集意见、听证座谈等方式广泛听取公众意见。",
    ]),
    ("（二）依申请公开情况", [
        "全年共收到政府信息公开申请{new}件，上年结转{over}件，均在法定期限内办理答复，办结{done}件，结转下年度继续办理{forward}件。",
        "进一步规范依申请公开办理流程，严格落实登记、审核、办理、答复、归档等环节要求，答复文书做到格式规范、依据充分、告知明确。",
        "对申请内容不明确的，及时一次性告知申请人补正，并主动与申请人沟通，帮助其准确描述所需信息。",
    ]),
    ("（三）政府信息管理情况", [
        "严格执行政府信息公开保密审查制度，坚持“先审查、后公开”和“一事一审”原则，全年未发生泄密事件。",
        "持续开展规范性文件清理工作，对不符合法律法规或者不适应经济社会发展要求的文件及时予以废止或修改，并向社会公布清理结果。",
        "动态更新政府信息公开指南和政府信息公开目录，确保公开指南内容准确、目录分类清晰。",
    ]),
    ("（四）政府信息公开平台建设情况", [
        "不断优化政府信息公开专栏设置，完善法定主动公开内容栏目，提升栏目信息的规范性和实用性。",
        "加强政务新媒体管理，全年通过官方微信公众号发布信息{g}条，政务微博发布信息{h}条，进一步拓宽公开渠道。",
        "推进政务服务事项办事指南标准化，在政务服务网同步公开事项名称、设定依据、办理条件和办理流程。",
    ]),
    ("（五）监督保障情况", [
        "将政务公开工作纳入年度绩效考核，明确分管领导和工作人员职责，组织政务公开业务培训{i}次，参训{j}人次。",
        "主动接受社会评议和第三方评估，对发现的问题建立台账、逐项整改，全年未发生因政府信息公开工作引发的责任追究情况。",
    ]),
]
FILLER = [
    "坚持把政务公开作为建设法治政府、服务型政府的重要抓手，加强组织领导，健全工作机制，推动政务公开工作制度化、标准化、规范化。",
    "聚焦群众办事难点堵点，梳理高频事项办事指南，推动政策文件与解读材料同步起草、同步审签、同步发布。",
    "围绕年度重点工作任务，及时公开工作进展和落实成效，主动回应社会关切，增强政策透明度和公信力。",
    "加强政府信息公开工作人员业务能力建设，通过集中培训、以会代训、案例研讨等方式，提升依法公开水平。",
    "完善政府网站信息发布审核流程，实行信息采集、编辑、审核、发布分级负责，确保发布信息准确、权威、及时。",
    "持续推进基层政务公开标准化规范化建设，完善事项目录，细化公开标准，打通政务公开“最后一公里”。",
    "对照上级政务公开工作要点，逐项分解任务、明确责任单位和完成时限，定期调度推进情况，确保各项任务落到实处。",
    "统筹推进政策解读工作，综合运用图表图解、音视频、问答等形式，增强解读的针对性、可读性。",
    "严格落实政府信息发布协调机制，对涉及其他行政机关的政府信息，在公开前进行沟通、确认，保证公开的政府信息准确一致。",
    "畅通政民互动渠道，依托政务服务热线和在线咨询平台，及时受理群众诉求，做到件件有回复、事事有着落。",
]
PROBLEMS = [
    "（一）存在的主要问题。一是政策解读形式较为单一，图解、视频等多样化解读比例不高；二是部分栏目信息更新不够及时；三是依申请公开答复的规范化水平仍需提升。",
    "（二）改进情况。一是丰富政策解读形式，提高解读质量；二是建立栏目更新提醒机制，确保信息及时更新；三是加强业务培训，提升答复文书规范化水平。",
]
OTHER_PARAS = [
    "依据《政府信息公开信息处理费管理办法》，本年度未收取信息处理费。",
    "本机关{year}年度人大代表建议和政协提案办理结果已按要求公开，政务公开工作要点各项任务均已落实。",
]


def narrative_numbers(spec: Spec, rng: random.Random) -> dict:
    req = spec.requests
    published = rng.randint(150, 900) * (3 if spec.scale > 5 else 1)
    a = published // 5
    b = published // 2
    c = published // 10
    return {
        "year": spec.year, "short": spec.agency, "published": published, "a": a, "b": b, "c": c, "d": published - a - b - c,
        "e": rng.randint(5, 40), "f": rng.randint(2, 20), "g": rng.randint(50, 600), "h": rng.randint(20, 300),
        "i": rng.randint(2, 8), "j": rng.randint(30, 300),
        "new": req["new_received"]["total"], "over": req["carried_over"]["total"], "done": req["total"]["total"],
        "forward": req["carried_forward"]["total"],
    }


def blocks(spec: Spec) -> list[tuple[str, object]]:
    """The document as (kind, content) blocks: title, para, heading, table, sign."""
    rng = random.Random(spec.seed * 7 + 1)
    nums = narrative_numbers(spec, rng)
    doc_no = "国办公开办函〔2021〕30号" if spec.format == "2021" else "国办公开办函〔2019〕60号"
    out: list[tuple[str, object]] = []
    if spec.title_style == "agency_above":
        out += [("title", spec.agency), ("title", f"{spec.year}年政府信息公开工作年度报告")]
    elif spec.title_style == "spaced":
        out.append(("title", f"{spec.agency} {spec.year} 年政府信息公开工作年度报告"))
    elif spec.title_style == "wrapped":
        cut = spec.layout["title_break"]
        out.append(("title", f"{spec.agency[:cut]}\n{spec.agency[cut:]}{spec.year}年政府信息公开工作年度报告"))
    else:
        out.append(("title", spec.title))
    out.append(("para", f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（{doc_no}）要求编制。"
                        f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
                        f"本报告所列数据的统计期限自{spec.year}年1月1日起至{spec.year}年12月31日止。如对本报告有疑问，请与{spec.agency}办公室联系。"))
    out.append(("heading", SECTION_HEADINGS["overview"]))
    short = spec.layout.get("short")
    extra = spec.layout.get("overview_paragraphs", 0)
    fillers = FILLER[:]
    rng.shuffle(fillers)
    for n, (sub, sentences) in enumerate(OVERVIEW_TOPICS):
        if short and n > 1:
            break
        out.append(("para", sub))
        chosen = sentences[:2] if short else sentences
        out.append(("para", "".join(s.format(**nums) for s in chosen)))
        for _ in range(extra // len(OVERVIEW_TOPICS) + (1 if n < extra % len(OVERVIEW_TOPICS) else 0)):
            out.append(("para", fillers.pop() if fillers else FILLER[n]))
    out.append(("heading", SECTION_HEADINGS["active"]))
    for t in active_tables(spec):
        out.append(("table", t))
    out.append(("heading", SECTION_HEADINGS["requests"]))
    out.append(("table", requests_table(spec)))
    out.append(("heading", SECTION_HEADINGS["appeals"]))
    out.append(("table", appeals_table(spec)))
    out.append(("heading", SECTION_HEADINGS["problems"]))
    out += [("para", p) for p in (PROBLEMS[:1] if short else PROBLEMS)]
    out.append(("heading", SECTION_HEADINGS["other"]))
    out += [("para", p.format(**nums)) for p in (OTHER_PARAS[:1] if short else OTHER_PARAS)]
    out.append(("sign", spec.agency))
    out.append(("sign", f"{spec.year + 1}年1月{10 + spec.seed % 18}日"))
    return out


# --------------------------------------------------------------------------------------------
# Renderers
# --------------------------------------------------------------------------------------------


def render_text(spec: Spec, markdown: bool) -> str:
    lines: list[str] = []
    for kind, content in blocks(spec):
        if kind == "table":
            lines.append("")
            g = grid(content)
            dropped = spec.quirks.get("drop_cell")
            for r, row in enumerate(g):
                texts = [(cell_.text.replace("\n", "") if origin else "") for cell_, origin in row]
                keys = [cell_.key if origin else None for cell_, origin in row]
                if dropped and dropped in keys:  # the cells after it move left; the row has one cell fewer
                    at = keys.index(dropped)
                    first = next(n for n, k in enumerate(keys) if k)
                    char = sum(len(t) + (3 if markdown else 1) for t in texts[:first]) + (2 if markdown else 1)
                    # the parser reports an inferred cell at its row's first value cell
                    spec.where[dropped] = {"raw": None, "line": len(lines) + 1, "char": char, "inferred": True}
                    texts, keys = texts[:at] + texts[at + 1:], keys[:at] + keys[at + 1:]
                # where each cell starts: after "| " … " | " in Markdown (the cell is " text "), after a tab in TXT
                char = 1 if markdown else 0
                for key, text in zip(keys, texts):
                    if key:
                        spec.where[key] = {"raw": text, "line": len(lines) + 1, "char": char + 1}
                    char += len(text) + (3 if markdown else 1)
                if markdown:
                    lines.append("| " + " | ".join(texts) + " |")
                    if r == 0:
                        lines.append("|" + "---|" * len(texts))
                else:
                    lines.append("\t".join(texts))
            lines.append("")
        elif kind == "heading":
            lines += ["", ("## " if markdown else "") + content, ""]
        elif kind == "title":
            lines.append(("# " if markdown else "") + content)
        else:
            lines.append(content)
    return "\n".join(lines) + "\n"


def html_table(table: T, blank_as_nbsp: bool = True, keyed: dict | None = None) -> str:
    """The table as HTML, one <td> a line; ``keyed`` receives, for every keyed cell, its
    (row, column) in the grid, 1-based, and its line within the returned text, 1-based."""
    origins = {id(cell_): (r + 1, c + 1) for r, row in enumerate(grid(table)) for c, (cell_, origin) in enumerate(row) if origin}
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%">', "<tbody>"]
    for row in table.rows:
        out.append("<tr>")
        for c in row:
            attrs = ""
            if c.rs > 1:
                attrs += f' rowspan="{c.rs}"'
            if c.cs > 1:
                attrs += f' colspan="{c.cs}"'
            text = "<br/>".join(html.escape(line) for line in c.text.split("\n")) if c.text.strip() else ("&nbsp;" if blank_as_nbsp else "")
            align = "left" if c.label else "center"
            if c.head:
                text = f"<strong>{text}</strong>"
            if keyed is not None and c.key:
                keyed[c.key] = (*origins[id(c)], len(out) + 1)
            out.append(f'<td{attrs} valign="middle"><p style="text-align:{align}"><span style="font-size:10.5pt">{text}</span></p></td>')
        out.append("</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def render_html(spec: Spec) -> bytes:
    lay = spec.layout
    parts = []
    title = ""
    tables: list[tuple[str, dict, T]] = []  # (HTML, keyed cells, table) of each data table
    for kind, content in blocks(spec):
        if kind == "title":
            title += content
            parts.append(f'<p style="text-align:center"><strong><span style="font-size:22px">{html.escape(content)}</span></strong></p>' if lay.get("site") is None else "")
        elif kind == "heading":
            parts.append(f'<p style="text-indent:2em"><strong>{html.escape(content)}</strong></p>')
        elif kind == "table":
            keyed: dict = {}
            parts.append(html_table(content, keyed=keyed))
            tables.append((parts[-1], keyed, content))
        elif kind == "sign":
            parts.append(f'<p style="text-align:right">{html.escape(content)}</p>')
        else:
            parts.append(f'<p style="text-indent:2em">{html.escape(content)}</p>')
    body = "\n".join(p for p in parts if p)
    if lay.get("site"):
        page = site_page(spec, title, body)
    elif lay.get("encoding") == "gbk":
        page = (f"<html>\n<head>\n<title>{html.escape(title)}</title>\n</head>\n<body>\n<div class=\"TRS_Editor\">\n{body}\n</div>\n"
                f"<div class=\"foot\">{html.escape(spec.agency)} 版权所有</div>\n</body>\n</html>\n")
    else:
        page = (f'<!DOCTYPE html>\n<html lang="zh-Hant">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n</head>\n<body>\n'
                f'<div class="article">\n{body}\n</div>\n</body>\n</html>\n')
    # Where each keyed cell is: the n-th data table of the page (the page's layout table around
    # the article holds tables, so it is not one), the cell's grid row and column, its <td>'s line.
    start = 0
    for n, (text, keyed, table) in enumerate(tables, start=1):
        start = page.index(text, start)
        first_line = page.count("\n", 0, start) + 1
        texts = {c.key: c.text for row in table.rows for c in row if c.key}
        for key, (r, c, line) in keyed.items():
            raw = opencc_s2t(texts[key]) if lay.get("traditional") else texts[key]
            spec.where[key] = {"raw": raw.strip(), "line": first_line + line - 1, "table": n, "row": r, "col": c}
        start += len(text)
    if lay.get("traditional"):
        page = opencc_s2t(page)
    return page.encode("gbk" if lay.get("encoding") == "gbk" else "utf-8")


def site_page(spec: Spec, title: str, body: str) -> str:
    site = spec.agency.replace("人民政府", "") + "人民政府门户网站"
    others = [y for y in (spec.year + 1, spec.year - 1, spec.year - 2, spec.year - 3)]
    links = "\n".join(f'<li><a href="/art/{y}/1/20/art_1229{y}.html" title="{spec.agency}{y}年政府信息公开工作年度报告">{spec.agency}{y}年政府信息公开工作年度报告</a></li>' for y in others)
    short_title = spec.title
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{html.escape(short_title)}_{html.escape(site)}</title>
<meta name="ArticleTitle" content="{html.escape(short_title)}">
<meta name="PubDate" content="{spec.year + 1}-01-2{spec.seed % 9}">
</head>
<body>
<div class="header"><div class="logo">{html.escape(site)}</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/zjxh/">走进{html.escape(spec.region[2] or '')}</a></li></ul>
</div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; <a href="/zwgk/ndbg/">政府信息公开年报</a></div>
<div class="main">
<div class="sidebar">
<h3>政府信息公开年报</h3>
<ul>
{links}
</ul>
<h3>热点专题</h3>
<ul><li><a href="/zt/yshj/">优化营商环境</a></li><li><a href="/zt/xczx/">乡村振兴</a></li></ul>
</div>
<div class="article">
<table class="article-frame" width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td colspan="4" align="center"><h1 class="title">{html.escape(title)}</h1></td></tr>
<tr class="meta"><td>发布日期：{spec.year + 1}-01-2{spec.seed % 9}</td><td>来源：{html.escape(spec.agency)}办公室</td><td>浏览次数：<span id="views">1386</span></td><td>字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a></td></tr>
<tr><td colspan="4" class="content" id="zoom">
{body}
</td></tr>
</table>
<div class="attach">附件：<a href="/attach/{spec.year}ndbg.pdf">{html.escape(short_title)}.pdf</a></div>
<div class="related"><p>上一篇：<a href="/art/{spec.year - 1}/1/20/art_1229{spec.year - 1}.html">{spec.agency}{spec.year - 1}年政府信息公开工作年度报告</a></p>
<p>下一篇：<a href="/art/{spec.year}/3/2/art_1230.html">关于{spec.year + 1}年政务公开工作要点的通知</a></p></div>
</div>
</div>
<div class="footer"><p>主办单位：{html.escape(spec.agency)}办公室　网站标识码：{3301000000 + spec.seed}　ICP备案号：浙ICP备05011234号</p><p>地址：{html.escape(spec.region[1] or '')}{html.escape(spec.region[2] or '')}政务服务中心　联系电话：0571-8888{spec.seed % 10000:04d}</p></div>
</body>
</html>
"""


_OPENCC = None


def opencc_s2t(text: str) -> str:
    global _OPENCC
    if _OPENCC is None:
        import opencc

        _OPENCC = opencc.OpenCC("s2t")
    return _OPENCC.convert(text)


# --- DOCX ------------------------------------------------------------------------------------


def traditional_block(content):
    """A block's text (or a table's cells) in Traditional characters."""
    if isinstance(content, str):
        return opencc_s2t(content)
    rows = [[C(opencc_s2t(c.text), c.cs, c.rs, c.head, c.label, c.key) for c in row] for row in content.rows]
    return T(rows, content.ncols, content.widths, content.header_rows, content.name)


def render_docx(spec: Spec, path: Path) -> None:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    lay = spec.layout
    short = lay.get("short")
    body_size = Pt(12 if short else 16)
    table_size = Pt(9 if short else 10)
    doc = Document()
    props = doc.core_properties
    props.author = f"{spec.agency}办公室"
    props.title = spec.title
    props.created = props.modified = props.last_printed = PINNED_DATE
    props.last_modified_by = "ogi-reports fixtures"
    props.revision = 1

    normal = doc.styles["Normal"]
    normal.font.name = SERIF
    normal.font.size = body_size
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SERIF)

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)

    def font(run, name=SERIF, size=None, bold=None):
        run.font.name = name
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
        if size is not None:
            run.font.size = size
        if bold is not None:
            run.bold = bold

    def write_lines(paragraph, text, **kw):
        for n, line in enumerate(text.split("\n")):
            run = paragraph.add_run(line)
            font(run, **kw)
            if n < len(text.split("\n")) - 1:
                run.add_break()

    if lay.get("footer"):
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        before, after = lay["footer"].split("{}")
        font(footer.add_run(before), SERIF, Pt(12))
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), " PAGE ")
        run = footer.add_run("1")
        font(run, SERIF, Pt(12))
        footer._p.remove(run._r)
        fld.append(run._r)
        footer._p.append(fld)
        font(footer.add_run(after), SERIF, Pt(12))

    block = tables = 0  # the body's block items (paragraphs and tables) and its tables, as written
    for kind, content in blocks(spec):
        block += 1
        if lay.get("traditional"):
            content = traditional_block(content)
        if kind == "title":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            write_lines(p, content, size=Pt(18 if short else 22), bold=True)
        elif kind == "heading":
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            if content == SECTION_HEADINGS["requests"] and lay.get("nudge_pt"):
                p.paragraph_format.space_before = Pt(lay["nudge_pt"])  # moves table 三 against the page break
            if content == SECTION_HEADINGS["active"] and lay.get("nudge_active_pt"):
                p.paragraph_format.space_before = Pt(lay["nudge_active_pt"])  # moves table 二 against the page break
            write_lines(p, content, name=SANS, bold=True)
        elif kind == "sign":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            write_lines(p, content)
        elif kind == "para":
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            p.paragraph_format.line_spacing = 1.25
            write_lines(p, content)
        else:
            table: T = content
            g = grid(table)
            t = doc.add_table(rows=len(table.rows), cols=table.ncols)
            t.style = "Table Grid"
            t.alignment = WD_TABLE_ALIGNMENT.CENTER
            t.autofit = False
            for gc, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), table.widths):
                gc.set(qn("w:w"), str(int(w * 567)))
            origins = []
            for r, row in enumerate(g):
                for c, (cell_, origin) in enumerate(row):
                    if origin:
                        origins.append((r, c, cell_))
            for r, c, cell_ in origins:
                if cell_.rs > 1 or cell_.cs > 1:
                    t.cell(r, c).merge(t.cell(r + cell_.rs - 1, c + cell_.cs - 1))
            tables += 1
            for r, c, cell_ in origins:
                if cell_.key:
                    spec.where[cell_.key] = {"raw": cell_.text, "line": block, "table": tables, "row": r + 1, "col": c + 1}
            for r, c, cell_ in origins:
                target = t.cell(r, c)
                target.width = Cm(sum(table.widths[c: c + cell_.cs]))
                target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                p = target.paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT if cell_.label else WD_ALIGN_PARAGRAPH.CENTER
                p.paragraph_format.first_line_indent = Pt(0)
                p.paragraph_format.space_after = Pt(0)
                if cell_.text:
                    write_lines(p, cell_.text, name=SANS, size=table_size, bold=cell_.head or None)
            for r, row in enumerate(t.rows):
                trPr = row._tr.get_or_add_trPr()
                if r < table.header_rows and lay.get("header_repeat"):
                    el = OxmlElement("w:tblHeader")
                    el.set(qn("w:val"), "true")
                    trPr.append(el)
                # Rows may break across pages when split_rows says so (a repeated header alone keeps rows whole).
                if not lay.get("split_rows", not lay.get("header_repeat")):
                    el = OxmlElement("w:cantSplit")
                    el.set(qn("w:val"), "true")
                    trPr.append(el)
            doc.add_paragraph()
            block += 1
    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(pinned_zip(buffer.getvalue()))


def pinned_zip(data: bytes) -> bytes:
    """The same ZIP with fixed member timestamps, so the DOCX bytes are reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=PINNED_ZIP_TIME)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = 0o644 << 16
            dst.writestr(pinned, src.read(info.filename))
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("LibreOffice (soffice) not found: install libreoffice-writer-nogui (scripts/setup does)")


def docx_to_pdf(docx_files: list[Path], outdir: Path, workdir: Path) -> None:
    """Convert with a private LibreOffice profile (parallel runs must not share one)."""
    profile = workdir / "lo-profile"
    cmd = [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo", "--nodefault",
           "--convert-to", "pdf", "--outdir", str(outdir), *map(str, docx_files)]
    env = {**os.environ, "HOME": str(workdir), "TZ": "UTC", "SAL_USE_VCLPLUGIN": "svp"}
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    missing = [p for p in docx_files if not (outdir / (p.stem + ".pdf")).is_file()]
    if result.returncode != 0 or missing:
        raise RuntimeError(f"soffice failed (exit {result.returncode}) for {[p.name for p in missing]}: {result.stderr.strip()[-800:]}")


def pin_pdf(path: Path) -> None:
    """Replace the creation/modification dates, the file ID and LibreOffice's DocChecksum (it
    hashes the date) by fixed values of the same length, so the cross-reference offsets stay
    valid and the PDF bytes become reproducible."""
    data = path.read_bytes()

    def date(m: re.Match) -> bytes:
        inner = m.group(2)
        fixed = b"D:20240115090000"
        return m.group(1) + (fixed + inner[len(fixed):] if len(inner) >= len(fixed) else inner) + b")"

    data = re.sub(rb"(/(?:CreationDate|ModDate)\s*\()(D:[^)]*)\)", date, data)
    data = re.sub(rb"/ID\s*\[\s*<[0-9A-Fa-f]+>\s*<[0-9A-Fa-f]+>\s*\]", lambda m: re.sub(rb"[0-9A-Fa-f]", b"0", m.group()[3:]).join([b"/ID", b""]), data)
    data = re.sub(rb"/DocChecksum\s*/[0-9A-Fa-f]+", lambda m: re.sub(rb"[0-9A-Fa-f]", b"0", m.group()[12:]).join([b"/DocChecksum", b""]), data)
    path.write_bytes(data)


def pdf_page_texts(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def pdf_layout_notes(spec: Spec, path: Path) -> list[str]:
    """Where table 三 falls in the PDF, read back from the PDF itself (for the gold notes)."""
    pages = [re.sub(r"\s+", "", t) for t in pdf_page_texts(path)]
    first = next((i for i, t in enumerate(pages) if "申请人情况" in t), None)
    last = next((i for i, t in enumerate(pages) if first is not None and i >= first and "四、结转下年度继续办理" in t), None)
    notes = [f"The PDF has {len(pages)} pages; page numbers are printed in the footer as '{spec.layout['footer'].format('n')}'."]
    if first is None or last is None:
        return notes + ["表三 header or last row not found in the PDF text (check the generator)."]
    if first == last:
        notes.append(f"表三 fits on page {first + 1} (not split).")
        return notes
    heads = sum("申请人情况" in t for t in pages[first: last + 1])
    labels = [request_label(spec, k, t) for k, _, t in request_rows(spec.requests_format) if ("requests", k) not in spec.missing]
    on_next = pages[first + 1]
    firsts = [lab for lab in labels if re.sub(r"\s+", "", lab)[:8] in on_next]
    split = f"表三 starts on page {first + 1} and continues on page {last + 1}"
    if heads > 1:
        split += "; its three header rows are repeated at the top of the continuation"
    else:
        split += "; the continuation has no header rows"
    if spec.layout.get("active_break"):
        notes.append(active_break_note(spec, path) or "表二 header/rows page break not found in the PDF (check the generator).")
    cut = row_cut_note(spec, path)
    if cut:
        split += "; " + cut
    elif firsts:
        split += f"; the first row label on the continuation is '{firsts[0].replace(chr(10), '')}'"
    notes.append(split + ".")
    return notes


def row_cut_note(spec: Spec, path: Path) -> str | None:
    """If a row of table 三 is cut by the page break (its label split over two pages), say which:
    read from pdfplumber's ruled tables, the last row of one page and the first row of the next
    (after the header rows the table repeats there) each hold one part of the row's label."""
    import pdfplumber

    squash = lambda text: re.sub(r"\s+", "", text or "")  # noqa: E731
    labels = [(k, squash(request_label(spec, k, t))) for k, _, t in request_rows(spec.requests_format) if ("requests", k) not in spec.missing]
    with pdfplumber.open(str(path)) as pdf:
        pages = [[[[squash(c) for c in row] for row in table] for table in page.extract_tables()] for page in pdf.pages]
    for i in range(len(pages) - 1):
        if not pages[i] or not pages[i + 1]:
            continue
        upper_table, lower_table = pages[i][-1], pages[i + 1][0]
        repeated = 0
        while repeated < min(len(lower_table), len(upper_table) - 1) and lower_table[repeated] == upper_table[repeated]:
            repeated += 1
        if repeated >= len(lower_table):
            continue
        upper, lower = upper_table[-1], lower_table[repeated]
        for key, label in labels:
            for head in (c for c in upper if c):
                for tail in (c for c in lower if c):
                    if head + tail == label:
                        after = f" (after the {repeated} header rows repeated there)" if repeated else ""
                        return (f"the row requests.{key} is cut by the page break: its label starts on page {i + 1} ('{head}') "
                                f"and ends on page {i + 2}{after} ('{tail}'), its cells go with one half or the other")
    return None


def active_break_note(spec: Spec, path: Path) -> str | None:
    """If a sub-table of table 二 has its header rows at the foot of one page and its rows on
    the next (read from pdfplumber's ruled tables), say which."""
    import pdfplumber

    squash = lambda text: re.sub(r"\s+", "", text or "")  # noqa: E731
    items = {squash(label): item for item, rows, _, _ in ACTIVE_TEMPLATE[spec.active_format] for _, label in rows}
    with pdfplumber.open(str(path)) as pdf:
        pages = [[[[squash(c) for c in row] for row in table] for table in page.extract_tables()] for page in pdf.pages]
    for i in range(len(pages) - 1):
        if not pages[i] or not pages[i + 1]:
            continue
        upper, lower = pages[i][-1][-1], pages[i + 1][0][0]
        if lower[0] in items and (upper[0] == "信息内容" or upper[0].startswith("第二十条")):
            return (f"表二's sub-table 第二十条第{items[lower[0]]}项 has its header rows at the foot of page {i + 1} "
                    f"(last row: '{' '.join(c for c in upper if c)}') and its rows on page {i + 2} (first row: '{' '.join(c for c in lower if c)}')")
    return None


def record_pages(spec: Spec, path: Path) -> None:
    """The page of every keyed cell, read back from the PDF LibreOffice rendered (pdfplumber's
    ruled tables, not the parser): the text of every table cell the generator printed, in
    document order, is aligned with the text of the PDF's table cells, page by page (a longest
    common subsequence: repeated header rows and the halves of a label cut by a page break stay
    unmatched). A blank cell takes the page of the other cells of its row."""
    import pdfplumber

    squash = lambda text: re.sub(r"\s+", "", text or "")  # noqa: E731
    printed: list[tuple[str, C, int]] = []  # (text, cell, n-th row of the document's tables)
    rows = 0
    for kind, content in blocks(spec):
        if kind != "table":
            continue
        if spec.layout.get("traditional"):
            content = traditional_block(content)
        for row in grid(content):
            rows += 1
            printed += [(squash(c.text), c, rows) for c, origin in row if origin and squash(c.text)] + [("", c, rows) for c, origin in row if origin and c.key and not squash(c.text)]
    wanted = [(t, c, r) for t, c, r in printed if t]
    with pdfplumber.open(str(path)) as pdf:
        found = [(squash(text), n) for n, page in enumerate(pdf.pages, start=1) for table in page.extract_tables() for row in table for text in row if squash(text)]
    a, b = [t for t, _, _ in wanted], [t for t, _ in found]
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            lengths[i][j] = lengths[i + 1][j + 1] + 1 if a[i] == b[j] else max(lengths[i + 1][j], lengths[i][j + 1])
    page_of: dict[int, int] = {}
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j] and lengths[i][j] == lengths[i + 1][j + 1] + 1:
            page_of[id(wanted[i][1])] = found[j][1]
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    row_pages: dict[int, set] = {}
    for _, c, r in wanted:
        if id(c) in page_of:
            row_pages.setdefault(r, set()).add(page_of[id(c)])
    for text, c, r in printed:
        if not c.key:
            continue
        if text:
            page = page_of.get(id(c))
        else:
            page = next(iter(row_pages[r])) if len(row_pages.get(r, ())) == 1 else None
        if page is None:
            raise RuntimeError(f"{spec.stem}: cell {c.key} ({c.text!r}) not found in the rendered PDF's tables")
        spec.where[c.key] = {"raw": c.text, "page": page}


def render_scan(pdf: Path, out: Path, workdir: Path) -> int:
    """Page images at 200 dpi (grey) wrapped into an image-only PDF. Returns the page count."""
    from PIL import Image

    prefix = workdir / "page"
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", str(pdf), str(prefix)], check=True, capture_output=True, timeout=300)
    files = sorted(workdir.glob("page-*.png"))
    images = [Image.open(f).convert("L") for f in files]
    stamp = time.strptime("2024-01-15 09:00:00", "%Y-%m-%d %H:%M:%S")
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=200.0, quality=88,
                   title="", author="", creationDate=stamp, modDate=stamp)
    for im in images:
        im.close()
    return len(images)


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


def generate(out_dir: Path, only: list[str] | None = None, log=print) -> list[Path]:
    """Write every document and its gold file into out_dir. Returns the documents."""
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen = [s for s in specs() if not only or s.stem in only]
    written = []
    with tempfile.TemporaryDirectory(prefix="ogi-fixtures-") as tmp:
        work = Path(tmp)
        to_convert: list[tuple[Spec, Path]] = []
        for spec in chosen:
            target = out_dir / spec.file
            if spec.kind == "docx":
                render_docx(spec, target)
            elif spec.kind in ("pdf", "scan"):
                source = work / f"{spec.stem}.docx"
                render_docx(spec, source)
                to_convert.append((spec, source))
                continue
            elif spec.kind == "html":
                target.write_bytes(render_html(spec))
            elif spec.kind in ("txt", "md"):
                target.write_text(render_text(spec, spec.kind == "md"), encoding="utf-8")
            else:
                raise ValueError(spec.kind)
            written.append((spec, target))
        if to_convert:
            started = time.monotonic()
            pdf_dir = work / "pdf"
            pdf_dir.mkdir()
            docx_to_pdf([src for _, src in to_convert], pdf_dir, work)
            log(f"LibreOffice: {len(to_convert)} documents in {time.monotonic() - started:.1f} s")
            for spec, src in to_convert:
                pdf = pdf_dir / f"{src.stem}.pdf"
                target = out_dir / spec.file
                record_pages(spec, pdf)
                if spec.kind == "pdf":
                    pin_pdf(pdf)
                    shutil.copyfile(pdf, target)
                    spec.notes.extend(pdf_layout_notes(spec, target))
                else:
                    pages_dir = work / f"{spec.stem}-pages"
                    pages_dir.mkdir()
                    n = render_scan(pdf, target, pages_dir)
                    spec.notes.append(f"{n} page images, no text layer: the numbers can only be read by OCR.")
                written.append((spec, target))
        for spec, target in written:
            (out_dir / f"{spec.stem}.json").write_text(json.dumps(gold(spec), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [t for _, t in sorted(written, key=lambda x: x[0].stem)]


def generator_hash() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:16]


def ensure(base: Path, log=print) -> Path:
    """The fixture folder ``base/<hash of this file>``, generated once (atomically) and reused;
    folders left by older versions of this file are removed."""
    target = base / generator_hash()
    if (target / ".complete").is_file():
        return target
    base.mkdir(parents=True, exist_ok=True)
    for stale in base.iterdir():
        if stale.is_dir() and stale != target and (stale / ".complete").is_file():
            shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=base))
    try:
        started = time.monotonic()
        generate(staging, log=log)
        (staging / ".complete").write_text(f"generated in {time.monotonic() - started:.1f} s\n", encoding="utf-8")
        try:
            staging.rename(target)
        except OSError:  # generated meanwhile by another run: keep theirs
            if not (target / ".complete").is_file():
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, nargs="?")
    parser.add_argument("--only", nargs="*", help="stems to generate (default: all)")
    parser.add_argument("--list", action="store_true", help="list the documents and their quirks, generate nothing")
    args = parser.parse_args(argv)
    if args.list or args.out_dir is None:
        for spec in specs():
            print(f"{spec.file}\n  " + "\n  ".join(gold(spec)["notes"]))
        return
    started = time.monotonic()
    docs = generate(args.out_dir, args.only)
    for doc in docs:
        print(doc)
    print(f"{len(docs)} documents in {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
