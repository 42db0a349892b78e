"""Cells to printed rows (ogi/printed_rows.py) with the exact tokens, kinds and locations.
Written for mutants of scripts/mutation.py."""

from __future__ import annotations

from decimal import Decimal as D

from ogi.model import Cell, Location, Row
from ogi.printed_rows import PrintedRow, Token, cell_tokens, printed_rows
from ogi.text import PrintedNumber

AT = Location(line=4, char=10)


def at(offset: int) -> Location:
    return Location(line=4, char=10 + offset)


def num(raw: str, loc: Location, value, unit=None) -> Token:
    return Token("number", raw, loc, PrintedNumber(D(value), unit))


def test_a_not_applicable_cell():
    assert cell_tokens(Cell(" / ", AT)) == [Token("na", "/", AT)]
    assert cell_tokens(Cell("", AT)) == [Token("blank", "", AT)]


def test_numbers_peeled_off_a_label_keep_where_they_were_printed():
    assert cell_tokens(Cell("规章 0 / 12", AT)) == [Token("text", "规章", AT), num("0", at(3), 0), Token("na", "/", at(5)), num("12", at(7), 12)]


def test_a_mark_at_the_end_of_a_label_stays_in_the_label():
    assert cell_tokens(Cell("规章 /", AT)) == [Token("text", "规章 /", AT)]


def test_a_unit_printed_apart_stays_with_its_number():
    assert cell_tokens(Cell("5 元 3", AT)) == [num("5 元", at(0), 5, "元"), num("3", at(4), 3)]
    assert cell_tokens(Cell("采购 5 元", AT)) == [Token("text", "采购", AT), num("5 元", at(3), 5, "元")]
    assert cell_tokens(Cell("采购 元", AT)) == [Token("text", "采购 元", AT)]


def test_a_row_printed_one_cell_per_line_from_the_first_line():
    rows = [Row([Cell("5", Location(line=1))], Location(line=1)), Row([Cell("6", Location(line=2))], Location(line=2))]
    assert printed_rows(rows) == [PrintedRow([], [num("5", Location(line=1), 5), num("6", Location(line=2), 6)])]


def test_the_row_own_label_is_told_from_the_text_before_it():
    rows = [
        Row([Cell("（一）予以公开", Location(line=1))], Location(line=1)),
        Row([Cell("其他", Location(line=2)), Cell("3", Location(line=2))], Location(line=2)),
    ]
    (row,) = printed_rows(rows)
    assert (row.own, row.label, row.printed_label) == (1, "（一）予以公开其他", "其他")
