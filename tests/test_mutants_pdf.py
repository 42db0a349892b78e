"""The PDF reader's own steps (ogi/read/pdf.py) on pages made in memory: what pdfplumber gives
(words with their boxes, ruled tables) is faked, so each step shows with exact values, fast.
Written for mutants of scripts/mutation.py: the page-break join and the page-number filter
must be in the reader's path, text lines split at wide gaps, rows in reading order."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from ogi.read import ReadError
from ogi.read import pdf


def word(text: str, x0: float, top: float, width: float | None = None) -> dict:
    width = 10.0 * len(text) if width is None else width
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + 10}


@dataclass
class FakeRow:
    cells: list  # bboxes, None for a merged position
    bbox: tuple


@dataclass
class FakeTable:
    bbox: tuple
    rows: list
    texts: list

    def extract(self):
        return self.texts


def table(top: float, texts: list[list[str | None]], xs=((50, 200), (200, 260), (260, 320)), height: float = 15) -> FakeTable:
    rows = []
    for n, row_texts in enumerate(texts):
        y = top + n * height
        rows.append(FakeRow([None if t is None else (x0, y, x1, y + height) for t, (x0, x1) in zip(row_texts, xs)], (xs[0][0], y, xs[-1][1], y + height)))
    return FakeTable((xs[0][0], top, xs[-1][1], top + height * len(texts)), rows, [[t for t in r] for r in texts])


SETTINGS: list[dict] = []  # what extract_words was asked


@dataclass
class FakePage:
    words: list = field(default_factory=list)
    tables: list = field(default_factory=list)

    def find_tables(self):
        return self.tables

    def filter(self, keep):
        return FakePage([w for w in self.words if keep(w)], [])

    def extract_words(self, **settings):
        SETTINGS.append(settings)
        return list(self.words)


class FakePDF:
    def __init__(self, pages):
        self.pages = pages

    def __enter__(self):
        return self

    def __exit__(self, *_):
        return False


@pytest.fixture
def fake(monkeypatch):
    """read(path) of a PDF whose pages are the FakePages given; scanned pages by number."""
    import pdfplumber

    state = {"pages": [], "scanned": set()}
    monkeypatch.setattr(pdfplumber, "open", lambda path: FakePDF(state["pages"]))
    monkeypatch.setattr(pdf, "_pages_without_chinese", lambda path: set(state["scanned"]))
    return state


def texts(document) -> list[list[str]]:
    return [[c.text for c in r.cells] for r in document.rows]


def test_page_numbers_are_dropped(fake, tmp_path):
    fake["pages"] = [
        FakePage([word("一、总体情况", 50, 100), word("- 1 -", 280, 800)]),
        FakePage([word("二、主动公开", 50, 100), word("— 2 —", 280, 800), word("第 2 页", 280, 780)]),
        FakePage([word("2 / 12", 280, 800), word("三、收到", 50, 100)]),
    ]
    document = pdf.read(tmp_path / "r.pdf")
    assert texts(document) == [["一、总体情况"], ["二、主动公开"], ["三、收到"]]
    assert [r.loc.page for r in document.rows] == [1, 2, 3]
    assert document.kind == "pdf" and document.path == str(tmp_path / "r.pdf")


def test_a_row_cut_by_the_page_break_is_joined_when_read(fake, tmp_path):
    header = ["（本列数据的勾稽关系为…）", "申请人情况", "总计"]
    fake["pages"] = [
        FakePage([word("表三", 50, 50)], [table(100, [header, ["5.要求行政机关确认或", "", ""]])]),
        FakePage([], [table(60, [["重新出具已获取信息", "3", "4"], ["（六）其他处理", "1", "2"]])]),
    ]
    assert texts(pdf.read(tmp_path / "r.pdf")) == [
        ["表三"],
        header,
        ["5.要求行政机关确认或\n重新出具已获取信息", "3", "4"],
        ["（六）其他处理", "1", "2"],
    ]


def test_table_cells_keep_page_box_table_row_and_column(fake, tmp_path):
    fake["pages"] = [FakePage([], [table(100, [["规章", None, "7"]])])]
    (row,) = pdf.read(tmp_path / "r.pdf").rows
    assert [c.merged for c in row.cells] == [False, True, False]
    assert [c.text for c in row.cells] == ["规章", "", "7"]
    third = row.cells[2].loc
    assert (third.page, third.bbox, third.table, third.row, third.col) == (1, (260, 100, 320, 115), 1, 1, 3)
    assert row.cells[1].loc.bbox is None
    assert (row.loc.page, row.loc.table, row.loc.row) == (1, 1, 1)


def test_text_outside_tables_only_and_rows_in_reading_order(fake, tmp_path):
    grid = table(100, [["规章", "0", "7"]])
    fake["pages"] = [FakePage([word("规章", 60, 102), word("标题", 50, 40), word("结尾", 50, 300)], [grid])]
    # the word inside the table's box is the table's text, not a line of its own
    assert texts(pdf.read(tmp_path / "r.pdf")) == [["标题"], ["规章", "0", "7"], ["结尾"]]


def test_a_wide_gap_separates_cells_and_a_narrow_one_does_not(fake, tmp_path):
    fake["pages"] = [
        FakePage(
            [
                # 规章 is 20 wide (10 per character): a gap over 15 starts a new cell
                word("规章", 50, 100), word("0", 86, 100, 5), word("0", 92, 100, 5),
                word("行政", 50, 200), word("处罚", 85, 200),
                word("其他", 50, 300), word("事项", 86, 301),
            ]
        )
    ]
    document = pdf.read(tmp_path / "r.pdf")
    assert texts(document) == [["规章", "0 0"], ["行政 处罚"], ["其他", "事项"]]
    first = document.rows[0]
    assert [c.loc.bbox for c in first.cells] == [(50, 100, 70, 110), (86, 100, 97, 110)]
    assert first.loc.bbox == (50, 100, 70, 110)
    assert [c.loc.page for c in first.cells] == [1, 1]


def test_words_are_extracted_with_the_tolerances_of_a_printed_report(fake, tmp_path):
    SETTINGS.clear()
    fake["pages"] = [FakePage([word("一、总体情况", 50, 100)])]
    pdf.read(tmp_path / "r.pdf")
    assert SETTINGS == [{"x_tolerance": 1.5, "y_tolerance": 2, "keep_blank_chars": False}]


def test_the_width_of_a_one_character_word_is_its_character_width(fake, tmp_path):
    # 10 wide: a gap of 12 is under 1.5 × 10, one cell
    fake["pages"] = [FakePage([word("1", 50, 100, 10), word("2", 72, 100, 10)])]
    assert texts(pdf.read(tmp_path / "r.pdf")) == [["1 2"]]


def test_a_table_row_and_a_text_line_at_the_same_height_keep_their_order(fake, tmp_path):
    fake["pages"] = [FakePage([word("注", 400, 100)], [table(100, [["规章", "0", "7"]])])]
    assert texts(pdf.read(tmp_path / "r.pdf")) == [["规章", "0", "7"], ["注"]]


def test_a_gap_is_measured_at_least_in_four_points(fake, tmp_path):
    # one-character words 2 points wide: a gap of 5 is under 1.5 × 4 = 6, one cell
    fake["pages"] = [FakePage([word("1", 50, 100, 2), word("2", 57, 100, 2), word("3", 66, 100, 2)])]
    assert texts(pdf.read(tmp_path / "r.pdf")) == [["1 2", "3"]]


def test_words_within_three_points_are_one_line(fake, tmp_path):
    fake["pages"] = [FakePage([word("甲", 50, 100), word("乙", 200, 102), word("丙", 50, 103), word("丁", 50, 110)])]
    assert texts(pdf.read(tmp_path / "r.pdf")) == [["甲", "乙"], ["丙"], ["丁"]]


def test_scanned_pages_are_read_by_ocr_and_their_page_numbers_dropped(fake, tmp_path, monkeypatch):
    from ogi.model import Cell, Location, Row
    from ogi.read import ocr

    def ocr_pages(path, numbers):
        assert (path, numbers) == (tmp_path / "r.pdf", [2])
        return [Row([Cell(t, Location(page=2))], Location(page=2)) for t in ("二、主动公开", "- 2 -")]

    monkeypatch.setattr(ocr, "ocr_pdf_pages", ocr_pages)
    fake["pages"] = [FakePage([word("一、总体情况", 50, 100)]), FakePage([])]
    fake["scanned"] = {2}
    assert texts(pdf.read(tmp_path / "r.pdf")) == [["一、总体情况"], ["二、主动公开"]]


def test_a_pdf_without_pages_is_an_error(fake, tmp_path):
    fake["pages"] = []
    with pytest.raises(ReadError, match="^the PDF has no pages$"):
        pdf.read(tmp_path / "r.pdf")


def test_a_pdf_that_does_not_open_is_an_error(monkeypatch, tmp_path):
    import pdfplumber

    def broken(path):
        raise ValueError("bad xref")

    monkeypatch.setattr(pdf, "_pages_without_chinese", lambda path: set())
    monkeypatch.setattr(pdfplumber, "open", broken)
    with pytest.raises(ReadError, match=r"^not a readable PDF \(ValueError\)$"):
        pdf.read(tmp_path / "r.pdf")


def test_any_other_failure_is_a_damaged_pdf(monkeypatch, tmp_path):
    def fails(path):
        raise KeyError("x" * 300)

    monkeypatch.setattr(pdf, "_read", fails)
    with pytest.raises(ReadError) as e:
        pdf.read(tmp_path / "r.pdf")
    assert str(e.value) == f"a damaged PDF: reading it failed (KeyError: {str(KeyError('x' * 300))[:160]})"

    def no_memory(path):
        raise MemoryError()

    monkeypatch.setattr(pdf, "_read", no_memory)
    with pytest.raises(MemoryError):
        pdf.read(tmp_path / "r.pdf")


def test_a_file_that_is_no_pdf_at_all(tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(b"not a pdf")
    with pytest.raises(ReadError, match="^not a readable PDF"):
        pdf.read(path)


# --- the page-break join's rules, on rows made by hand ------------------------------------------

from ogi.model import Cell, Location, Row  # noqa: E402


def grid_row(page: int, table: int | None, number: int, cells: list[tuple[str | None, tuple[float, float]]], top: float = 100) -> Row:
    out = []
    for col, (text, (x0, x1)) in enumerate(cells, start=1):
        loc = Location(page=page, bbox=None if text is None else (x0, top, x1, top + 15), table=table, row=number, col=col)
        out.append(Cell(text or "", loc, merged=text is None))
    return Row(out, Location(page=page, table=table, row=number))


L, V1, V2 = (50, 200), (200, 260), (260, 320)


def cell_texts(rows):
    return [[c.text for c in r.cells] for r in rows]


def test_a_page_that_only_repeats_the_header_is_kept_as_it_is():
    header = [("申请人情况", L), ("自然人", V1), ("总计", V2)]
    previous = [grid_row(4, 2, 1, header), grid_row(4, 2, 2, [("要求确认", L), ("", V1), ("", V2)], top=700)]
    page = [grid_row(5, 1, 1, header, top=60)]
    assert cell_texts(pdf._join_cut_row(previous, page)) == [["申请人情况", "自然人", "总计"]]
    assert cell_texts(previous)[-1] == ["要求确认", "", ""]


def test_only_the_header_rows_are_skipped_not_a_row_like_the_cut_one():
    header = [("申请人情况", L), ("自然人", V1), ("总计", V2)]
    previous = [grid_row(4, 2, 1, header), grid_row(4, 2, 2, [("要求确认", L), ("", V1), ("", V2)], top=700)]
    page = [grid_row(5, 1, 1, header, top=60), grid_row(5, 1, 2, [("要求确认", L), ("", V1), ("", V2)], top=80)]
    assert cell_texts(pdf._join_cut_row(previous, page)) == [["申请人情况", "自然人", "总计"]]
    assert cell_texts(previous)[-1] == ["要求确认\n要求确认", "", ""]


def test_a_header_repeated_with_other_spacing_is_still_the_header():
    previous = [grid_row(4, 2, 1, [("申请人 情况", L), ("自然人", V1), ("总计", V2)]), grid_row(4, 2, 2, [("5.要求行政机关确认或", L), ("", V1), ("", V2)], top=700)]
    page = [grid_row(5, 1, 1, [("申请人情况", L), ("自 然 人", V1), ("总计", V2)], top=60), grid_row(5, 1, 2, [("重新出具", L), ("3", V1), ("4", V2)], top=80)]
    assert cell_texts(pdf._join_cut_row(previous, page)) == [["申请人情况", "自 然 人", "总计"]]
    assert cell_texts(previous)[-1] == ["5.要求行政机关确认或\n重新出具", "3", "4"]


def test_nothing_is_joined_to_a_line_of_text():
    previous = [grid_row(4, None, 0, [("5.要求行政机关确认或", L), ("", V1), ("", V2)], top=700)]
    page = [grid_row(5, 1, 1, [("重新出具", L), ("3", V1), ("4", V2)], top=60)]
    assert cell_texts(pdf._join_cut_row(previous, page)) == [["重新出具", "3", "4"]]
    assert cell_texts(previous) == [["5.要求行政机关确认或", "", ""]]


def test_a_blank_row_after_the_break_is_kept():
    previous = [grid_row(4, 2, 1, [("要求确认", L), ("", V1), ("", V2)], top=700)]
    page = [grid_row(5, 1, 1, [("", L), ("", V1), ("", V2)], top=60)]
    assert cell_texts(pdf._join_cut_row(previous, page)) == [["", "", ""]]


def test_two_cells_never_go_into_one():
    previous = [grid_row(4, 2, 1, [("工作", L), ("其他", (200, 320))], top=700)]
    page = [grid_row(5, 1, 1, [("甲", (200, 250)), ("乙", (250, 320))], top=60)]
    assert cell_texts(pdf._join_cut_row(previous, page)) == [["甲", "乙"]]
    assert cell_texts(previous) == [["工作", "其他"]]


def test_a_number_never_goes_into_a_row_above_the_cut_one():
    previous = [
        grid_row(4, 2, 1, [("（三）不予公开", L), ("", V1), ("0", V2)], top=660),
        grid_row(4, 2, 2, [("1.属于国家秘密", L), ("", V1), ("2", V2)], top=680),
        grid_row(4, 2, 3, [("2.其他", L), (None, V1), ("3", V2)], top=700),
    ]
    page = [grid_row(5, 1, 1, [("", L), ("7", V1), ("", V2)], top=60)]
    assert cell_texts(pdf._join_cut_row(previous, page)) == [["", "7", ""]]
    assert cell_texts(previous)[1] == ["1.属于国家秘密", "", "2"]


def test_a_cell_is_placed_under_the_column_its_middle_falls_in_edges_included():
    previous = [grid_row(4, 2, 1, [("要求确认", L), ("", V1), ("", V2)], top=700)]
    # middles exactly on 50 (the first column's left edge) and 260 (the second's right edge,
    # the third's left edge: the first column that holds it wins)
    page = [grid_row(5, 1, 1, [("或", (0, 100)), ("5", (250, 270))], top=60)]
    assert cell_texts(pdf._join_cut_row(previous, page)) == []
    assert cell_texts(previous) == [["要求确认\n或", "5", ""]]


def test_a_number_wrapped_in_a_narrow_cell_is_a_number():
    assert pdf._is_number("20\n53") is True
    assert pdf._is_number("规章") is False


def test_inside_a_box_edges_included_and_objects_without_a_place_never():
    box = (10, 20, 30, 40)
    assert pdf._inside({"x1": 5, "bottom": 5}, box) is False
    assert pdf._inside({"x0": 15, "x1": 25}, box) is False
    for x0, x1, top, bottom in ((5, 15, 25, 35), (25, 35, 25, 35), (15, 25, 15, 25), (15, 25, 35, 45)):
        assert pdf._inside({"x0": x0, "x1": x1, "top": top, "bottom": bottom}, box) is True
    assert pdf._inside({"x0": 31, "x1": 35, "top": 25, "bottom": 35}, box) is False


def test_pages_whose_text_layer_has_no_chinese_are_scans(monkeypatch, tmp_path):
    import pypdfium2

    class Page:
        def __init__(self, text):
            self.text = text

        def get_textpage(self):
            return self

        def get_text_range(self):
            return self.text

    class Document:
        def __init__(self, path):
            self.pages = [Page("一、总体情况"), Page("  12  "), Page("第三页"), Page("")]

        def __len__(self):
            return len(self.pages)

        def __getitem__(self, i):
            return self.pages[i]

        def close(self):
            pass

    monkeypatch.setattr(pypdfium2, "PdfDocument", Document)
    assert pdf._pages_without_chinese(tmp_path / "r.pdf") == {2, 4}
    Document.__init__ = lambda self, path: setattr(self, "pages", [Page("  1  "), Page("二、主动公开")])
    assert pdf._pages_without_chinese(tmp_path / "r.pdf") == {1}

    def broken(path):
        raise pypdfium2.PdfiumError("Failed to load document")

    monkeypatch.setattr(pypdfium2, "PdfDocument", broken)
    with pytest.raises(ReadError) as e:
        pdf._pages_without_chinese(tmp_path / "r.pdf")
    assert str(e.value) == "not a readable PDF (Failed to load document)"


def test_two_cells_may_go_into_the_same_column_of_two_rows():
    previous = [
        grid_row(4, 2, 1, [("（三）不予公开", L), ("说明", (200, 320))], top=680),
        grid_row(4, 2, 2, [("1.属于", L), ("", V1), (None, V2)], top=700),
    ]
    page = [grid_row(5, 1, 1, [("甲", (215, 245)), ("乙", (275, 305))], top=60)]
    assert pdf._join_cut_row(previous, page) == []
    assert cell_texts(previous) == [["（三）不予公开", "说明\n乙"], ["1.属于", "甲", ""]]
