"""OCR for scanned pages: page images in, the Rows every reader produces out.

In: a PDF and the 1-based numbers of its pages that have no text layer (rendered with
pypdfium2 at 200 dpi or more), or a PIL image with the factor from its pixels to PDF points.
Out: ``Row``s in reading order, each Cell with its page and bbox (x0, top, x1, bottom):
- a line of narrative text is one Row of one Cell (boxes far apart on a line are separate cells);
- a ruled table is rebuilt as a grid from its ruling lines (long thin dark runs in the image),
  one Row per grid row and one Cell per grid column: ``Cell("")`` where a grid cell holds no
  text, ``Cell("", merged=True)`` where a merged cell covers the position, and the lines of a
  label wrapped inside one cell joined with "\\n". OCR gives text boxes, not a grid; a blank
  cell gives no box at all, so without the grid every later value would slide one column left.
  The rules are erased before the OCR, and each line of a cell is read again from its own
  ink, so that a lone digit, a minus sign or a cell the detector missed is not lost;
- a table without ruling lines gets its columns from the x-extents of its number cells.

rapidocr-onnxruntime (the ``ocr`` extra) and numpy are imported on first use, so importing this
module is cheap and a missing extra is a ``ReadError`` that says what to install.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Callable

from ..model import Cell, Location, Row
from ..text import is_not_applicable, parse_number
from . import ReadError

if TYPE_CHECKING:
    import numpy
    from PIL import Image

MIN_DPI = 200  # at 150 dpi rapidocr starts to misread digits; at 200 a table page reads as printed
# Images larger than this (photos) are shrunk first: detection time grows with the pixel count
# and such images hold far more than 200 dpi of detail anyway.
MAX_SIDE = 3600
DARK = 170  # grey level below which a pixel is ink (anti-aliased 0.5 pt rules render ~100–150)
# A table cell's line is read again from its own ink; a reading of a cell the detector found
# nothing in must be at least this sure to count (the detector's own threshold is 0.5).
RESCUE_SCORE = 0.3
INSTALL_HINT = "this page is a scan and reading it needs OCR: pip install 'ogi-reports[ocr]'"


# --- the OCR engine ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _engine():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as e:
        raise ReadError(INSTALL_HINT) from e
    # rapidocr would shrink an A4 page at 200 dpi to about 170 dpi (max_side_len 2000) and
    # then lose lone digits; pages arrive already at the resolution they should be read at.
    return RapidOCR(max_side_len=MAX_SIDE + 1)


@dataclass
class Box:
    """A piece of text the OCR found, in image pixels."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    score: float = 1.0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


def detect_boxes(gray: numpy.ndarray) -> list[Box]:
    result, _ = _engine()(gray)
    boxes = []
    for quad, text, score in result or []:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        if text.strip():
            boxes.append(Box(text.strip(), min(xs), min(ys), max(xs), max(ys), float(score)))
    return boxes


def recognise(crops: list[numpy.ndarray]) -> list[tuple[str, float]]:
    """(text, confidence) of each crop holding one line of print, read in batches."""
    import numpy as np

    if not crops:
        return []
    # RapidOCR's public call reads one crop at a time; its recogniser (text_rec, the same
    # model) takes a list and batches it. It wants three channels: the same grey in each.
    results, _ = _engine().text_rec([np.repeat(c[:, :, None], 3, axis=2) for c in crops])
    return [(text.strip(), float(score)) for text, score, *_ in results]


# --- ruling lines -----------------------------------------------------------------------------


@dataclass
class Rule:
    """A ruling line: for a horizontal one ``pos`` is its y and start/end its x-extent."""

    pos: float
    start: float
    end: float
    thickness: int = 1

    def across(self) -> slice:
        """The pixels across the rule, with a pixel of anti-aliased fringe on each side."""
        half = self.thickness / 2 + 1
        return slice(max(0, int(self.pos - half)), int(self.pos + half) + 1)

    def along(self) -> slice:
        return slice(max(0, int(self.start) - 1), int(self.end) + 2)


