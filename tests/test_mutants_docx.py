"""The DOCX reader (ogi/read/docx.py) on small documents whose document.xml is written by hand:
what a run prints (tabs, soft breaks, non-breaking hyphens, tracked insertions, empty text
elements), content controls around paragraphs, rows and cells, grid positions of
gridBefore/gridSpan/gridAfter and legacy hMerge with their exact table/row/column locations,
the size limits that tell a page-layout table from a data table, the Word 97-2003 file
mislabelled .docx, and the exact ReadError sentences for broken packages.
Written for mutants of scripts/mutation.py."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from ogi.model import Cell, Location, Row
from ogi.read import ReadError, read
from ogi.read.doc import NO_SOFFICE

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
)


def _base_docx() -> bytes:
    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


BASE = _base_docx()


def repackage(path: Path, replace: dict[str, bytes | None]) -> Path:
    """python-docx's empty document with some parts replaced (bytes) or left out (None)."""
    source = zipfile.ZipFile(io.BytesIO(BASE))
    with zipfile.ZipFile(path, "w") as z:
        for name in source.namelist():
            if name in replace and replace[name] is None:
                continue
            z.writestr(name, replace.get(name) or source.read(name))
    return path


def write_body(path: Path, body: str) -> Path:
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>{body}<w:sectPr/></w:body></w:document>'
    return repackage(path, {"word/document.xml": xml.encode("utf-8")})


def p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def tc(text: str, props: str = "") -> str:
    return f"<w:tc>{f'<w:tcPr>{props}</w:tcPr>' if props else ''}{p(text)}</w:tc>"


def tr(*cells: str, props: str = "") -> str:
    return f"<w:tr>{f'<w:trPr>{props}</w:trPr>' if props else ''}{''.join(cells)}</w:tr>"


def tbl(*rows: str) -> str:
    return f"<w:tbl>{''.join(rows)}</w:tbl>"


def flow(document) -> list[tuple[str, Location]]:
    return [(r.cells[0].text, r.cells[0].loc) for r in document.rows if r.loc.table is None]


def grid(document, table: int) -> list[list[tuple[str, bool, Location]]]:
    return [[(c.text, c.merged, c.loc) for c in r.cells] for r in document.rows if r.loc.table == table]


# --- what a paragraph prints -----------------------------------------------------------------


def test_runs_print_tabs_breaks_hyphens_and_tracked_insertions(tmp_path):
    # A tab between a label and its number must stay a space ("本年 新制作 12", not "本年新制作12"),
    # a carriage return is a line break like w:br, a non-breaking hyphen prints as "-", text
    # inserted with tracked changes is printed, and an empty w:t adds nothing.
    body = (
        '<w:p><w:r><w:t>本年</w:t><w:tab/><w:t>新制作</w:t>'
        '<w:ptab w:relativeTo="margin" w:alignment="right" w:leader="none"/><w:t>12</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>一</w:t><w:cr/><w:t>二</w:t><w:br/><w:t>三</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>2019</w:t><w:noBreakHyphen/><w:t>2020年</w:t></w:r></w:p>"
        '<w:p><w:r><w:t/><w:t>申请</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>（新增）</w:t></w:r></w:ins></w:p>'
        + tbl(tr(tc("项目"), '<w:tc><w:p><w:r><w:t>12</w:t><w:tab/><w:t>件</w:t></w:r></w:p></w:tc>'))
    )
    document = read(write_body(tmp_path / "r.docx", body))
    assert flow(document) == [
        ("本年 新制作 12", Location(line=1)),
        ("一", Location(line=2)), ("二", Location(line=2)), ("三", Location(line=2)),
        ("2019-2020年", Location(line=3)),
        ("申请（新增）", Location(line=4)),
    ]
    # Each paragraph line is a row of one cell, both located at the paragraph's block.
    assert document.rows[0] == Row([Cell("本年 新制作 12", Location(line=1))], Location(line=1))
    assert grid(document, 1) == [[
        ("项目", False, Location(line=5, table=1, row=1, col=1)),
        ("12 件", False, Location(line=5, table=1, row=1, col=2)),
    ]]


