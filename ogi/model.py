"""The plain data that flows through the pipeline, one stage to the next.

read:   file            -> Document (rows of Cells, each with its Location)
locate: Document        -> Parts (title, agency, year, one Section per part 一…六)
map:    Parts           -> Values keyed by items.csv, with the format of each table
check:  Values          -> Checks (one per identity and key)
load:   Reports         -> SQLite
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal


class ParseError(Exception):
    """A file that cannot be read as a report; the message is one sentence for a person."""


@dataclass(frozen=True)
class Location:
    """Where a piece of text was found. Readers fill what their format has."""

    line: int | None = None  # 1-based line of a text file
    char: int | None = None  # 1-based character offset in that line
    page: int | None = None  # 1-based page of a PDF
    bbox: tuple[float, float, float, float] | None = None  # PDF points: x0, top, x1, bottom
    table: int | None = None  # 1-based table of a DOCX/HTML/PDF page
    row: int | None = None  # 1-based row in that table
    col: int | None = None  # 1-based column in that table

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def describe(self) -> str:
        parts = []
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.table is not None:
            parts.append(f"table {self.table} row {self.row} col {self.col}")
        if self.line is not None:
            parts.append(f"line {self.line}" + (f":{self.char}" if self.char else ""))
        return ", ".join(parts) or "unknown"


@dataclass
class Cell:
    text: str  # exactly as the reader found it
    loc: Location
    # True for a grid position covered by a merged cell (rowspan/colspan, gridSpan/vMerge, a
    # PDF cell spanning columns): it keeps the grid's column numbers but holds no value, so it
    # is never read as a blank (= 0) cell.
    merged: bool = False


@dataclass
class Row:
    """One line of a text file, or one row of a table grid."""

    cells: list[Cell]
    loc: Location

    @property
    def text(self) -> str:
        return " ".join(c.text.strip() for c in self.cells if c.text.strip())


@dataclass
class Document:
    path: str
    kind: str  # txt, md, pdf, docx, html …
    rows: list[Row]
    # Where and when the document was published, when it says so itself (a web page's
    # canonical address and 发布时间); ogi/load.py's sources.csv manifest can say it for any file.
    published_url: str | None = None
    published_on: str | None = None  # YYYY-MM-DD


@dataclass
class Section:
    part: str  # overview, active, requests, appeals, problems, other
    heading: str
    rows: list[Row]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.rows)

    @property
    def loc(self) -> Location:
        return self.rows[0].loc if self.rows else Location()


@dataclass
class Parts:
    title: str
    agency: str
    year: int
    sections: dict[str, Section]
    document: Document


@dataclass
class Value:
    """One number of the report, keyed by the vocabulary, with where and how it was printed."""

    part: str  # active, requests, appeals
    row_key: str | None  # None for a printed row that is not in the template
    col_key: str
    value: Decimal | None  # None: printed "/" or "—" (not applicable)
    raw: str | None  # the cell text; "" for a blank cell; None when inferred
    loc: Location
    row_label: str  # the row's label as printed
    inferred: bool = False
    note: str | None = None
    # Set by ogi/corrections.py when a maintainer's correction replaced the parser's reading:
    # ``value`` is then the corrected number, ``parsed_value`` what the parser read.
    corrected: bool = False
    parsed_value: Decimal | None = None
    correction: str | None = None  # the reason, as corrections.csv gives it


@dataclass
class Check:
    identity: str  # requests_balance, requests_results_sum, requests_row_total, appeals_total
    key: str
    lhs: Decimal
    rhs: Decimal

    @property
    def diff(self) -> Decimal:
        return self.lhs - self.rhs

    @property
    def ok(self) -> bool:
        return self.diff == 0


@dataclass
class Warning:
    message: str
    loc: Location | None = None


@dataclass
class Region:
    """Where an agency is (ogi/region.py): full official names and the adcode of the deepest
    division settled, with its coordinates; the agency's own level; how it was settled."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None
    longitude: float | None = None  # of the division ``adcode`` names (cpca's table)
    latitude: float | None = None
    # The agency's level: province, city, county; township (a 乡/镇/街道 agency, placed at its
    # county); zone (a development zone or new area, placed at the division administering it).
    level: str | None = None
    status: str | None = None  # settled, ambiguous, not_found
    why: str | None = None  # one line: the evidence that settled it, or why it could not be


@dataclass
class NarrativeFigure:
    """A figure the report states in words (ogi/narrative.py): 全年共主动公开政府信息608条."""

    # active_total, active_website, active_part, requests_received, requests_carried_over,
    # requests_answered, requests_carried_forward, reviews, lawsuits
    key: str
    value: Decimal
    unit: str  # as printed: 条, 件, 宗 …; "" for a figure stated as none (本年度未收到公开申请)
    raw: str  # the text matched, as printed
    sentence: str  # the sentence it was read from
    loc: Location  # the line (page) where the number (or the statement of none) is printed
    part: str  # the section: overview, problems, other
    label: str | None = None  # active_part: the item as printed (政策法规)


@dataclass
class Report:
    path: str
    title: str
    agency: str  # in Simplified characters (for facets, joins and search)
    agency_printed: str  # as the title prints it (Traditional characters kept)
    year: int
    format: str
    table_formats: dict[str, str]
    region: Region
    values: list[Value]
    checks: list[Check]
    sections: dict[str, Section]
    warnings: list[Warning] = field(default_factory=list)
    published_url: str | None = None
    published_on: str | None = None
    # What the narrative states in words (ogi/narrative.py), and its checks against the tables:
    # kept apart from ``checks`` (the tables' own identities), so corrections recompute both.
    narrative: list[NarrativeFigure] = field(default_factory=list)
    narrative_checks: list[Check] = field(default_factory=list)

    @property
    def mixed_format(self) -> bool:
        return len(set(self.table_formats.values())) > 1