def long_runs(mask: numpy.ndarray, min_length: float, max_gap: int = 2) -> list[tuple[int, int, int]]:
    """(row, start, end) of the runs of ink along each row of ``mask`` at least ``min_length``
    long; gaps of up to ``max_gap`` pixels (a faint spot in a scanned rule) are bridged."""
    import numpy as np

    height, width = mask.shape
    padded = np.zeros((height, width + 2), np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    rows, starts = np.nonzero(step == 1)
    _, ends = np.nonzero(step == -1)
    if not len(rows):
        return []
    bridged = (rows[1:] == rows[:-1]) & (starts[1:] - ends[:-1] <= max_gap)
    first = np.flatnonzero(np.r_[True, ~bridged])
    rows, starts, ends = rows[first], starts[first], np.maximum.reduceat(ends, first)
    keep = ends - starts >= min_length
    return list(zip(rows[keep].tolist(), starts[keep].tolist(), ends[keep].tolist()))


def rules_from_runs(runs: list[tuple[int, int, int]], max_thickness: float) -> list[Rule]:
    """Runs on neighbouring rows that overlap are one rule; thick blobs (filled areas) are not rules."""
    growing: list[list[int]] = []  # [first_row, last_row, start, end]
    finished: list[list[int]] = []
    for row, start, end in sorted(runs):
        finished += [g for g in growing if g[1] < row - 1]
        growing = [g for g in growing if g[1] >= row - 1]
        touching = next((g for g in growing if start <= g[3] + 2 and end >= g[2] - 2), None)
        if touching is None:
            growing.append([row, row, start, end])
        else:
            touching[1], touching[2], touching[3] = row, min(touching[2], start), max(touching[3], end)
    return [
        Rule((first + last + 1) / 2, start, end, last - first + 1)
        for first, last, start, end in finished + growing
        if last - first + 1 <= max_thickness
    ]


def meets(horizontal: Rule, vertical: Rule, tol: float) -> bool:
    return (
        vertical.start - tol <= horizontal.pos <= vertical.end + tol
        and horizontal.start - tol <= vertical.pos <= horizontal.end + tol
    )


def connected_rules(horizontal: list[Rule], vertical: list[Rule], tol: float) -> tuple[list[Rule], list[Rule]]:
    """Only rules that form cells: each crosses or meets at least two rules of the other
    direction. A stroke of a heading just above a table touches one at most, an underline none.
    (Not "ends on a rule at both ends": a table cut by the page break has no bottom rule.)"""
    while True:
        kept_v = [v for v in vertical if sum(meets(h, v, tol) for h in horizontal) >= 2]
        kept_h = [h for h in horizontal if sum(meets(h, v, tol) for v in kept_v) >= 2]
        if len(kept_h) == len(horizontal) and len(kept_v) == len(vertical):
            return kept_h, kept_v
        horizontal, vertical = kept_h, kept_v


def find_rules(dark: numpy.ndarray) -> tuple[list[Rule], list[Rule]]:
    """The page's ruling lines, found before the OCR so that they can be erased for it."""
    # Sizes follow the page, as the text is not read yet: body text is about a fiftieth of
    # the width of a page. A horizontal rule spans a cell or more, a vertical one at least a
    # row, which is taller than most strokes of the text; the strokes that pass are dropped
    # because they don't meet two rules of the other direction.
    text_height = max(10.0, dark.shape[1] / 50)
    max_thickness = max(6.0, text_height / 2)
    horizontal = rules_from_runs(long_runs(dark, 2 * text_height), max_thickness)
    vertical = rules_from_runs(long_runs(dark.T, 0.9 * text_height), max_thickness)
    return connected_rules(horizontal, vertical, tol=max(3.0, text_height / 3))


def erase_rules(gray: numpy.ndarray, horizontal: list[Rule], vertical: list[Rule]) -> numpy.ndarray:
    """The page without its ruling lines: the detector then stops mistaking a rule beside a
    character for part of it (一、 next to a cell's border came back as 、) and reads lone
    digits with more confidence."""
    clean = gray.copy()
    for rule in horizontal:
        clean[rule.across(), rule.along()] = 255
    for rule in vertical:
        clean[rule.along(), rule.across()] = 255
    return clean


# --- ruled tables as grids --------------------------------------------------------------------


@dataclass
class Region:
    """The grid cells one printed cell covers (one, or several when merged) and its text boxes."""

    cells: list[tuple[int, int]]  # (row, col), top-left first
    bbox: tuple[float, float, float, float]  # image pixels
    boxes: list[Box] = field(default_factory=list)
    text: str = ""

    def interior(self, clear: int = 3) -> tuple[int, int, int, int]:
        """The bbox without the fringe of its rules (the rules themselves are erased already)."""
        x0, top, x1, bottom = (int(v) for v in self.bbox)
        return x0 + clear, top + clear, max(x0 + clear, x1 - clear), max(top + clear, bottom - clear)

    @property
    def anchor(self) -> tuple[int, int]:
        return self.cells[0]


@dataclass
class Grid:
    xs: list[float]  # column boundaries, left to right
    ys: list[float]  # row boundaries, top to bottom
    regions: list[Region]
    region_at: dict[tuple[int, int], Region]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    def contains(self, box: Box) -> bool:
        x0, top, x1, bottom = self.bbox
        return x0 <= box.cx <= x1 and top <= box.cy <= bottom

    def row_at(self, y: float) -> int:
        return min(max(bisect_right(self.ys, y) - 1, 0), len(self.ys) - 2)

    def col_at(self, x: float) -> int:
        return min(max(bisect_right(self.xs, x) - 1, 0), len(self.xs) - 2)

    def cell_bbox(self, row: int, col: int) -> tuple[float, float, float, float]:
        return self.xs[col], self.ys[row], self.xs[col + 1], self.ys[row + 1]


def cluster(values: list[float], tol: float) -> list[float]:
    """Positions within ``tol`` of each other are one (a rule drawn twice, rules ending on a border)."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= tol:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(g) / len(g) for g in groups]


def has_rule(rules: list[Rule], pos: float, start: float, end: float, tol: float) -> bool:
    covered = sum(max(0.0, min(end, r.end) - max(start, r.start)) for r in rules if abs(r.pos - pos) <= tol)
    return covered >= 0.5 * (end - start)


def build_grid(horizontal: list[Rule], vertical: list[Rule], tol: float) -> Grid:
    # A table may lack its outer border on a side: the ends of the other rules stand in for it.
    xs = cluster([v.pos for v in vertical] + [min(h.start for h in horizontal), max(h.end for h in horizontal)], tol)
    ys = cluster([h.pos for h in horizontal] + [min(v.start for v in vertical), max(v.end for v in vertical)], tol)
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = {(r, c): (r, c) for r in range(n_rows) for c in range(n_cols)}

    def root(cell):
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    # Two neighbouring grid cells with no rule between them belong to one printed (merged) cell.
    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not has_rule(vertical, xs[c + 1], ys[r], ys[r + 1], tol):
                parent[root((r, c + 1))] = root((r, c))
            if r + 1 < n_rows and not has_rule(horizontal, ys[r + 1], xs[c], xs[c + 1], tol):
                parent[root((r + 1, c))] = root((r, c))
    members: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for cell in sorted(parent):
        members.setdefault(root(cell), []).append(cell)
    regions, region_at = [], {}
    for cells in sorted(members.values()):
        rows, cols = [r for r, _ in cells], [c for _, c in cells]
        region = Region(cells, (xs[min(cols)], ys[min(rows)], xs[max(cols) + 1], ys[max(rows) + 1]))
        regions.append(region)
        region_at.update({cell: region for cell in cells})
    return Grid(xs, ys, regions, region_at)


def ruled_grids(horizontal: list[Rule], vertical: list[Rule], tol: float) -> list[Grid]:
    """One grid per set of rules that touch each other; a lone frame (one cell) is not a table."""
    rules = [("h", r) for r in horizontal] + [("v", r) for r in vertical]
    group = list(range(len(rules)))

    def root(i):
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for i, (kind_i, rule_i) in enumerate(rules):
        for j in range(i + 1, len(rules)):
            kind_j, rule_j = rules[j]
            if kind_i == "h" and kind_j == "v" and meets(rule_i, rule_j, tol):
                group[root(j)] = root(i)
    tables: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, (kind, rule) in enumerate(rules):
        table = tables.setdefault(root(i), ([], []))
        table[0 if kind == "h" else 1].append(rule)
    grids = [build_grid(h, v, tol) for h, v in tables.values() if len(h) >= 2 and len(v) >= 2]
    return sorted((g for g in grids if len(g.regions) > 1), key=lambda g: g.ys[0])


def place_boxes(grid: Grid, boxes: list[Box], tol: float) -> None:
    """Each box into the printed cell it lies in. A box the detector drew across a rule holds
    the text of several cells: each cell gets the part over it without text, to be read again
    from its own ink (``read_cells``), so numbers are never merged across cells."""
    for box in boxes:
        row = grid.row_at(box.cy)
        first, last = grid.col_at(box.x0 + tol), grid.col_at(box.x1 - tol)
        crossed = []
        for col in range(min(first, last), max(first, last) + 1):
            if grid.region_at[row, col] not in crossed:
                crossed.append(grid.region_at[row, col])
        if len(crossed) == 1:
            crossed[0].boxes.append(box)
            continue
        for region in crossed:
            x0, x1 = max(box.x0, region.bbox[0]), min(box.x1, region.bbox[2])
            if x1 - x0 >= box.height / 3:
                region.boxes.append(Box("", x0, box.top, x1, box.bottom, score=0.0))


def ink_bands(inked_rows: numpy.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of rows holding ink: the lines of print of a cell."""
    import numpy as np

    step = np.diff(np.r_[0, inked_rows.astype(np.int8), 0])
    return list(zip(np.flatnonzero(step == 1).tolist(), np.flatnonzero(step == -1).tolist()))


def line_crop(clean: numpy.ndarray, ink: numpy.ndarray, origin: tuple[int, int], band: tuple[int, int], text_height: float) -> numpy.ndarray:
    """The ink of one line of a cell, cut tight and set on a white margin: the recogniser reads
    a lone digit or a minus sign far more surely so than from the detector's looser box."""
    import numpy as np

    x0, top = origin
    columns = np.flatnonzero(ink[band[0] : band[1]].any(axis=0))
    crop = clean[top + band[0] : top + band[1], x0 + columns[0] : x0 + columns[-1] + 1]
    height = crop.shape[0]
    # a dash of "not applicable" is a few pixels tall: give it the height of a line of text
    margin_y = max(2, round(0.25 * height), round((0.7 * text_height - height) / 2))
    margin_x = max(2, round(0.25 * height))
    canvas = np.full((height + 2 * margin_y, crop.shape[1] + 2 * margin_x), 255, np.uint8)
    canvas[margin_y : margin_y + height, margin_x : margin_x + crop.shape[1]] = crop
    return canvas


def cell_lines(region: Region, ink: numpy.ndarray, text_height: float) -> list[tuple[list[Box], tuple[int, int] | None]]:
    """The cell's lines of print: the detector's boxes of each line and the band of ink rows it
    covers (None where that band is not one plain line, e.g. a column of vertical text). A
    cell with ink but no boxes at all (the detector drops a lone '0' or '1' now and then) is
    one line of its own, unless the ink is only a speck."""
    _, top, _, _ = region.interior()
    bands = ink_bands(ink.any(axis=1))
    if not region.boxes:
        if not bands or ink.sum() < 10:
            return []
        whole = (bands[0][0], bands[-1][1])
        height = whole[1] - whole[0]
        width = len(ink.any(axis=0).nonzero()[0])
        plausible = height <= 1.5 * text_height and (height >= 0.3 * text_height or width >= 0.4 * text_height)
        return [([], whole)] if plausible else []
    lines = []
    for boxes in group_lines(region.boxes):
        line_top, line_bottom = min(b.top for b in boxes) - top, max(b.bottom for b in boxes) - top
        # Bands of this line, and not of its neighbours: their middles lie inside its boxes.
        # (A character like 三 is several bands by itself.)
        mine = [b for b in bands if line_top <= (b[0] + b[1]) / 2 <= line_bottom]
        band = (mine[0][0], mine[-1][1]) if mine else None
        if band and band[1] - band[0] > 1.5 * text_height:
            band = None
        lines.append((boxes, band))
    return lines


def read_cells(grid: Grid, clean: numpy.ndarray, text_height: float) -> None:
    """Each cell's text, line by line: the line's own ink read again on its own, unless that
    reading is unsure and the detector's was surer (a detector's box may cover part of a line
    only, and then reads '6' for '-6' with confidence)."""
    readings: list[list[list]] = []  # per region, per line: [text, confidence]
    crops, targets = [], []
    for region in grid.regions:
        x0, top, x1, bottom = region.interior()
        ink = clean[top:bottom, x0:x1] < DARK
        lines = []
        for boxes, band in cell_lines(region, ink, text_height):
            lines.append([join_boxes(boxes) if boxes else "", min((b.score for b in boxes), default=0.0)])
            if band is not None:
                crops.append(line_crop(clean, ink, (x0, top), band, text_height))
                targets.append(lines[-1])
        readings.append(lines)
    for line, (text, score) in zip(targets, recognise(crops)):
        if text and (score >= 0.5 or score > line[1]):
            line[:] = [text, score]
    for region, lines in zip(grid.regions, readings):
        region.text = clean_number("\n".join(text for text, score in lines if text and score >= RESCUE_SCORE))


# --- boxes into lines and cells ---------------------------------------------------------------


def group_lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes whose vertical extents mostly overlap form one visual line, sorted left to right."""
    lines: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        if lines:
            line = lines[-1]
            top, bottom = min(b.top for b in line), max(b.bottom for b in line)
            smaller = min(box.height, median(b.height for b in line))
            if min(bottom, box.bottom) - max(top, box.top) >= 0.5 * smaller:
                line.append(box)
                continue
        lines.append([box])
    return [sorted(line, key=lambda b: b.x0) for line in lines]


def join_boxes(boxes: list[Box]) -> str:
    """One line's boxes as text; boxes that touch are one word (a number is never split by a space)."""
    text = boxes[0].text
    for before, after in zip(boxes, boxes[1:]):
        gap = after.x0 - before.x1
        text += (" " if gap > 0.25 * min(before.height, after.height) else "") + after.text
    return text


# Confusions of the recogniser inside a table cell, undone only where the result is a number
# (or a dash): a minus sign read as the character 一 or a long dash, a lone 0 read as the
# letter O or as a pair of brackets, the "—" of "not applicable" read as 一.
_DASH_BEFORE_DIGITS = re.compile(r"^[一—–－](?=\s*\d)")
_ZERO_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "〇": "0", "Ｏ": "0"})
_ZERO_AS_BRACKETS = {"()", "（）", "(）", "（)"}
_LONE_DASH = {"一"}


