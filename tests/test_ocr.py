"""OCR of scanned pages: tables drawn with the Noto CJK font are read back as grids.

The pages are drawn here (PIL), so the expected cell of every text is known. A blank cell
must come back as a blank cell in its own column (never by shifting the values after it),
a merged cell as ``merged`` positions, a wrapped label as one cell. OCR is slow on this
machine, so every page is small and read once per module.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np  # required dependencies (of pandas for cpca, of pdfplumber): imported normally
import pytest
from PIL import Image, ImageDraw, ImageFont

from ogi.model import ParseError
from ogi.read import ReadError, ocr
from ogi.text import is_not_applicable, label_key

FONT_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SIMPLIFIED = 2  # face of the collection drawn with Simplified Chinese glyphs
DPI = 200

# Only the optional `ocr` extra (rapidocr_onnxruntime) and the font the pages are drawn with may
# be missing; a test that needs neither runs without them (the missing-extra error above all).
HAS_EXTRA = importlib.util.find_spec("rapidocr_onnxruntime") is not None


def needs_ocr(test):
    """A test that reads a page drawn with the CJK font: it needs the extra and the font."""
    test = pytest.mark.skipif(not HAS_EXTRA, reason="the ocr extra (rapidocr_onnxruntime) is not installed")(test)
    return pytest.mark.skipif(not FONT_FILE.exists(), reason="fonts-noto-cjk is not installed")(test)


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILE), size, index=SIMPLIFIED)


# (row, col, rowspan, colspan, text); every grid position belongs to exactly one cell.
TableCells = list[tuple[int, int, int, int, str]]


def draw_table(draw: ImageDraw.ImageDraw, left: int, top: int, widths: list[int], heights: list[int],
               cells: TableCells, size: int = 30) -> tuple[list[int], list[int]]:
    """Each cell drawn as its own rectangle (a merged cell has no rules inside), its text
    centred; returns the x and y of the grid lines."""
    xs, ys = [left], [top]
    for w in widths:
        xs.append(xs[-1] + w)
    for h in heights:
        ys.append(ys[-1] + h)
    for row, col, rowspan, colspan, text in cells:
        box = (xs[col], ys[row], xs[col + colspan], ys[row + rowspan])
        draw.rectangle(box, outline=0, width=2)
        if text:
            centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            draw.multiline_text(centre, text, font=font(size), fill=0, anchor="mm", align="center", spacing=8)
    return xs, ys


def page(width: int, height: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("L", (width, height), 255)
    return image, ImageDraw.Draw(image)


def texts(row) -> list[str]:
    return [c.text for c in row.cells]


# --- a ruled table with a merged group label, a wrapped label and a blank cell ----------------

TABLE_WIDTHS = [170, 420, 190, 190, 220]
TABLE_HEIGHTS = [60, 60, 110, 60]
TABLE_CELLS: TableCells = [
    (0, 0, 1, 2, "信息内容"), (0, 2, 1, 1, "本年制发"), (0, 3, 1, 1, "本年废止"), (0, 4, 1, 1, "收费金额"),
    (1, 0, 3, 1, "三、本年度\n办理结果"), (1, 1, 1, 1, "（一）予以公开"), (1, 2, 1, 1, "12"), (1, 3, 1, 1, ""), (1, 4, 1, 1, "3.5万元"),
    (2, 1, 1, 1, "（二）部分公开（区分\n处理的只计这一情形）"), (2, 2, 1, 1, "-6"), (2, 3, 1, 1, "0"), (2, 4, 1, 1, "100"),
    (3, 1, 1, 1, "（三）不予公开"), (3, 2, 1, 1, "7"), (3, 3, 1, 1, "1"), (3, 4, 1, 1, ""),
]
TABLE_LEFT, TABLE_TOP = 40, 40


def table_image() -> tuple[Image.Image, list[int], list[int]]:
    image, draw = page(1280, 400)
    xs, ys = draw_table(draw, TABLE_LEFT, TABLE_TOP, TABLE_WIDTHS, TABLE_HEIGHTS, TABLE_CELLS)
    return image, xs, ys


@pytest.fixture(scope="module")
def table():
    image, xs, ys = table_image()
    return ocr.ocr_image(image, page=None, scale=1.0), xs, ys


@needs_ocr
def test_table_grid_keeps_blank_and_merged_cells_in_their_columns(table):
    rows, _, _ = table
    assert len(rows) == 4 and all(len(r.cells) == 5 for r in rows)
    header, first, second, third = rows
    assert texts(header) == ["信息内容", "", "本年制发", "本年废止", "收费金额"]
    assert header.cells[1].merged  # 信息内容 spans the two label columns
    # The blank cell stays in its column, not merged, and 3.5万元 keeps its own column.
    assert texts(first)[1:] == ["（一）予以公开", "12", "", "3.5万元"]
    assert not first.cells[3].merged
    assert texts(second)[2:] == ["-6", "0", "100"]
    assert texts(third)[1:] == ["（三）不予公开", "7", "1", ""]
    assert not third.cells[4].merged


@needs_ocr
def test_group_label_spanning_rows_is_merged_below_its_first_row(table):
    rows, _, _ = table
    first, second, third = rows[1:]
    assert label_key(first.cells[0].text) == label_key("三、本年度办理结果")
    assert "\n" in first.cells[0].text  # printed on two lines in one cell
    assert second.cells[0].merged and third.cells[0].merged
    assert second.cells[0].text == third.cells[0].text == ""


@needs_ocr
def test_wrapped_label_is_one_cell_of_its_row(table):
    rows, _, _ = table
    label = rows[2].cells[1].text
    assert label.count("\n") == 1
    assert label_key(label) == label_key("（二）部分公开（区分处理的只计这一情形）")


@needs_ocr
def test_cells_carry_their_grid_position_and_bbox(table):
    rows, xs, ys = table
    for r, row in enumerate(rows):
        assert row.loc.table == 1 and row.loc.row == r + 1
        for c, cell in enumerate(row.cells):
            assert (cell.loc.row, cell.loc.col) == (r + 1, c + 1)
    # A one-cell position has the bbox of its drawn rectangle, to within a few pixels.
    x0, top, x1, bottom = rows[3].cells[3].loc.bbox
    assert (x0, top, x1, bottom) == pytest.approx((xs[3], ys[3], xs[4], ys[4]), abs=4)
    # A merged cell's text has the bbox of the whole printed cell.
    assert rows[1].cells[0].loc.bbox == pytest.approx((xs[0], ys[1], xs[1], ys[4]), abs=4)


# --- the parts of the table reader on their own (no detector, deterministic) ------------------


def region_texts(image: Image.Image, boxes: list[ocr.Box]) -> list[str]:
    gray = np.asarray(image)
    horizontal, vertical = ocr.find_rules(gray < ocr.DARK)
    (grid,) = ocr.ruled_grids(horizontal, vertical, tol=15)
    ocr.place_boxes(grid, boxes, tol=15)
    ocr.read_cells(grid, ocr.erase_rules(gray, horizontal, vertical), text_height=40)
    return [region.text for region in grid.regions]


@needs_ocr
def test_cells_the_detector_missed_are_read_from_their_ink():
    image, draw = page(900, 160)
    draw_table(draw, 30, 30, [220, 200, 200, 200], [80],
               [(0, 0, 1, 1, "行政许可"), (0, 1, 1, 1, "7"), (0, 2, 1, 1, ""), (0, 3, 1, 1, "—")])
    label, number, blank, dash = region_texts(image, boxes=[])
    assert (label, number, blank) == ("行政许可", "7", "")
    assert is_not_applicable(dash)  # read as - or —, never as a blank


@needs_ocr
def test_a_box_drawn_across_rules_is_read_cell_by_cell():
    image, draw = page(500, 140)
    xs, ys = draw_table(draw, 30, 30, [70, 70, 70], [70], [(0, 0, 1, 1, "12"), (0, 1, 1, 1, "5"), (0, 2, 1, 1, "0")])
    glued = ocr.Box("1250", xs[0] + 10, ys[0] + 15, xs[3] - 10, ys[1] - 15)  # as if read as one word
    assert region_texts(image, [glued]) == ["12", "5", "0"]


@pytest.mark.parametrize("raw, cleaned", [("一6", "-6"), ("O", "0"), ("()", "0"), ("1O", "10"), ("一", "—"), ("其他", "其他")])
def test_recogniser_confusions_are_undone_only_for_numbers(raw, cleaned):
    assert ocr.clean_number(raw) == cleaned


# --- without ruling lines: columns from the number cells --------------------------------------


@needs_ocr
def test_unruled_table_puts_a_missing_value_in_its_column():
    image, draw = page(1000, 200)
    body = font(30)
    for y, label, values in ((30, "行政处罚", ("5", "12", "3")), (110, "行政强制", ("8", None, "6"))):
        draw.text((40, y), label, font=body, fill=0)
        for x, value in zip((500, 680, 860), values):
            if value:
                draw.text((x, y), value, font=body, fill=0)
    rows = ocr.ocr_image(image, page=None, scale=1.0)
    assert [texts(r) for r in rows] == [["行政处罚", "5", "12", "3"], ["行政强制", "8", "", "6"]]


# --- scanned PDF pages ------------------------------------------------------------------------


@needs_ocr
def test_ocr_pdf_pages_reads_an_image_only_pdf_in_points(tmp_path):
    image, draw = page(1240, 420)
    draw.text((40, 20), "二、主动公开政府信息情况", font=font(34), fill=0)
    draw_table(draw, 40, 90, [400, 260, 260], [70, 70, 70],
               [(0, 0, 1, 1, "信息内容"), (0, 1, 1, 1, "本年制发件数"), (0, 2, 1, 1, "现行有效件数"),
                (1, 0, 1, 1, "规章"), (1, 1, 1, 1, ""), (1, 2, 1, 1, "5"),
                (2, 0, 1, 1, "行政规范性文件"), (2, 1, 1, 1, "3"), (2, 2, 1, 1, "12")])
    pdf = tmp_path / "scan.pdf"
    image.save(pdf, "PDF", resolution=DPI)
    rows = ocr.ocr_pdf_pages(pdf, [1])
    assert [texts(r) for r in rows] == [
        ["二、主动公开政府信息情况"],
        ["信息内容", "本年制发件数", "现行有效件数"],
        ["规章", "", "5"],
        ["行政规范性文件", "3", "12"],
    ]
    points = 72 / DPI
    assert all(c.loc.page == 1 for r in rows for c in r.cells)
    # The cell of "12" lies where it was drawn, in PDF points.
    assert rows[3].cells[2].loc.bbox == pytest.approx((700 * points, 230 * points, 960 * points, 300 * points), abs=2)
    with pytest.raises(ReadError, match="page 2"):
        ocr.ocr_pdf_pages(pdf, [2])
    with pytest.raises(ValueError):
        ocr.ocr_pdf_pages(pdf, [1], dpi=150)


# --- a report page, end to end through ogi.parse ----------------------------------------------

ACTIVE_CELLS: TableCells = [
    (0, 0, 1, 4, "第二十条第（一）项"),
    (1, 0, 1, 1, "信息内容"), (1, 1, 1, 1, "本年制发件数"), (1, 2, 1, 1, "本年废止件数"), (1, 3, 1, 1, "现行有效件数"),
    (2, 0, 1, 1, "规章"), (2, 1, 1, 1, "1"), (2, 2, 1, 1, ""), (2, 3, 1, 1, "5"),
    (3, 0, 1, 1, "行政规范性文件"), (3, 1, 1, 1, "3"), (3, 2, 1, 1, "1"), (3, 3, 1, 1, "12"),
    (4, 0, 1, 4, "第二十条第（八）项"),
    (5, 0, 1, 1, "信息内容"), (5, 1, 1, 3, "本年收费金额（单位：万元）"),
    (6, 0, 1, 1, "行政事业性收费"), (6, 1, 1, 3, "2.5"),
]
OUTCOMES = ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"]
APPEALS = [2, 1, 0, 1, 4, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]
APPEALS_CELLS: TableCells = (
    [(0, 0, 1, 5, "行政复议"), (0, 5, 1, 10, "行政诉讼")]
    + [(1, c, 2, 1, label) for c, label in enumerate(OUTCOMES)]
    + [(1, 5, 1, 5, "未经复议直接起诉"), (1, 10, 1, 5, "复议后起诉")]
    + [(2, 5 + c, 1, 1, label) for c, label in enumerate(OUTCOMES * 2)]
    + [(3, c, 1, 1, str(v)) for c, v in enumerate(APPEALS)]
)


def report_page() -> Image.Image:
    """A 2021-format report cut down to its title and tables 二 and 四, on a short page."""
    image, draw = page(1654, 1040)
    draw.text((827, 60), "某某县人民政府2021年政府信息公开工作年度报告", font=font(44), fill=0, anchor="mm")
    draw.text((120, 130), "二、主动公开政府信息情况", font=font(34), fill=0)
    draw_table(draw, 120, 190, [440, 300, 300, 300], [60] * 7, ACTIVE_CELLS, size=28)
    draw.text((120, 660), "四、政府信息公开行政复议、行政诉讼情况", font=font(34), fill=0)
    draw_table(draw, 100, 720, [96] * 15, [60, 60, 90, 60], APPEALS_CELLS, size=26)
    return image


def check_report(report) -> None:
    assert (report.agency, report.year) == ("某某县人民政府", 2021)
    appeals = {(v.row_key, v.col_key): v.value for v in report.values if v.part == "appeals"}
    groups = ("review", "litigation_direct", "litigation_after_review")
    outcomes = ("upheld", "corrected", "other", "pending", "total")
    assert [appeals[g, o] for g in groups for o in outcomes] == APPEALS
    active = {(v.row_key, v.col_key): v for v in report.values if v.part == "active"}
    assert active["regulations", "issued"].value == 1
    assert active["regulations", "repealed"].raw == ""  # printed blank, kept blank
    assert active["normative_documents", "in_force"].value == 12
    assert float(active["administrative_fees", "fee_amount_10k_yuan"].value) == 2.5
    assert all(c.ok for c in report.checks if c.identity == "appeals_total")


@pytest.fixture(scope="module")
def report_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scans")
    image = report_page()
    image.save(folder / "report.png")
    image.save(folder / "report.pdf", "PDF", resolution=DPI)
    return folder


@needs_ocr
def test_a_photographed_report_page_parses_end_to_end(report_files):
    from ogi.parse import parse_file

    report = parse_file(report_files / "report.png")
    check_report(report)
    # Values point back to the page and the pixels they were read from.
    value = next(v for v in report.values if v.part == "appeals" and v.row_key == "review" and v.col_key == "total")
    assert value.loc.page == 1 and value.raw == "4"
    assert 100 + 4 * 96 <= (value.loc.bbox[0] + value.loc.bbox[2]) / 2 <= 100 + 5 * 96


@needs_ocr
def test_a_scanned_pdf_report_parses_end_to_end(report_files):
    from ogi.parse import parse_file

    check_report(parse_file(report_files / "report.pdf"))


# --- image files -------------------------------------------------------------------------------


@needs_ocr
@pytest.mark.parametrize("suffix, kind", [(".png", "png"), (".jpg", "jpg"), (".jpeg", "jpg")])
def test_image_files_are_one_page_read_by_ocr(tmp_path, suffix, kind):
    from ogi.read import read

    image, draw = page(420, 90)
    draw.text((20, 25), "行政许可", font=font(30), fill=0)
    draw.text((300, 25), "63", font=font(30), fill=0)
    path = tmp_path / f"scan{suffix}"
    image.convert("RGB").save(path)
    document = read(path)
    assert document.kind == kind
    assert [[c.text for c in r.cells] for r in document.rows] == [["行政许可", "63"]]
    assert document.rows[0].cells[1].loc.page == 1


def test_a_transparent_background_is_white_not_ink():
    image = Image.new("RGBA", (60, 40), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((10, 10, 20, 20), fill=(0, 0, 0, 255))
    gray, scale = ocr.grey_page(image, 1.0)
    assert gray[0, 0] == 255 and gray[15, 15] == 0 and scale == 1.0


# --- without the extra ------------------------------------------------------------------------


@pytest.fixture
def without_rapidocr(monkeypatch):
    ocr._engine.cache_clear()
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # makes the import fail
    yield
    ocr._engine.cache_clear()


def test_missing_extra_is_a_read_error_naming_it(without_rapidocr, tmp_path):
    image, _ = page(200, 100)
    with pytest.raises(ReadError, match=r"ogi-reports\[ocr\]"):
        ocr.ocr_image(image, page=1, scale=1.0)
    image.save(tmp_path / "scan.png")
    from ogi.parse import parse_file

    with pytest.raises(ParseError, match=r"ogi-reports\[ocr\]"):
        parse_file(tmp_path / "scan.png")


def test_an_unreadable_image_is_a_read_error(tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    from ogi.read import read

    with pytest.raises(ReadError, match="not a readable image"):
        read(broken)