def test_content_controls_around_paragraphs_rows_and_cells_are_looked_through(tmp_path):
    # Forms made in Word wrap paragraphs, table rows and cells in content controls (w:sdt) and
    # custom XML: what they hold is printed in place, so it must be read in place.
    body = (
        f"<w:sdt><w:sdtPr/><w:sdtContent>{p('标题')}</w:sdtContent></w:sdt>"
        + "<w:tbl>"
        + tr(tc("项目"), tc("数量"))
        + f"<w:sdt><w:sdtContent>{tr(tc('规章'), tc('3'))}</w:sdtContent></w:sdt>"
        + f"<w:tr><w:customXml w:element='x'>{tc('规范性文件')}</w:customXml><w:sdt><w:sdtContent>{tc('4')}</w:sdtContent></w:sdt></w:tr>"
        + "</w:tbl>"
        + f"<w:customXml w:element='y'>{p('结尾')}</w:customXml>"
    )
    document = read(write_body(tmp_path / "r.docx", body))
    assert flow(document) == [("标题", Location(line=1)), ("结尾", Location(line=3))]
    assert [[c.text for c in r.cells] for r in document.rows if r.loc.table == 1] == [["项目", "数量"], ["规章", "3"], ["规范性文件", "4"]]
    assert [r.loc for r in document.rows if r.loc.table == 1] == [Location(line=2, table=1, row=n) for n in (1, 2, 3)]


# --- grid positions --------------------------------------------------------------------------


def test_grid_before_span_after_and_legacy_hmerge_keep_every_column_number(tmp_path):
    # Column numbers are how a value is keyed to its column: positions skipped before a row's
    # first cell (gridBefore), covered by a wide cell (gridSpan) or left after its last cell
    # (gridAfter) are empty merged cells at their own column, never shifting the next cell.
    # A legacy hMerge continuation is covered like a gridSpan; its restart cell holds the text.
    # gridBefore 0 and a negative gridAfter add nothing.
    body = tbl(
        tr(tc("A", '<w:gridSpan w:val="2"/>'), tc("B"), props='<w:gridBefore w:val="1"/><w:gridAfter w:val="1"/>'),
        tr(tc("C", '<w:hMerge w:val="restart"/>'), tc("", "<w:hMerge/>"), tc("D", '<w:gridSpan w:val="3"/>')),
        tr(tc("1"), tc("2"), tc("3"), tc("4"), tc("5"), props='<w:gridBefore w:val="0"/><w:gridAfter w:val="-1"/>'),
    ) + p("表后")
    document = read(write_body(tmp_path / "r.docx", body))

    def at(row: int, col: int) -> Location:
        return Location(line=1, table=1, row=row, col=col)

    assert grid(document, 1) == [
        [("", True, at(1, 1)), ("A", False, at(1, 2)), ("", True, at(1, 3)), ("B", False, at(1, 4)), ("", True, at(1, 5))],
        [("C", False, at(2, 1)), ("", True, at(2, 2)), ("D", False, at(2, 3)), ("", True, at(2, 4)), ("", True, at(2, 5))],
        [(str(n), False, at(3, n)) for n in range(1, 6)],
    ]
    assert [r.loc for r in document.rows] == [Location(line=1, table=1, row=n) for n in (1, 2, 3)] + [Location(line=2)]


# --- layout or data --------------------------------------------------------------------------