def clean_number(text: str) -> str:
    stripped = text.strip()
    if stripped in _LONE_DASH:
        return "—"
    fixed = "0" if stripped in _ZERO_AS_BRACKETS else _DASH_BEFORE_DIGITS.sub("-", stripped).translate(_ZERO_LOOKALIKES)
    return fixed if parse_number(fixed) is not None else text


def span_bbox(boxes: list[Box]) -> tuple[float, float, float, float]:
    return min(b.x0 for b in boxes), min(b.top for b in boxes), max(b.x1 for b in boxes), max(b.bottom for b in boxes)


@dataclass
class Piece:
    """Boxes of one line close enough together to be one cell."""

    boxes: list[Box]

    @property
    def text(self) -> str:
        return join_boxes(self.boxes)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return span_bbox(self.boxes)

    @property
    def is_value(self) -> bool:
        text = clean_number(self.text)
        return parse_number(text) is not None or is_not_applicable(text)


def split_pieces(line: list[Box]) -> list[Piece]:
    """A gap wider than about two characters separates cells (label and numbers of an unruled table)."""
    pieces = [Piece([line[0]])]
    for before, after in zip(line, line[1:]):
        if after.x0 - before.x1 > 1.5 * min(before.height, after.height):
            pieces.append(Piece([after]))
        else:
            pieces[-1].boxes.append(after)
    return pieces


