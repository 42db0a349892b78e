"""The PDF reader's page-break join (ogi/read/pdf.py), on the smallest rows that show it.

A row cut by a page break is joined to its first half; a repeated header, or a new row, never is.
Columns are placed by their x position, so the two pages' grids may differ.
"""

from __future__ import annotations

from ogi.model import Cell, Location, Row
from ogi.read.pdf import _join_cut_row

# x ranges of a three-column grid: label, two value columns
COLUMNS = [(50, 200), (200, 260), (260, 320)]


def row(page: int, table: int, number: int, texts: list[str | None], top: float = 100) -> Row:
    """A grid row; None marks a position covered by a merged cell."""
    cells = []
    for col, (text, (x0, x1)) in enumerate(zip(texts, COLUMNS), start=1):
        loc = Location(page=page, bbox=None if text is None else (x0, top, x1, top + 15), table=table, row=number, col=col)
        cells.append(Cell(text or "", loc, merged=text is None))
    return Row(cells, Location(page=page, table=table, row=number))


def texts(rows: list[Row]) -> list[list[str]]:
    return [[c.text for c in r.cells] for r in rows]


def test_a_row_cut_by_the_break_is_joined_to_its_first_half():
    previous = [row(4, 2, 1, ["申请人情况", None, "总计"]), row(4, 2, 2, ["5.要求行政机关确认或", "", ""], top=700)]
    page = [row(5, 1, 1, ["重新出具已获取信息", "3", "4"], top=60), row(5, 1, 2, ["（六）其他处理", "1", "2"], top=80)]
    rest = _join_cut_row(previous, page)
    assert texts(previous)[-1] == ["5.要求行政机关确认或\n重新出具已获取信息", "3", "4"]
    assert texts(rest) == [["（六）其他处理", "1", "2"]]
    # The numbers were printed on the next page: their location says so.
    assert [c.loc.page for c in previous[-1].cells] == [4, 5, 5]


def test_repeated_header_rows_are_kept_and_the_cut_row_after_them_is_joined():
    header = ["（本列数据的勾稽关系为…）", "申请人情况", None]
    previous = [row(4, 2, 1, header), row(4, 2, 2, ["1.属于国家秘密", "4", "5"], top=700)]
    page = [row(5, 1, 1, header, top=60), row(5, 1, 2, ["2.其他法律行政法规禁止公开", "6", "7"], top=80)]
    rest = _join_cut_row(previous, page)
    assert texts(previous)[-1] == ["1.属于国家秘密", "4", "5"], "the repeated header must not be glued onto the last row"
    assert texts(rest) == texts(page)

    previous = [row(4, 2, 1, header), row(4, 2, 2, ["5.要求行政机关确认或", "2", "3"], top=700)]
    page = [row(5, 1, 1, header, top=60), row(5, 1, 2, ["重新出具已获取信息", "", ""], top=80), row(5, 1, 3, ["（六）其他处理", "1", "2"], top=95)]
    rest = _join_cut_row(previous, page)
    assert texts(previous)[-1] == ["5.要求行政机关确认或\n重新出具已获取信息", "2", "3"]
    assert texts(rest) == [[c or "" for c in header], ["（六）其他处理", "1", "2"]]


def test_a_header_at_the_foot_of_a_page_is_not_joined_to_the_rows_on_the_next():
    previous = [row(3, 4, 1, ["第二十条第（五）项", None, None]), row(3, 4, 2, ["信息内容", "本年处理决定数量", None], top=760)]
    page = [row(4, 1, 1, ["行政许可", "2406", None], top=60)]
    assert texts(_join_cut_row(previous, page)) == [["行政许可", "2406", ""]]
    assert texts(previous)[-1] == ["信息内容", "本年处理决定数量", ""]


def test_a_new_row_is_not_joined():
    previous = [row(3, 1, 1, ["行政处罚", "5", "6"], top=760)]
    page = [row(4, 1, 1, ["行政强制", "1", "2"], top=60)]  # no row marker, but its numbers fall under numbers
    assert texts(_join_cut_row(previous, page)) == [["行政强制", "1", "2"]]
    page = [row(4, 1, 1, ["（七）总计", "", ""], top=60)]  # a label with its own row marker
    assert len(_join_cut_row(previous, page)) == 1


def test_a_cut_group_label_continues_in_the_cell_above_that_spans_it():
    previous = [row(4, 2, 1, ["三、本年", "68", "86"]), row(4, 2, 2, [None, "6", "13"], top=700)]
    page = [row(5, 1, 1, ["度办理结果", "", ""], top=60)]
    assert _join_cut_row(previous, page) == []
    assert texts(previous) == [["三、本年\n度办理结果", "68", "86"], ["", "6", "13"]]


def test_a_number_goes_only_into_the_cut_row_itself():
    previous = [row(4, 2, 1, ["（三）不予公开", "", "0"]), row(4, 2, 2, ["1.属于国家秘密", None, "2"], top=700)]
    page = [row(5, 1, 1, ["", "7", ""], top=60)]  # under a merged position of the cut row
    assert texts(_join_cut_row(previous, page)) == [["", "7", ""]]
    assert texts(previous) == [["（三）不予公开", "", "0"], ["1.属于国家秘密", "", "2"]]
