"""DOCX: the body's paragraphs as one-cell rows, its tables as grids with merged cells expanded.

In: a Word 2007+ file (.docx). Out: a Document whose rows are, in document order,
- one Row per paragraph outside tables (a soft line break inside it starts a new Row, so a
  heading followed by a line break is still a line of its own), with ``Location(line=n)``:
  n counts the body's block items (paragraphs and tables) from 1;
- one Row per table row, one Cell per grid column, with ``Location(table, row, col)`` (and
  ``line``: the table's block number). A cell spanning columns (gridSpan) or rows (vMerge)
  carries its text at its top-left position; every other position it covers is an empty
  Cell with ``merged=True``, never a blank (0) cell.

A table with a table inside one of its cells (or a cell of prose) is page layout, not data:
its cells are opened up in place (their paragraphs become rows, their tables tables), so only
innermost tables become grids. Text boxes (where PDF-to-Word converters put whole pages) are
read where they are anchored. Block numbers run on through opened cells and text boxes, so
they equal the body's block index until the first of those. Tables are numbered in document
order counting only the grids emitted.

A ``.docx`` that is really a Word 97-2003 file (a common mislabelling) is read through
LibreOffice like a ``.doc``.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Cell, Document, Location, Row

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 (.doc) container

# Elements that only wrap block items or table rows/cells (content controls, custom XML):
# their children count as if they stood in the wrapper's place.
_WRAPPERS = {W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag"}
# Inside a paragraph: text that is not part of the printed line (drawings and text boxes float
# elsewhere on the page, tracked deletions are not printed, field codes are instructions).
_NOT_LINE_TEXT = {
    W + "drawing", W + "pict", W + "object", MC + "AlternateContent", W + "txbxContent",
    W + "delText", W + "instrText", W + "moveFrom", W + "rPr", W + "pPr", W + "sym",
}
# A data cell never holds this much text; a cell that does is a box around prose.
LAYOUT_CELL_CHARS = 1000
LAYOUT_BOX_CHARS = 300
_SPACES = re.compile(r"[ \t\u00a0]+")


def read(path: Path) -> Document:
    with path.open("rb") as f:
        is_word97 = f.read(len(OLE_MAGIC)) == OLE_MAGIC
    if is_word97:
        from . import doc

        return doc.read(path)
    return Document(str(path), "docx", rows_of_docx(path))


def rows_of_docx(path: Path) -> list[Row]:
    """The rows of a real DOCX file (used for converted .doc files too)."""
    from . import ReadError

    rows = _Flow().blocks(_open_body(path))
    if not any(row.text for row in rows):
        raise ReadError("the document has no text (the report may be pasted in as images)")
    return rows


def _open_body(path: Path):
    import docx  # python-docx; imported here so other formats never need it
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    from . import ReadError

    try:
        body = docx.Document(str(path)).element.body
    except (PackageNotFoundError, zipfile.BadZipFile) as e:
        raise ReadError("not a Word document: the file is not a DOCX (zip) package") from e
    except (KeyError, XMLSyntaxError, zipfile.LargeZipFile) as e:
        raise ReadError(f"the DOCX file is damaged ({type(e).__name__}: {e})") from e
    except ValueError as e:  # python-docx: a zip that is not a word-processing document
        raise ReadError(f"not a Word document ({e})") from e
    except Exception as e:  # python-docx and lxml raise many kinds of errors on broken packages
        raise ReadError(f"the DOCX file could not be read ({type(e).__name__}: {e})") from e
    if body is None:  # <w:document/> alone: a package with nothing in it
        raise ReadError("the DOCX file is damaged (its document has no body)")
    return body


# --- text ------------------------------------------------------------------------------------


def paragraph_lines(p) -> list[str]:
    """The printed lines of one paragraph (split at soft line breaks), spaces collapsed."""
    parts: list[str] = []
    _collect_text(p, parts)
    return [_clean_line(line) for line in "".join(parts).split("\n")]


def _collect_text(element, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == W + "t":
            parts.append(child.text or "")
        elif tag in (W + "tab", W + "ptab"):
            parts.append(" ")
        elif tag in (W + "br", W + "cr"):
            parts.append("\n")
        elif tag == W + "noBreakHyphen":
            parts.append("-")
        elif tag not in _NOT_LINE_TEXT:
            _collect_text(child, parts)


def _clean_line(line: str) -> str:
    return _SPACES.sub(" ", line).strip()


def text_boxes(p):
    """The text boxes anchored in paragraph ``p``: PDF-to-Word converters put whole pages of a
    report in them. A box's legacy copy (mc:Fallback) and boxes inside boxes are skipped."""
    for box in p.iter(W + "txbxContent"):
        if next(box.iterancestors(W + "p"), None) is p and not any(a.tag == MC + "Fallback" for a in box.iterancestors()):
            yield box