# --- tables without ruling lines --------------------------------------------------------------


def unruled_blocks(lines: list[list[Piece]]) -> list[tuple[int, int]]:
    """(first, end) of each run of multi-cell lines that holds at least one row of numbers."""
    blocks, start = [], None
    for i, line in enumerate(lines + [[]]):
        if len(line) >= 2:
            start = i if start is None else start
            continue
        if start is not None and any(p.is_value for l in lines[start:i] for p in l):
            blocks.append((start, i))
        start = None
    return blocks


def value_columns(lines: list[list[Piece]]) -> list[tuple[float, float]]:
    """Columns as the x-ranges that the cells of number rows occupy (overlapping ranges are one
    column); header cells are left out because one may span several columns."""
    spans = sorted(
        (p.bbox[0], p.bbox[2]) for line in lines if any(p.is_value for p in line) for p in line
    )
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(x0, x1) for x0, x1 in columns]


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def columns_of(piece: Piece, columns: list[tuple[float, float]]) -> list[int]:
    x0, _, x1, _ = piece.bbox
    touched = [i for i, (c0, c1) in enumerate(columns) if overlap(x0, x1, c0, c1) > 0]
    if not touched:  # in a gutter: the nearest column
        centre = (x0 + x1) / 2
        return [min(range(len(columns)), key=lambda i: abs((columns[i][0] + columns[i][1]) / 2 - centre))]
    if piece.is_value and len(touched) > 1:  # a number belongs to one column only
        return [max(touched, key=lambda i: overlap(x0, x1, *columns[i]))]
    return touched


