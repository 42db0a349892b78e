"""TXT and Markdown: one Row per line; cells split at tabs, or at ``|`` in a Markdown table row.

In: a text file (UTF-8, UTF-16 with BOM, or GB18030). Out: a Document whose cells carry
their line and character offset. A line without tabs is one cell; the mapper splits runs of
numbers inside a cell (``规章 0 0 0``), so nothing is lost here.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Cell, Document, Location, Row

_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def split_cells(line: str) -> list[tuple[int, str]]:
    """(offset, text) of each cell in one line."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
        start = line.index("|") + 1
        body = line[start : line.rindex("|")]
        sep = "|"
    elif "\t" in line:
        start, body, sep = 0, line, "\t"
    else:
        return [(0, line)]
    cells, offset = [], start
    for text in body.split(sep):
        cells.append((offset, text))
        offset += len(text) + 1
    return cells


def rows_from_text(text: str) -> list[Row]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if _MD_SEPARATOR.match(line.strip()) and "-" in line:
            continue
        cells = [Cell(t, Location(line=number, char=offset + 1)) for offset, t in split_cells(line)]
        rows.append(Row(cells, Location(line=number)))
    return rows


def read(path: Path) -> Document:
    return Document(str(path), path.suffix.lower().lstrip("."), rows_from_text(decode(path.read_bytes())))