def cell_text(tc) -> str:
    """A data cell's text: its paragraphs and line breaks as "\\n", blank lines dropped."""
    lines = [line for p in _children(tc, W + "p") for line in paragraph_lines(p)]
    return "\n".join(line for line in lines if line)


# --- structure -------------------------------------------------------------------------------


def _children(element, *tags: str):
    """Children with one of ``tags``, looking through content controls and custom XML."""
    for child in element:
        if child.tag in tags:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, *tags)


def _val(element, path: str) -> str | None:
    found = element.find(path)
    return None if found is None else found.get(W + "val", "")


def _int_val(element, path: str, default: int) -> int:
    value = _val(element, path)
    try:
        return max(int(value), 0) if value else default
    except ValueError:
        return default


@dataclass
class GridCell:
    """One grid position of a table row: the cell that starts there, or a covered position."""

    tc: object | None  # the w:tc element whose text is printed here; None when covered
    col: int


def row_positions(tr) -> list[GridCell]:
    """The grid positions of one w:tr, expanding gridBefore/gridSpan/gridAfter and hMerge."""
    positions: list[GridCell] = []
    for _ in range(_int_val(tr, f"{W}trPr/{W}gridBefore", 0)):
        positions.append(GridCell(None, len(positions) + 1))
    for tc in _children(tr, W + "tc"):
        span = max(_int_val(tc, f"{W}tcPr/{W}gridSpan", 1), 1)
        continued = _val(tc, f"{W}tcPr/{W}hMerge") not in (None, "restart")  # legacy merge
        vertical = _val(tc, f"{W}tcPr/{W}vMerge")
        covered = continued or (vertical is not None and vertical != "restart")
        positions.append(GridCell(None if covered else tc, len(positions) + 1))
        for _ in range(span - 1):
            positions.append(GridCell(None, len(positions) + 1))
    for _ in range(_int_val(tr, f"{W}trPr/{W}gridAfter", 0)):
        positions.append(GridCell(None, len(positions) + 1))
    return positions


def is_layout_table(tbl) -> bool:
    """A table that arranges the page rather than printing data (see the module docstring)."""
    cells = [tc for tr in _children(tbl, W + "tr") for tc in _children(tr, W + "tc")]
    if any(tc.find(f".//{W}tbl") is not None for tc in cells):
        return True
    lengths = [len(cell_text(tc)) for tc in cells]
    if any(n > LAYOUT_CELL_CHARS for n in lengths):
        return True
    one_column = all(len(list(_children(tr, W + "tc"))) <= 1 for tr in _children(tbl, W + "tr"))
    return one_column and sum(lengths) > LAYOUT_BOX_CHARS


@dataclass
class _Flow:
    """Walks block items in document order, numbering blocks and data tables."""

    rows: list[Row] = field(default_factory=list)
    block: int = 0
    table: int = 0

    def blocks(self, container) -> list[Row]:
        for item in _children(container, W + "p", W + "tbl"):
            if item.tag == W + "p":
                self.paragraph(item)
            elif is_layout_table(item):
                self.layout_table(item)
            else:
                self.data_table(item)
        return self.rows

    def paragraph(self, p) -> None:
        self.block += 1
        loc = Location(line=self.block)
        for line in paragraph_lines(p):
            if line:
                self.rows.append(Row([Cell(line, loc)], loc))
        for box in text_boxes(p):
            self.blocks(box)

    def layout_table(self, tbl) -> None:
        for tr in _children(tbl, W + "tr"):
            for position in row_positions(tr):
                if position.tc is not None:
                    self.blocks(position.tc)

    def data_table(self, tbl) -> None:
        self.block += 1
        self.table += 1
        for r, tr in enumerate(_children(tbl, W + "tr"), start=1):
            cells = []
            for position in row_positions(tr):
                loc = Location(line=self.block, table=self.table, row=r, col=position.col)
                if position.tc is None:
                    cells.append(Cell("", loc, merged=True))
                else:
                    cells.append(Cell(cell_text(position.tc), loc))
            if cells:
                self.rows.append(Row(cells, Location(line=self.block, table=self.table, row=r)))
