"""PDF: ruled tables as grids, other text as lines, scanned pages through OCR.

In: a PDF file. Out: a Document whose rows are, page by page and top to bottom, the rows of
each ruled table (cells with page, bbox and table/row/col; positions covered by a merged cell
marked ``merged``) and the lines of text outside tables (split into cells where a wide gap
separates words, so ``规章   0   0   0`` printed without rules still gives one cell per value).

What pdfplumber's tables get wrong on real reports is repaired here, once:
- a row cut by a page break (its label continues at the top of the next page, in a row
  without a row marker) is joined to its first half, cell by cell;
- page numbers (``- 4 -``, ``— 5 —``, ``第 4 页``) are dropped, so they never join a row;
- a page whose text layer has no Chinese characters is a scan and is read by OCR.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Cell, Document, Location, Row
from ..text import PAGE_NUMBER_FORMS, ROW_MARKER, parse_number

_CJK = re.compile(r"[\u4e00-\u9fff]")
# PDF footers also print '3 / 12', which in a text file could be a cell of its own.
_PAGE_NUMBER = re.compile(rf"^(?:{PAGE_NUMBER_FORMS}|\d{{1,3}}\s*/\s*\d{{1,3}})$")
LINE_TOLERANCE = 3  # points: words whose tops differ less are on one line
GAP_FACTOR = 1.5  # a gap wider than this many character widths separates two cells


def read(path: Path) -> Document:
    import pdfplumber  # imported here: only PDF input pays for it

    from . import ReadError

    scanned = _pages_without_chinese(path)
    try:
        pdf = pdfplumber.open(path)
    except Exception as e:  # pdfminer raises many kinds of errors on damaged files
        raise ReadError(f"not a readable PDF ({type(e).__name__})") from e
    rows: list[Row] = []
    with pdf:
        if not pdf.pages:
            raise ReadError("the PDF has no pages")
        for number, page in enumerate(pdf.pages, start=1):
            if number in scanned:
                from . import ocr

                page_rows = [r for r in ocr.ocr_pdf_pages(path, [number]) if not _PAGE_NUMBER.match(r.text.strip())]
            else:
                page_rows = _page_rows(page, number)
            rows += _join_cut_row(rows, page_rows)
    return Document(str(path), "pdf", rows)


def _pages_without_chinese(path: Path) -> set[int]:
    """Pages whose text layer holds no Chinese character: scans (or text drawn as images).
    pypdfium2 gives a page's plain text in about a millisecond, without layout analysis."""
    import pypdfium2

    from . import ReadError

    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as e:
        raise ReadError(f"not a readable PDF ({e})") from e
    try:
        scanned = set()
        for number in range(1, len(document) + 1):
            page = document[number - 1]
            text = page.get_textpage().get_text_range()
            if not _CJK.search(text):
                scanned.add(number)
        return scanned
    finally:
        document.close()


def _page_rows(page, number: int) -> list[Row]:
    tables = page.find_tables()
    placed: list[tuple[float, Row]] = []
    for t, table in enumerate(tables, start=1):
        texts = table.extract()
        for r, (row, row_texts) in enumerate(zip(table.rows, texts), start=1):
            cells = []
            for c, (bbox, text) in enumerate(zip(row.cells, row_texts), start=1):
                loc = Location(page=number, bbox=tuple(bbox) if bbox else None, table=t, row=r, col=c)
                cells.append(Cell(text or "", loc, merged=bbox is None))
            placed.append((row.bbox[1], Row(cells, Location(page=number, table=t, row=r))))
    boxes = [table.bbox for table in tables]
    outside = page.filter(lambda obj: not any(_inside(obj, box) for box in boxes))
    for top, row in _text_lines(outside, number):
        placed.append((top, row))
    placed.sort(key=lambda item: item[0])
    return [row for _, row in placed if not _PAGE_NUMBER.match(row.text.strip())]


def _inside(obj: dict, box: tuple[float, float, float, float]) -> bool:
    if "x0" not in obj or "top" not in obj:
        return False
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _text_lines(page, number: int) -> list[tuple[float, Row]]:
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False)
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) < LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        cells: list[list[dict]] = [[line[0]]]
        for prev, word in zip(line, line[1:]):
            char_width = (prev["x1"] - prev["x0"]) / max(len(prev["text"]), 1)
            if word["x0"] - prev["x1"] > GAP_FACTOR * max(char_width, 4):
                cells.append([word])
            else:
                cells[-1].append(word)
        row_cells = []
        for group in cells:
            bbox = (group[0]["x0"], min(w["top"] for w in group), group[-1]["x1"], max(w["bottom"] for w in group))
            text = " ".join(w["text"] for w in group)
            row_cells.append(Cell(text, Location(page=number, bbox=bbox)))
        out.append((line[0]["top"], Row(row_cells, Location(page=number, bbox=row_cells[0].loc.bbox))))
    return out


def _join_cut_row(previous: list[Row], page_rows: list[Row]) -> list[Row]:
    """Join the first table row of a page to the last row of the previous page when the page
    break cut it: same number of grid columns, and its label has no row marker of its own."""
    if not previous or not page_rows:
        return page_rows
    last, first = previous[-1], page_rows[0]
    if last.loc.table is None or first.loc.table is None or len(last.cells) != len(first.cells):
        return page_rows
    labels = [c.text for c in first.cells if c.text.strip() and not _is_number(c.text)]
    if not labels or any(ROW_MARKER.match(text.strip()) for text in labels):
        return page_rows
    for upper, lower in zip(last.cells, first.cells):
        if lower.text.strip():
            upper.text = f"{upper.text}\n{lower.text}" if upper.text.strip() else lower.text
            upper.merged = False
    return page_rows[1:]


def _is_number(text: str) -> bool:
    return parse_number(text.replace("\n", "")) is not None