def unruled_table_rows(lines: list[list[Piece]], page: int | None, scale: float, table: int) -> list[Row]:
    columns = value_columns(lines)
    rows = []
    for number, line in enumerate(lines, start=1):
        top, bottom = min(p.bbox[1] for p in line), max(p.bbox[3] for p in line)
        pieces_in: dict[int, list[Piece]] = {}
        spanned: set[int] = set()  # columns a header piece reaches into beyond its first
        for piece in line:
            first, *rest = columns_of(piece, columns)
            pieces_in.setdefault(first, []).append(piece)
            spanned.update(rest)
        cells = []
        for col, (x0, x1) in enumerate(columns):
            pieces = pieces_in.get(col)
            bbox = span_bbox([b for p in pieces for b in p.boxes]) if pieces else (x0, top, x1, bottom)
            loc = Location(page=page, bbox=points(bbox, scale), table=table, row=number, col=col + 1)
            if pieces:
                cells.append(Cell(clean_number(" ".join(p.text for p in pieces)), loc))
            else:
                cells.append(Cell("", loc, merged=col in spanned))
        row_bbox = points((columns[0][0], top, columns[-1][1], bottom), scale)
        rows.append(Row(cells, Location(page=page, bbox=row_bbox, table=table, row=number)))
    return rows


