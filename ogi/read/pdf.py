"""PDF: ruled tables as grids, other text as lines, scanned pages through OCR.

In: a PDF file. Out: a Document whose rows are, page by page and top to bottom, the rows of
each ruled table (cells with page, bbox and table/row/col; positions covered by a merged cell
marked ``merged``) and the lines of text outside tables (split into cells where a wide gap
separates words, so ``规章   0   0   0`` printed without rules still gives one cell per value).

What pdfplumber's tables get wrong on real reports is repaired here, once:
- a row cut by a page break (its label or cells continue at the top of the next page, after
  any header rows the table repeats there) is joined to its first half, cell by cell, columns
  matched by x position; a repeated header or a new row is never joined;
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
    from . import ReadError

    try:
        return _read(path)
    except ReadError:
        raise
    except (MemoryError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001 - pdfminer and pdfium raise many kinds of errors on damaged files
        raise ReadError(f"a damaged PDF: reading it failed ({type(e).__name__}: {str(e)[:160]})") from e


def _read(path: Path) -> Document:
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
    """The page's rows, with the second half of a row cut by the page break moved into its
    first half (the last table row of the previous page).

    The header rows a table repeats on its continuation are no cut row: they are kept as they
    are and the row after them is looked at. A row is taken as the continuation only when its
    cells complete the cut row: every text lands on text of the same column (a label going
    on) or on a blank cell, every number on a blank cell, no two cells on the same cell, and
    no label starts with a row marker of its own (一、 （三） 5.). A new row (its numbers under
    numbers or under a header's words) is never joined."""
    if not previous or not page_rows or previous[-1].loc.table is None:
        return page_rows
    last = previous[-1]
    table = [r for r in previous if r.loc.page == last.loc.page and r.loc.table == last.loc.table]
    repeated = 0
    while repeated < min(len(page_rows), len(table) - 1) and _same_texts(page_rows[repeated], table[repeated]):
        repeated += 1
    if repeated == len(page_rows) or page_rows[repeated].loc.table is None:
        return page_rows
    placement = _continuation(table, page_rows[repeated])
    if placement is None:
        return page_rows
    for lower, (row, index) in placement:
        upper = row.cells[index]
        if upper.text.strip():
            upper.text = f"{upper.text}\n{lower.text}"
        else:  # the cell's content was printed on the next page: keep where it was printed
            row.cells[index] = Cell(lower.text, lower.loc)
    return page_rows[:repeated] + page_rows[repeated + 1 :]


def _same_texts(a: Row, b: Row) -> bool:
    texts = lambda row: [re.sub(r"\s+", "", c.text) for c in row.cells if c.text.strip()]  # noqa: E731
    return a.loc.table is not None and bool(texts(a)) and texts(a) == texts(b)


def _continuation(table: list[Row], first: Row) -> list[tuple[Cell, tuple[Row, int]]] | None:
    """Where each filled cell of ``first`` goes in the cut row (table[-1]), or None when
    ``first`` is not the rest of it. A cell under a merged position goes to the cell above
    that spans it (a group label cut by the break continues there)."""
    placement = []
    for cell in first.cells:
        if cell.merged or not cell.text.strip():
            continue
        number = _is_number(cell.text)
        if not number and ROW_MARKER.match(cell.text.strip()):
            return None
        target = _cell_above(table, cell)
        if target is None:
            return None
        upper = target[0].cells[target[1]]
        if upper.text.strip() and (number or _is_number(upper.text)) or (number and target[0] is not table[-1]):
            return None  # a number goes only into a blank cell of the cut row itself
        placement.append((cell, target))
    targets = [(id(row), index) for _, (row, index) in placement]
    return placement if placement and len(set(targets)) == len(targets) else None


def _cell_above(table: list[Row], cell: Cell) -> tuple[Row, int] | None:
    """The cell of the cut row (table[-1]) over ``cell``'s middle; where the cut row's position
    is merged, the cell of the nearest row above that spans it."""
    if cell.loc.bbox is None:
        return None
    middle = (cell.loc.bbox[0] + cell.loc.bbox[2]) / 2
    for row in reversed(table):
        for index, upper in enumerate(row.cells):
            box = upper.loc.bbox
            if not upper.merged and box is not None and box[0] <= middle <= box[2]:
                return row, index
    return None


def _is_number(text: str) -> bool:
    return parse_number(text.replace("\n", "")) is not None
