"""Tables for people, built from the long ``facts`` table once the reports are loaded.

In: a database whose ``schema.sql`` tables ``load.build`` has filled. Out, in the same database:

- ``requests_wide``  one row per report and row of table 三, the seven applicant columns side by side;
- ``appeals_wide``   one row per report and appeal group of table 四 (复议, two kinds of 诉讼);
- ``active_wide``    one row per report and item of table 二, one column per metric;
- ``report_summary`` one row per report: requests received, answered by outcome, rates,
  appeals and lawsuits, corrected outcomes, identity status and a link to the original;
- ``provenance``     (a view) every number with its report, file, SHA-256, page/line and a link;
- ``data_dictionary`` every column of the tables above with its Chinese label, an English
  description and which facts it is read from;
- ``sections_char_fts`` the search index of the narrative sections (see ``char_tokens``).

Every column and its description comes from the vocabulary (``ogi/data/items.csv``), so a
new key in the vocabulary becomes a new column without touching this module.

``column_descriptions()`` gives the same descriptions to the site's metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import sqlite_utils

from . import agencies, coverage, messages, totals, vocabulary
from .text import simplified

# English for every key of the vocabulary (items.csv has the Chinese). A key missing here
# falls back to its spelled-out name, and the tests list it.
ENGLISH = {
    "active.regulations": "Regulations",
    "active.normative_documents": "Normative documents",
    "active.administrative_licensing": "Administrative licensing",
    "active.other_management_services": "Other external management and services",
    "active.administrative_penalty": "Administrative penalties",
    "active.administrative_coercion": "Administrative coercion",
    "active.administrative_fees": "Administrative fees",
    "active.centralized_procurement": "Centralized government procurement",
    "active_metric.made": "Newly made this year",
    "active_metric.published": "Newly published this year",
    "active_metric.total_published": "Total published to date",
    "active_metric.issued": "Issued this year",
    "active_metric.repealed": "Repealed this year",
    "active_metric.in_force": "Currently in force",
    "active_metric.items_last_year": "Items last year",
    "active_metric.items_change": "Change this year (may be negative)",
    "active_metric.decisions": "Decisions made this year",
    "active_metric.fee_amount_10k_yuan": "Fees collected this year, in 10,000 yuan",
    "active_metric.procurement_projects": "Procurement projects",
    "active_metric.procurement_amount_yuan": "Total procurement amount, in yuan",
    "requests.new_received": "New requests received this year",
    "requests.carried_over": "Requests carried over from last year",
    "requests.granted": "Granted in full",
    "requests.partially_granted": "Partially granted (a split answer counts only here)",
    "requests.withheld.state_secret": "Refused: state secret",
    "requests.withheld.prohibited_by_law": "Refused: disclosure prohibited by other laws and regulations",
    "requests.withheld.three_securities_one_stability": "Refused: would endanger national, public or economic security or social stability",
    "requests.withheld.third_party_rights": "Refused: protects a third party's lawful rights",
    "requests.withheld.internal_affairs": "Refused: internal-affairs information",
    "requests.withheld.process_information": "Refused: process information (deliberations, drafts)",
    "requests.withheld.law_enforcement_files": "Refused: law-enforcement case files",
    "requests.withheld.administrative_query": "Refused: a matter for an administrative query",
    "requests.unable.not_held": "Unable to provide: the agency does not hold the information",
    "requests.unable.needs_creation": "Unable to provide: no existing information, it would have to be made",
    "requests.unable.unclear_after_correction": "Unable to provide: the request is still unclear after correction",
    "requests.not_processed.petition_complaint": "Not processed: a petition, report or complaint",
    "requests.not_processed.duplicate": "Not processed: a repeated request",
    "requests.not_processed.publication": "Not processed: asks for a public publication",
    "requests.not_processed.excessive": "Not processed: many repeated requests without good reason",
    "requests.not_processed.confirm_or_reissue": "Not processed: asks to confirm or reissue information already obtained",
    "requests.other": "Other handling (2019 format: one row)",
    "requests.other.no_correction": "Other handling: the applicant did not correct the request in time",
    "requests.other.unpaid_fee": "Other handling: the applicant did not pay the fee in time",
    "requests.other.other": "Other handling: other",
    "requests.total": "Total answered (the sum of the results)",
    "requests.carried_forward": "Carried forward to next year",
    "applicant.natural_person": "Applicants who are natural persons",
    "applicant.commercial_enterprise": "Legal persons and organizations: commercial enterprises",
    "applicant.research_institution": "Legal persons and organizations: research institutions",
    "applicant.social_welfare_org": "Legal persons and organizations: social welfare organizations",
    "applicant.legal_service_org": "Legal persons and organizations: legal service organizations",
    "applicant.other_org": "Legal persons and organizations: other",
    "applicant.total": "All applicants",
    "appeals.review": "Administrative reconsideration (行政复议)",
    "appeals.litigation_direct": "Lawsuit without prior reconsideration",
    "appeals.litigation_after_review": "Lawsuit after reconsideration",
    "appeal_outcome.upheld": "Decision upheld",
    "appeal_outcome.corrected": "Decision corrected",
    "appeal_outcome.other": "Other outcome",
    "appeal_outcome.pending": "Not yet concluded",
    "appeal_outcome.total": "Total",
}

# Groups of table 三's result rows, as the template prints them.
REQUEST_GROUPS_ZH = {"withheld": "（三）不予公开", "unable": "（四）无法提供", "not_processed": "（五）不予处理", "other": "（六）其他处理"}
REQUEST_GROUPS_EN = {"withheld": "Refused (withheld)", "unable": "Unable to provide", "not_processed": "Not processed", "other": "Other handling"}

# The template table each part's columns come from.


def english(table: str, key: str) -> str:
    return ENGLISH.get(f"{table}.{key}") or key.replace(".", ": ").replace("_", " ").capitalize()


def group_of(row_key: str) -> str:
    """withheld.state_secret -> withheld; granted -> granted."""
    return row_key.split(".", 1)[0]


def item_group(item: vocabulary.Item) -> tuple[str, str]:
    """(group key, group label) of a vocabulary item, for the items table.

    Table 三's result rows belong to the printed groups （三）…（六）; table 二's items to the
    article of the regulation their note names; everything else is its own group.
    """
    if item.table == "requests":
        group = group_of(item.key)
        return group, REQUEST_GROUPS_ZH.get(group, item.label_zh)
    if item.table == "active":
        return item.key, item.notes.split(";")[0].strip()
    return item.key, item.label_zh


def column_name(key: str) -> str:
    """A vocabulary key as a column name people can type in SQL: withheld.state_secret -> withheld_state_secret."""
    return key.replace(".", "_")


@dataclass(frozen=True)
class Column:
    """A column of a table for people: its SQL type, labels, and the facts it is read from.

    A number column names its facts by ``part``, a column (``col_key``, or every column but
    ``col_not``) and rows: ``row_key`` (one row), ``row_prefix`` (a group of rows, added
    up), ``rows_not`` (every template row but these) or ``row_from`` (a wide table: the column
    holding the row's own key).
    """

    name: str
    sql_type: str
    label_zh: str
    english: str
    part: str | None = None
    col_key: str | None = None
    row_key: str | None = None
    row_prefix: str | None = None
    row_from: str | None = None
    rows_not: tuple[str, ...] = ()
    col_not: str | None = None

    @property
    def description(self) -> str:
        return f"{self.label_zh} · {self.english}"

    @property
    def provenance(self) -> str | None:
        """Filter of the ``provenance`` view listing this column's facts of one report;
        ``{row_key}`` (or ``{appeal}``, ``{item}``) stands for the value of that column of the row."""
        if self.part is None:
            return None
        if self.row_key:
            row = f"row_key={self.row_key}"
        elif self.row_prefix:
            row = f"row_key__startswith={self.row_prefix}"
        elif self.rows_not:
            row = "row_key__notnull=1&row_key__notin=" + ",".join(self.rows_not)
        else:
            row = f"row_key={{{self.row_from}}}"
        column = f"col_key__not={self.col_not}" if self.col_not else f"col_key={self.col_key}"
        return f"part={self.part}&{row}&{column}"

    def facts_condition(self, alias: str = "f") -> str:
        """SQL that is true for this column's facts (summary columns)."""
        if self.row_key:
            row = f"{alias}.row_key = '{self.row_key}'"
        elif self.row_prefix:
            row = f"{alias}.row_key LIKE '{self.row_prefix}%'"
        else:
            row = f"{alias}.row_key IS NOT NULL AND {alias}.row_key NOT IN ({', '.join(repr(k) for k in self.rows_not)})"
        column = f"{alias}.col_key <> '{self.col_not}'" if self.col_not else f"{alias}.col_key = '{self.col_key}'"
        return f"{alias}.part = '{self.part}' AND {row} AND {column}"


# Report columns repeated in every table for people, so each can be faceted on its own.
REPORT_COLUMNS = (
    Column("report_id", "TEXT", "报告", "The report (links to reports); its id is its file's SHA-256, first 16 hex digits"),
    Column("agency", "TEXT", "机关", "The agency, as the report's title prints it, in Simplified characters"),
    Column("year", "INTEGER", "年度", "The year the report covers"),
    Column("province", "TEXT", "省（自治区、直辖市）", "Province"),
    Column("city", "TEXT", "市", "City (地级); repeats the province for 北京, 上海, 天津, 重庆"),
    Column("county", "TEXT", "县（区）", "County or district"),
    Column("level", "TEXT", "层级", "The agency's level: province, city, county or township"),
    Column("kind", "TEXT", "机关类型", "The kind of agency, from its name: 人民政府, 办公厅/办公室, 教育, 财政, 人力资源和社会保障 …"),
    Column("agency_id", "TEXT", "机关编号", "The agency, the same across its years and the names it printed (links to agencies)"),
    Column("format", "TEXT", "格式", "Template of the table: 2019 (国办公开办函〔2019〕60号) or 2021 (〔2021〕30号)"),
    Column("identity_status", "TEXT", "勾稽关系", "ok: the report's numbers add up; fails: see checks; unchecked: no table to check"),
)
WHERE_COLUMNS = (
    Column("page", "INTEGER", "页", "Page of the original PDF the row is printed on"),
    Column("line", "INTEGER", "行", "Line of the original text file or web page the row is printed on"),
    Column("source_id", "TEXT", "原文件", "The original file (links to sources)"),
)


# The column of each wide table that holds the row's key.
ROW_COLUMN = {"requests": "row_key", "appeals": "appeal", "active": "item"}


def _cells(part: str) -> tuple[Column, ...]:
    """The value columns of a wide table: one per column key of the part's template."""
    table = vocabulary.COLUMN_TABLE[part]
    return tuple(
        Column(
            column_name(item.key), "NUMERIC", item.label_zh, english(table, item.key),
            part=part, col_key=item.key, row_from=ROW_COLUMN[part],
        )
        for item in vocabulary.of_table(table)
    )


# Wide tables read like the printed table: the row's Chinese label beside its key, then its
# numbers, then the rest and the report's columns (repeated so each can be faceted alone).


def requests_wide_columns() -> tuple[Column, ...]:
    return (
        Column("id", "TEXT", "编号", "Row id: <report>-<row key>, the same in every build"),
        REPORT_COLUMNS[0],
        Column("position", "INTEGER", "序号", "The row's place in the template (sort by it to read the table as printed)"),
        Column("row_label", "TEXT", "行（中文）", "The template's Chinese label of the row"),
        Column("row_key", "TEXT", "行", "Row of table 三 (items.id = 'requests.' + row_key); empty for a printed row not in the template"),
        *_cells("requests"),
        Column("total_recomputed", "NUMERIC", "总计（各列相加）", "The six applicant columns added up: differs from total where the printed 总计 does not add up",
               part="requests", col_not="total", row_from="row_key"),
        Column("row_group", "TEXT", "类别", "Group of result rows: withheld (不予公开), unable (无法提供), not_processed (不予处理), other (其他处理); else the row's own key"),
        Column("group_label", "TEXT", "类别（中文）", "The group as the template prints it"),
        Column("printed_label", "TEXT", "原文行名", "The row label as printed in the report"),
        Column("inferred", "INTEGER", "推断", "Cells of the row not printed but inferred from the row's total (see warnings)"),
        *WHERE_COLUMNS,
        *REPORT_COLUMNS[1:],
    )


def appeals_wide_columns() -> tuple[Column, ...]:
    return (
        Column("id", "TEXT", "编号", "Row id: <report>-<row key>, the same in every build"),
        REPORT_COLUMNS[0],
        Column("position", "INTEGER", "序号", "The group's place in the template"),
        Column("appeal_label", "TEXT", "类型（中文）", "The template's Chinese label of the group"),
        Column("appeal", "TEXT", "类型", "review (行政复议), litigation_direct (未经复议直接起诉) or litigation_after_review (复议后起诉)"),
        *_cells("appeals"),
        Column("total_recomputed", "NUMERIC", "总计（各项相加）", "The four outcomes added up: differs from total where the printed 总计 does not add up",
               part="appeals", col_not="total", row_from="appeal"),
        *WHERE_COLUMNS,
        *REPORT_COLUMNS[1:],
    )


def active_wide_columns() -> tuple[Column, ...]:
    return (
        Column("id", "TEXT", "编号", "Row id: <report>-<row key>, the same in every build"),
        REPORT_COLUMNS[0],
        Column("position", "INTEGER", "序号", "The item's place in the template"),
        Column("item_label", "TEXT", "信息内容（中文）", "The template's Chinese label of the item"),
        Column("item", "TEXT", "信息内容", "Item of table 二 (items.id = 'active.' + item)"),
        *_cells("active"),
        Column("article", "TEXT", "条款", "The article of the regulation the item reports on (第二十条 …)"),
        *WHERE_COLUMNS,
        *REPORT_COLUMNS[1:],
    )


def _request_total(key: str, name: str | None = None) -> Column:
    return Column(
        name or column_name(key), "NUMERIC", vocabulary.label("requests", key),
        english("requests", key) + " (总计 column; see rates_basis)",
        part="requests", row_key=key, col_key="total",
    )


def _request_group(group: str) -> Column:
    return Column(
        group, "NUMERIC", REQUEST_GROUPS_ZH[group] + " 合计", REQUEST_GROUPS_EN[group] + ", all reasons (总计 column; see rates_basis)",
        # 2019's single （六）其他处理 row is 'other', 2021's three are 'other.…'.
        part="requests", row_prefix=group, col_key="total",
    )


def _rate(name: str, label_zh: str, of: str) -> Column:
    return Column(
        name, "REAL", label_zh,
        f"{of} as a percentage of the requests answered, one decimal; empty when rates_basis is none",
    )


def _appeal_total(name: str, label_zh: str, english_: str, **rows) -> Column:
    return Column(name, "NUMERIC", label_zh, english_ + " (see appeals_basis)", part="appeals", col_key="total", **rows)


def _printed_and_recomputed(used: Column) -> tuple[Column, Column]:
    """The two readings of a total: its 总计 cell(s) as printed, and the sum of its parts."""
    printed = Column(
        f"{used.name}_printed", "NUMERIC", used.label_zh + "（印）", f"{used.name} as printed (the 总计 cell)",
        part=used.part, row_key=used.row_key, row_prefix=used.row_prefix, rows_not=used.rows_not, col_key="total",
    )
    if used.name == "answered":  # the parts of （七）总计 are the result rows
        rows = dict(rows_not=totals.REQUEST_BALANCE_ROWS)
    else:
        rows = dict(row_key=used.row_key, row_prefix=used.row_prefix)
    parts = "its result rows' applicant columns" if used.name == "answered" else (
        "the six applicant columns" if used.part == "requests" else "the outcome columns (维持 + 纠正 + 其他 + 尚未审结)")
    recomputed = Column(
        f"{used.name}_recomputed", "NUMERIC", used.label_zh + "（算）", f"{used.name} recomputed: {parts} added up",
        part=used.part, col_not="total", **rows,
    )
    return printed, recomputed


def summary_columns() -> tuple[Column, ...]:
    keys = [item.key for item in vocabulary.request_rows()]
    withheld = [k for k in keys if group_of(k) == "withheld"]
    used = (
        _request_total("new_received"),
        _request_total("carried_over"),
        _request_total("granted"),
        _request_total("partially_granted"),
        _request_group("withheld"),
        _request_group("unable"),
        _request_group("not_processed"),
        _request_group("other"),
        _request_total("total", name="answered"),  # "total" alone would not say of what
        _request_total("carried_forward"),
    )
    reviews = _appeal_total("reviews", "行政复议 总计", "Administrative reconsiderations, all outcomes", row_key="review")
    lawsuits = _appeal_total("lawsuits", "行政诉讼 总计", "Lawsuits (with or without prior reconsideration), all outcomes",
                             row_prefix="litigation")
    return (
        Column("report_id", "TEXT", "报告", "The report (links to reports)"),
        *REPORT_COLUMNS[1:],
        Column("checks_failed", "INTEGER", "不平衡数", "Identity checks that fail (see checks)"),
        *used[:5],
        *(_request_total(k) for k in withheld),
        *used[5:],
        _rate("grant_rate", "公开率（%）", "Granted in full or in part"),
        _rate("refusal_rate", "不予公开率（%）", "Refused (不予公开)"),
        _rate("unable_rate", "无法提供率（%）", "Unable to provide (无法提供)"),
        Column("rates_basis", "TEXT", "比率依据", "What the rates and the totals of table 三 rest on: printed (the 总计 cells add up), "
               "recomputed (they do not; the applicant columns added up do, see the README), none (neither does: no rates)"),
        Column("rates_note", "TEXT", "依据说明", "Why rates_basis is what it is, in numbers"),
        Column("small_denominator", "INTEGER", "样本过小", f"1 when fewer than {totals.SMALL_DENOMINATOR} requests were answered: "
               "a rate over so few says little, and rankings leave such reports out unless asked"),
        reviews,
        Column("reviews_corrected", "NUMERIC", "行政复议 结果纠正", "Reconsiderations that corrected the agency's decision",
               part="appeals", row_key="review", col_key="corrected"),
        lawsuits,
        Column("lawsuits_corrected", "NUMERIC", "行政诉讼 结果纠正", "Lawsuits that corrected the agency's decision",
               part="appeals", row_prefix="litigation", col_key="corrected"),
        Column("appeals_basis", "TEXT", "复议诉讼依据", "printed (each 总计 equals its outcomes added up), recomputed (one does not: "
               "the totals are the outcomes added up), none (no table 四)"),
        Column("appeals_note", "TEXT", "复议诉讼说明", "Why appeals_basis is what it is, in numbers"),
        *(c for total in (*used, reviews, lawsuits) for c in _printed_and_recomputed(total)),
        Column("corrections", "INTEGER", "更正数", "Numbers of the report corrected by a maintainer (see corrections); the corrected value is used"),
        Column("source_id", "TEXT", "原文件", "The original file (links to sources)"),
        Column("source_url", "TEXT", "原文链接", "The original file as published, served by this site"),
    )


@cache
def tables() -> dict[str, tuple[Column, ...]]:
    """The tables for people and their columns, in the order they are shown."""
    return {
        "report_summary": summary_columns(),
        "requests_wide": requests_wide_columns(),
        "appeals_wide": appeals_wide_columns(),
        "active_wide": active_wide_columns(),
    }


def column_descriptions() -> dict[str, dict[str, str]]:
    """{table: {column: "中文 · English"}} for the site's metadata."""
    return {table: {c.name: c.description for c in columns} for table, columns in tables().items()}


def _create(db: sqlite_utils.Database, table: str, primary_key: str) -> None:
    columns = []
    for c in tables()[table]:
        constraint = ""
        if c.name == primary_key:
            constraint = " PRIMARY KEY"
        if c.name == "report_id":
            constraint += " REFERENCES reports(id)"
        elif c.name == "source_id":
            constraint += " REFERENCES sources(id)"
        elif c.name == "agency_id":
            constraint += " REFERENCES agencies(id)"
        columns.append(f"    [{c.name}] {c.sql_type}{constraint}")
    db.execute(f"CREATE TABLE [{table}] (\n" + ",\n".join(columns) + "\n)")


def _pivot(columns: tuple[Column, ...]) -> str:
    """max(case when f.col_key = 'natural_person' then f.value end), … (one report row's cells)."""
    return ",\n".join(f"max(CASE WHEN f.col_key = '{c.col_key}' THEN f.value END)" for c in columns)


# A wide row's id: <report>-<row key>, or for printed rows outside the template x1, x2 … in
# the order printed; stable as long as the file is the same.
_WIDE_ID = """f.report_id || '-' || coalesce(replace(f.row_key, '.', '_'),
    'x' || row_number() OVER (PARTITION BY f.report_id, f.row_key IS NULL ORDER BY min(f.rowid)))"""


def _build_wide(db: sqlite_utils.Database, table: str, part: str, table_format: str, columns: dict[str, str]) -> None:
    """One row per report and printed row of ``part``: the report's columns, ``columns``
    (name -> SQL over facts f, reports r, items i), the cells side by side, where it was printed."""
    _create(db, table, "id")
    cells = _cells(part)
    names = ["id", "report_id", "agency", "year", "province", "city", "county", "level", "kind", "agency_id", "format",
             "identity_status", *columns, *(c.name for c in cells), "page", "line", "source_id"]
    select = [_WIDE_ID, "f.report_id", "r.agency", "r.year", "r.province", "r.city", "r.county", "a.level", "a.kind",
              "r.agency_id", table_format, "r.identity_status", *columns.values(), _pivot(cells), "min(f.page)",
              "min(f.line)", "f.source_id"]
    db.execute(
        f"""INSERT INTO [{table}] ({", ".join(f"[{n}]" for n in names)})
        SELECT {", ".join(select)}
        FROM facts f JOIN reports r ON r.id = f.report_id LEFT JOIN agencies a ON a.id = r.agency_id
        LEFT JOIN items i ON i.id = '{part}.' || f.row_key
        WHERE f.part = '{part}'
        GROUP BY f.report_id, f.row_key, CASE WHEN f.row_key IS NULL THEN f.printed_label END
        ORDER BY f.report_id, min(f.rowid)"""
    )


_RECOMPUTED_TOTAL = "sum(CASE WHEN f.col_key <> 'total' THEN f.value END)"


def _build_requests_wide(db: sqlite_utils.Database) -> None:
    _build_wide(db, "requests_wide", "requests", "coalesce(r.requests_format, r.format)", {
        "position": "i.position", "row_group": "i.group_key", "group_label": "i.group_label", "row_key": "f.row_key",
        "row_label": "f.row_label", "printed_label": "f.printed_label", "total_recomputed": _RECOMPUTED_TOTAL,
        "inferred": "sum(f.inferred)",
    })


def _build_appeals_wide(db: sqlite_utils.Database) -> None:
    _build_wide(db, "appeals_wide", "appeals", "r.format", {
        "position": "i.position", "appeal": "f.row_key", "appeal_label": "f.row_label", "total_recomputed": _RECOMPUTED_TOTAL,
    })


def _build_active_wide(db: sqlite_utils.Database) -> None:
    _build_wide(db, "active_wide", "active", "coalesce(r.active_format, r.format)", {
        "position": "i.position", "item": "f.row_key", "item_label": "f.row_label", "article": "i.group_label",
    })


def _readings(columns: list[Column]) -> str:
    """SQL over facts f giving, per report, each column's printed (name__p) and recomputed
    (name__r) reading (ogi/totals.py)."""
    out = []
    for c in columns:
        if c.col_key != "total":  # an outcome cell (结果纠正): printed, no parts
            out.append(f"sum(CASE WHEN {c.facts_condition()} THEN f.value END) AS [{c.name}__p]")
            continue
        printed, recomputed = _printed_and_recomputed(c)
        out.append(f"sum(CASE WHEN {printed.facts_condition()} THEN f.value END) AS [{c.name}__p]")
        out.append(f"sum(CASE WHEN {recomputed.facts_condition()} THEN f.value END) AS [{c.name}__r]")
    return ",\n".join(out)


def _build_summary(db: sqlite_utils.Database) -> None:
    """One row per report: each total as printed and recomputed, the reading the basis picks
    (ogi/totals.py), the rates on that basis, appeals, corrections and the original's link."""
    _create(db, "report_summary", "report_id")
    columns = summary_columns()
    counted = [c for c in columns if c.part and not c.name.endswith(("_printed", "_recomputed"))]
    appeal_groups = vocabulary.appeal_groups()
    group_readings = ",\n".join(
        f"sum(CASE WHEN f.part = 'appeals' AND f.row_key = '{g}' AND f.col_key = 'total' THEN f.value END) AS [{g}__p], "
        f"sum(CASE WHEN f.part = 'appeals' AND f.row_key = '{g}' AND f.col_key <> 'total' THEN f.value END) AS [{g}__r], "
        f"count(CASE WHEN f.part = 'appeals' AND f.row_key = '{g}' THEN 1 END) AS [{g}__n]"
        for g in appeal_groups
    )
    query = f"""SELECT r.id AS report_id, r.agency, r.province, r.city, r.county, a.level, a.kind, r.agency_id,
               r.year, r.format, r.identity_status,
               r.checks_failed, r.source_id, s.url AS source_url, n.*
        FROM reports r JOIN sources s ON s.id = r.source_id LEFT JOIN agencies a ON a.id = r.agency_id
        LEFT JOIN (
            SELECT f.report_id AS _report, {_readings(counted)}, {group_readings}, sum(f.corrected) AS _corrections
            FROM facts f WHERE f.part IN ('requests', 'appeals') GROUP BY f.report_id
        ) n ON n._report = r.id
        ORDER BY r.id"""
    names = {c.name for c in columns}

    def summary(row: dict) -> dict:
        printed = {c.name: row.get(f"{c.name}__p") for c in counted}
        recomputed = {c.name: row.get(f"{c.name}__r") for c in counted}
        requests = totals.requests_basis(printed, recomputed)
        appeals = totals.appeals_basis({g: (row[f"{g}__p"], row[f"{g}__r"]) for g in appeal_groups if row[f"{g}__n"]})
        out = {k: v for k, v in row.items() if k in names}
        for c in counted:
            basis = requests if c.part == "requests" else appeals
            use = recomputed[c.name] if basis.recomputed and recomputed.get(c.name) is not None else printed[c.name]
            out[c.name] = use
            if f"{c.name}_printed" in names:
                out[f"{c.name}_printed"], out[f"{c.name}_recomputed"] = printed[c.name], recomputed[c.name]
        granted = None if out["granted"] is None and out["partially_granted"] is None else (out["granted"] or 0) + (out["partially_granted"] or 0)
        out.update(
            rates_basis=requests.basis, rates_note=requests.note, appeals_basis=appeals.basis, appeals_note=appeals.note,
            grant_rate=totals.rate(granted, out["answered"], requests),
            refusal_rate=totals.rate(out["withheld"], out["answered"], requests),
            unable_rate=totals.rate(out["unable"], out["answered"], requests),
            small_denominator=int(requests.basis != totals.NONE and (out["answered"] or 0) < totals.SMALL_DENOMINATOR),
            corrections=row["_corrections"] or 0,
        )
        return out

    cursor = db.execute(query)
    names_read = [d[0] for d in cursor.description]
    rows = [summary(dict(zip(names_read, r))) for r in cursor.fetchall()]
    db["report_summary"].insert_all(rows)


# Where a number can be read in the original: every number opens the site's viewer at the
# place it was printed (site/plugins/ogi_site.py, "Viewer"): a PDF's page with the cell outlined, a
# web page's or Word file's table with the cell marked, a text's line; it links the original.
SOURCE_URL_SQL = """CASE
    WHEN s.url IS NULL THEN NULL
    ELSE '/-/source/' || s.sha256 || '?fact=' || {t}.id || '#cited' END"""


def _build_provenance(db: sqlite_utils.Database) -> None:
    db.execute(
        f"""CREATE VIEW provenance AS
        SELECT f.id AS fact_id, f.report_id, r.agency, r.year, f.part, f.row_key, f.row_label, f.col_key, f.col_label,
               f.value, f.raw, f.printed_label, f.inferred, f.note, f.corrected, f.parsed_value, f.correction,
               s.file_name, s.sha256, f.page, f.line, f.char, f.bbox,
               {SOURCE_URL_SQL.format(t="f")} AS source_url, f.source_id
        FROM facts f JOIN reports r ON r.id = f.report_id JOIN sources s ON s.id = f.source_id"""
    )


def _build_dictionary(db: sqlite_utils.Database) -> None:
    db["data_dictionary"].insert_all(
        (
            {"table_name": table, "column_name": c.name, "label_zh": c.label_zh, "description": c.english, "provenance": c.provenance}
            for table, columns in tables().items()
            for c in columns
        ),
        pk=("table_name", "column_name"),
    )


def char_tokens(text: str) -> str:
    """Text as the search index stores it: every character a token of its own (复议 -> 复 议 ).

    Characters are folded to Simplified (復議 and 複議 are indexed as 复议; the site folds
    queries the same way), so a Traditional-character report is found by a Simplified search.
    FTS5's trigram tokenizer cannot find words under three characters, and Chinese has no
    spaces to find words by. With one token per character, a word of any length is the
    phrase of its characters ("复 议"), which FTS5 matches exactly and quickly. Whitespace
    is dropped, so a word broken by a line wrap is still found; punctuation stays a token
    (see the tokenizer's tokenchars), so a phrase does not match across 。 or ，.
    The site's ``escape_fts`` (site/plugins/ogi_site.py) spells queries the same way.
    """
    return "".join(ch + " " for ch in simplified(text) if not ch.isspace())


# Punctuation kept as tokens so phrases do not match across it. No quotes: they would end
# the tokenize option's string.
_TOKENCHARS = "，。、；：？！…—·（）《》〈〉【】「」『』,.;:?!()[]<>/%-"


def _build_search_index(db: sqlite_utils.Database) -> None:
    db.conn.create_function("ogi_char_tokens", 1, char_tokens, deterministic=True)
    # contentless: the text is in sections; the index only needs the tokens.
    db.execute(
        "CREATE VIRTUAL TABLE sections_char_fts USING fts5(heading, text, content='', "
        f"tokenize=\"unicode61 remove_diacritics 0 tokenchars '{_TOKENCHARS}'\")"
    )
    db.execute(
        "INSERT INTO sections_char_fts (rowid, heading, text) "
        "SELECT id, ogi_char_tokens(heading), ogi_char_tokens(text) FROM sections"
    )


def _build_agencies(db: sqlite_utils.Database) -> None:
    """``agencies`` and ``agency_names`` (ogi/agencies.py), and each report's agency_id."""
    reports = [dict(r) for r in db.query("SELECT * FROM reports ORDER BY year, id")]
    by_id = {r["id"]: r for r in reports}
    rows, names = [], []
    for a in agencies.group(reports):
        years = sorted({y for ys in a.names.values() for y in ys})
        placed = next((by_id[i] for i in a.report_ids if by_id[i].get("longitude") is not None), {})
        rows.append({
            "id": a.id, "name": a.name, "department": a.department, "kind": a.kind, "kind_en": a.kind_en, "level": a.level,
            "province": a.province, "city": a.city, "county": a.county, "adcode": a.adcode,
            "longitude": placed.get("longitude"), "latitude": placed.get("latitude"),
            "reports": len(a.report_ids), "first_year": years[0], "last_year": years[-1],
            "years": " ".join(map(str, years)),
            "missing_years": " ".join(str(y) for y in range(years[0], years[-1] + 1) if y not in years) or None,
            "names": " / ".join(sorted(a.names)), "page": f"/-/agency/{a.id}",
        })
        names += [{"id": f"{a.id}-{n}", "agency_id": a.id, "name": printed, "years": " ".join(map(str, sorted(ys))), "reports": len(ys)}
                  for n, (printed, ys) in enumerate(sorted(a.names.items()), start=1)]
        with db.conn:  # executemany opens a transaction: close it, or VACUUM refuses to run
            db.conn.executemany("UPDATE reports SET agency_id = ? WHERE id = ?", [(a.id, rid) for rid in a.report_ids])
    db["agencies"].insert_all(rows, pk="id", columns={"longitude": float, "latitude": float, "missing_years": str})
    db["agency_names"].insert_all(names, pk="id", foreign_keys=[("agency_id", "agencies", "id")])
    if not rows:
        db["agencies"].create({"id": str, "name": str, "kind": str, "level": str}, pk="id", if_not_exists=True)


# Cross-year identities: (identity, key, this year's fact, last year's facts and this year's added or taken away)
_CROSS_YEAR_SQL = """
WITH ordered AS (
  SELECT r.id, r.agency_id, r.year, r.active_format,
         lag(r.id) OVER w AS previous_id, lag(r.year) OVER w AS previous_year
  FROM reports r WHERE r.agency_id IS NOT NULL
  WINDOW w AS (PARTITION BY r.agency_id ORDER BY r.year, r.id)
), pairs AS (SELECT * FROM ordered WHERE previous_year = year - 1),
cell AS (SELECT report_id, part, row_key, col_key, value FROM facts WHERE row_key IS NOT NULL)
SELECT p.id, p.previous_id, 'cross_year_carried_over' AS identity, 'total' AS key,
       now.value AS lhs, before.value AS rhs
FROM pairs p
JOIN cell now ON now.report_id = p.id AND now.part = 'requests' AND now.row_key = 'carried_over' AND now.col_key = 'total'
JOIN cell before ON before.report_id = p.previous_id AND before.part = 'requests' AND before.row_key = 'carried_forward' AND before.col_key = 'total'
WHERE now.value IS NOT NULL AND before.value IS NOT NULL
UNION ALL
SELECT p.id, p.previous_id, 'cross_year_in_force', item.key,
       now.value, before.value + coalesce(issued.value, 0) - coalesce(repealed.value, 0)
FROM pairs p
JOIN (SELECT 'regulations' AS key UNION ALL SELECT 'normative_documents') item
JOIN cell now ON now.report_id = p.id AND now.part = 'active' AND now.row_key = item.key AND now.col_key = 'in_force'
JOIN cell before ON before.report_id = p.previous_id AND before.part = 'active' AND before.row_key = item.key AND before.col_key = 'in_force'
LEFT JOIN cell issued ON issued.report_id = p.id AND issued.part = 'active' AND issued.row_key = item.key AND issued.col_key = 'issued'
LEFT JOIN cell repealed ON repealed.report_id = p.id AND repealed.part = 'active' AND repealed.row_key = item.key AND repealed.col_key = 'repealed'
WHERE now.value IS NOT NULL AND before.value IS NOT NULL
"""


def _build_cross_year_checks(db: sqlite_utils.Database) -> None:
    """Checks between an agency's consecutive years, in ``checks`` with both reports:
    last year's 结转下年度继续办理 against this year's 上年结转 (cross_year_carried_over), and for
    2021-format tables 现行有效件数 against last year's plus 制发 minus 废止 (cross_year_in_force)."""
    db.execute(
        f"""INSERT INTO checks (id, report_id, previous_report_id, identity, key, lhs, rhs, diff, ok)
        SELECT id || '-' || identity || '-' || key, id, previous_id, identity, key, lhs, rhs, lhs - rhs, lhs = rhs
        FROM ({_CROSS_YEAR_SQL})"""
    )


def _build_coverage(db: sqlite_utils.Database) -> None:
    years = [r[0] for r in db.execute("SELECT DISTINCT year FROM reports ORDER BY year")]
    reports = [dict(r) for r in db.query(
        "SELECT r.year, coalesce(a.adcode, r.adcode) AS adcode, a.kind FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id")]
    failed = []
    for source in db.query("SELECT path FROM sources WHERE status = 'error'"):
        year = re.search(r"(?:19|20)\d{2}", source["path"])
        failed.append((source["path"], int(year.group(0)) if year else None))
    db["coverage"].insert_all(coverage.rows(years, coverage.held(reports, failed)), pk="id")
    if not years:
        db["coverage"].create({"id": str, "adcode": str, "name": str, "level": str, "year": int}, pk="id", if_not_exists=True)


def _explain_problems(db: sqlite_utils.Database) -> None:
    """Why each file was not read, in Chinese and English (ogi/messages.py)."""
    updates = []
    for source in db.query("SELECT id, status, error, bytes FROM sources WHERE status <> 'parsed'"):
        found = messages.problem(source["status"], source["error"], source["bytes"])
        if found:
            updates.append((found.kind, found.zh, found.en, source["id"]))
    with db.conn:
        db.conn.executemany("UPDATE sources SET problem = ?, problem_zh = ?, problem_en = ? WHERE id = ?", updates)


def build(db: sqlite_utils.Database) -> None:
    """Add the agencies, the tables for people, cross-year checks, coverage, the provenance
    view, the data dictionary and the search index."""
    db.execute("UPDATE reports SET label = agency || ' ' || year")
    _explain_problems(db)
    _build_agencies(db)
    _build_cross_year_checks(db)
    _build_coverage(db)
    _build_requests_wide(db)
    _build_appeals_wide(db)
    _build_active_wide(db)
    _build_summary(db)
    _build_provenance(db)
    _build_dictionary(db)
    _build_search_index(db)
    for table in ("requests_wide", "appeals_wide", "active_wide"):
        db.execute(f"CREATE INDEX {table}_report ON {table}(report_id)")
        db.execute(f"CREATE INDEX {table}_year_province ON {table}(year, province)")
    db.execute("CREATE INDEX report_summary_year_province ON report_summary(year, province)")