# --- the page ---------------------------------------------------------------------------------


def points(bbox: tuple[float, float, float, float], scale: float) -> tuple[float, float, float, float]:
    return tuple(round(v * scale, 2) for v in bbox)


def grid_rows(grid: Grid, page: int | None, scale: float, table: int) -> list[Row]:
    rows = []
    for r in range(len(grid.ys) - 1):
        cells = []
        for c in range(len(grid.xs) - 1):
            region = grid.region_at[r, c]
            if region.anchor == (r, c):
                loc = Location(page=page, bbox=points(region.bbox, scale), table=table, row=r + 1, col=c + 1)
                cells.append(Cell(region.text, loc))
            else:
                loc = Location(page=page, bbox=points(grid.cell_bbox(r, c), scale), table=table, row=r + 1, col=c + 1)
                cells.append(Cell("", loc, merged=True))
        bbox = (grid.xs[0], grid.ys[r], grid.xs[-1], grid.ys[r + 1])
        rows.append(Row(cells, Location(page=page, bbox=points(bbox, scale), table=table, row=r + 1)))
    return rows


def text_row(pieces: list[Piece], page: int | None, scale: float) -> Row:
    cells = [Cell(p.text, Location(page=page, bbox=points(p.bbox, scale))) for p in pieces]
    return Row(cells, Location(page=page, bbox=points(span_bbox([b for p in pieces for b in p.boxes]), scale)))


