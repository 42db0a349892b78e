"""Turn a section's cells into printed rows: a label and the value cells that follow it.

In: the Rows of one table section. Out: ``PrintedRow``s, in order.

This is where layout damage is absorbed once for every format:
- a label wrapped over several lines, or interrupted by a page break, is joined up to the
  next values (``其他对外管理服务事`` / ``项`` / ``22 -2 69``);
- a line that is only a number (one cell per line, as DOCX text gives) joins the run of
  numbers before it, so a row printed one cell per line is one row;
- a cell holding several numbers (``规章 0 0 0``) is split; a unit printed apart
  (``6659425.34 元``) stays with its number;
- blank cells in a table row are kept: they may mean 0, and the mapper decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Cell, Location, Row
from .text import PAGE_NUMBER, ROW_MARKER, PrintedNumber, is_not_applicable, is_unit, parse_number


@dataclass
class Token:
    kind: str  # text, number, blank, na
    raw: str
    loc: Location
    number: PrintedNumber | None = None


@dataclass
class PrintedRow:
    label_tokens: list[Token]
    values: list[Token] = field(default_factory=list)
    own: int = 0  # how many of the label tokens were printed on the row itself

    @property
    def label(self) -> str:
        """All text since the previous row: wrapped label lines, group labels, headers."""
        return "".join(t.raw.strip() for t in self.label_tokens)

    @property
    def printed_label(self) -> str:
        """The row's own label as a reader sees it: the text on the row, else the text from
        the last row marker (一、 （一） 1.) of what preceded it."""
        if self.own:
            return "".join(t.raw.strip() for t in self.label_tokens[-self.own :])
        label = self.label
        starts = [m.start() for m in ROW_MARKER.finditer(label)]
        return label[starts[-1] :] if starts else label[-40:]

    @property
    def has_numbers(self) -> bool:
        return any(t.kind in ("number", "na") for t in self.values)

    @property
    def loc(self) -> Location:
        tokens = self.values or self.label_tokens
        return tokens[0].loc if tokens else Location()


def _sub_location(loc: Location, offset: int) -> Location:
    if loc.char is None:
        return loc
    return Location(**{**loc.as_dict(), "char": loc.char + offset})


def cell_tokens(cell: Cell) -> list[Token]:
    text = cell.text
    if not text.strip():
        return [Token("blank", text, cell.loc)]
    if is_not_applicable(text):
        return [Token("na", text.strip(), cell.loc)]
    number = parse_number(text)
    if number is None and "\n" in text:
        # A narrow grid cell wraps a long number ('2053\n4'): still one number.
        number = parse_number(re.sub(r"\s+", "", text))
    if number is not None:
        return [Token("number", text.strip(), cell.loc, number)]
    # Peel numbers off the end of a cell: '规章 0 0 0', '7.属于行政 0 0 0 0 0 0 0'.
    words, offset = [], 0
    for word in text.split():
        start = text.index(word, offset)
        words.append((start, word))
        offset = start + len(word)
    tail: list[Token] = []
    while words:
        start, word = words[-1]
        if is_unit(word) and len(words) > 1 and parse_number(words[-2][1]) is not None:
            prev_start, prev = words[-2]
            words[-2:] = [(prev_start, text[prev_start : start + len(word)])]
            continue
        if is_not_applicable(word) and tail:
            tail.insert(0, Token("na", word, _sub_location(cell.loc, start)))
        elif (n := parse_number(word)) is not None:
            tail.insert(0, Token("number", word, _sub_location(cell.loc, start), n))
        else:
            break
        words.pop()
    if not words:
        return tail
    head = text[: words[-1][0] + len(words[-1][1])].strip()
    return [Token("text", head, cell.loc)] + tail


def printed_rows(rows: list[Row]) -> list[PrintedRow]:
    out: list[PrintedRow] = []
    pending: list[Token] = []  # label text waiting for its values
    run: PrintedRow | None = None  # numbers arriving one cell per line
    for row in rows:
        if PAGE_NUMBER.match(row.text.strip()):
            continue  # '- 4 -' between two halves of a table is not a value
        tokens = [t for cell in row.cells if not cell.merged for t in cell_tokens(cell)]
        texts = [i for i, t in enumerate(tokens) if t.kind == "text"]
        filled = [t for t in tokens if t.kind != "blank"]
        if not filled:
            continue
        if len(filled) == 1 and not texts:
            # A lone number on its line: part of a row printed one cell per line.
            if run is None:
                run = PrintedRow(pending)
                out.append(run)
                pending = []
            run.values.append(filled[0])
            continue
        run = None
        if texts:
            label = [tokens[i] for i in texts]
            values = tokens[texts[-1] + 1 :]
            if values:
                out.append(PrintedRow(pending + label, values, own=len(label)))
                pending = []
            else:
                pending += label
        else:
            out.append(PrintedRow(pending, tokens))
            pending = []
    return out