def test_layout_table_limits_are_exact(tmp_path):
    # A table is page layout (its cells read as prose, no grid) when one cell holds more than
    # 1000 characters, or when it has one column and more than 300 characters in all. At the
    # limits, and for two columns of short cells, it is data: a statistical table must never be
    # dissolved into prose, and a box of prose must never become a table.
    body = (
        tbl(tr(tc("甲" * 1000), tc("1")))  # block 1: data, table 1
        + tbl(tr(tc("乙" * 1001), tc("2")))  # block 2..: layout, its cells become lines
        + tbl(tr(tc("丙" * 100)), tr(tc("丙" * 100)), tr(tc("丙" * 100)))  # data, table 2
        + tbl(tr(tc("丁" * 100)), tr(tc("丁" * 100)), tr(tc("丁" * 101)))  # layout
        + tbl(tr(tc("戊" * 150), tc("戊" * 151)))  # two columns: data, table 3
        + p("结尾")
    )
    document = read(write_body(tmp_path / "r.docx", body))
    assert [(r.text, r.loc) for r in document.rows] == [
        ("甲" * 1000 + " 1", Location(line=1, table=1, row=1)),
        ("乙" * 1001, Location(line=2)),
        ("2", Location(line=3)),
        ("丙" * 100, Location(line=4, table=2, row=1)),
        ("丙" * 100, Location(line=4, table=2, row=2)),
        ("丙" * 100, Location(line=4, table=2, row=3)),
        ("丁" * 100, Location(line=5)),
        ("丁" * 100, Location(line=6)),
        ("丁" * 101, Location(line=7)),
        ("戊" * 150 + " " + "戊" * 151, Location(line=8, table=3, row=1)),
        ("结尾", Location(line=9)),
    ]


# --- what file it is -------------------------------------------------------------------------


def test_word97_file_named_docx_goes_to_the_doc_reader(tmp_path, monkeypatch):
    # A Word 97-2003 file saved as .docx is common; it must be read (or refused) as a .doc, so
    # without LibreOffice the user is told what to install, not that the file is broken.
    path = tmp_path / "r.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice here
    with pytest.raises(ReadError) as raised:
        read(path)
    assert str(raised.value) == NO_SOFFICE


def test_document_records_its_path_and_kind(tmp_path):
    path = write_body(tmp_path / "报告.docx", p("标题"))
    document = read(path)
    assert (document.path, document.kind) == (str(path), "docx")


# --- broken packages: the sentence a user reads ----------------------------------------------


def read_error(path: Path) -> str:
    with pytest.raises(ReadError) as raised:
        read(path)
    return str(raised.value)


def test_broken_packages_raise_read_errors_that_say_what_is_wrong(tmp_path):
    # The message is published with the file's failure, so its text is what users see.
    not_zip = tmp_path / "a.docx"
    not_zip.write_bytes(b"this is not a zip file")
    assert read_error(not_zip) == "not a Word document: the file is not a DOCX (zip) package"

    no_document = repackage(tmp_path / "b.docx", {"word/document.xml": None})
    assert read_error(no_document) == (
        "the DOCX file is damaged (KeyError: \"There is no item named 'word/document.xml' in the archive\")"
    )

    slides = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    types = zipfile.ZipFile(io.BytesIO(BASE)).read("[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", slides.encode()
    )
    presentation = repackage(tmp_path / "c.docx", {"[Content_Types].xml": types})
    assert read_error(presentation) == (
        f"not a Word document (file '{presentation}' is not a Word file, content type is '{slides}')"
    )

    other_root = repackage(tmp_path / "d.docx", {"word/document.xml": b'<foo xmlns="urn:x"/>'})
    assert read_error(other_root) == (
        "the DOCX file could not be read (AttributeError: 'lxml.etree._Element' object has no attribute 'body')"
    )

    blank = write_body(tmp_path / "e.docx", p("") + tbl(tr(tc(""), tc(""))))
    assert read_error(blank) == "the document has no text (the report may be pasted in as images)"

    no_body = repackage(tmp_path / "f.docx", {"word/document.xml": f'<w:document {NS}/>'.encode()})
    assert read_error(no_body) == "the DOCX file is damaged (its document has no body)"