@dataclass
class Block:
    """Rows of the page that belong together (a table, or a line of text), placed by their top."""

    top: float
    rows: Callable[[int | None], list[Row]]  # given the table's number on the page (None: not a table)
    is_table: bool


def free_text_blocks(boxes: list[Box], page: int | None, scale: float) -> list[Block]:
    """The text outside ruled tables: narrative lines, and tables without rules as grids."""
    lines = [split_pieces(line) for line in group_lines(boxes)]
    blocks, in_table = [], set()
    for start, end in unruled_blocks(lines):
        table = lines[start:end]
        top = min(p.bbox[1] for p in table[0])
        blocks.append(Block(top, lambda n, table=table: unruled_table_rows(table, page, scale, n), True))
        in_table.update(range(start, end))
    for i, line in enumerate(lines):
        if i not in in_table:
            top = min(p.bbox[1] for p in line)
            blocks.append(Block(top, lambda _, line=line: [text_row(line, page, scale)], False))
    return blocks


def ruled_table_blocks(grids: list[Grid], clean: numpy.ndarray, text_height: float, page: int | None, scale: float) -> list[Block]:
    blocks = []
    for grid in grids:
        read_cells(grid, clean, text_height)
        blocks.append(Block(grid.ys[0], lambda n, grid=grid: grid_rows(grid, page, scale, n), True))
    return blocks


def grey_page(image: Image.Image, scale: float) -> tuple[numpy.ndarray, float]:
    """The image as grey levels on white, no larger than MAX_SIDE, and its scale to points."""
    import numpy as np
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # transparent pixels are black underneath: without a white backing the page is all ink
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    if max(image.size) > MAX_SIDE:
        factor = MAX_SIDE / max(image.size)
        image = image.resize((round(image.width * factor), round(image.height * factor)))
        scale /= factor
    return np.asarray(image.convert("L")), scale


def ocr_image(image: Image.Image, page: int | None, scale: float) -> list[Row]:
    """Rows of one page image; ``scale`` turns its pixels into PDF points (72/dpi; 1.0 keeps pixels)."""
    _engine()  # a missing extra is reported before any work
    gray, scale = grey_page(image, scale)
    horizontal, vertical = find_rules(gray < DARK)
    clean = erase_rules(gray, horizontal, vertical)
    boxes = detect_boxes(clean)
    if not boxes:
        return []
    text_height = median(b.height for b in boxes)
    tol = max(3.0, text_height / 2)
    grids = ruled_grids(horizontal, vertical, tol)
    free = []
    for box in boxes:
        grid = next((g for g in grids if g.contains(box)), None)
        if grid is None:
            free.append(box)
        else:
            place_boxes(grid, [box], tol)
    blocks = ruled_table_blocks(grids, clean, text_height, page, scale)
    blocks += free_text_blocks(free, page, scale)
    rows, tables = [], 0
    for block in sorted(blocks, key=lambda b: b.top):
        tables += block.is_table
        rows += block.rows(tables if block.is_table else None)
    return rows


def ocr_pdf_pages(path: Path, pages: list[int], dpi: int = MIN_DPI) -> list[Row]:
    """Rows of the given 1-based pages of a PDF, each rendered at ``dpi`` and read by OCR."""
    if dpi < MIN_DPI:
        raise ValueError(f"OCR needs at least {MIN_DPI} dpi (digits are misread below), got {dpi}")
    _engine()
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        rows = []
        for number in pages:
            if not 1 <= number <= len(pdf):
                raise ReadError(f"page {number} does not exist (the PDF has {len(pdf)})")
            image = pdf[number - 1].render(scale=dpi / 72, grayscale=True).to_pil()
            rows += ocr_image(image, number, 72 / dpi)
        return rows
    finally:
        pdf.close()
