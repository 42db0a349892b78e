"""The DOCX, DOC and HTML readers: grids with merged cells expanded, articles without their page.

Small documents are built here (python-docx, HTML strings) and read back. End to end, two
bundled sample reports (2019 and 2021 template) laid out with the standard merged-cell tables
must parse back to their gold values from DOCX and HTML (and the 2019 one from DOC), and the
real HTML page in ../shared/corpus/real to its gold.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import opencc
import pytest

from conftest import GOLD, SHARED
from ogi import accuracy, parse
from ogi.model import Location
from ogi.read import ReadError, read

# --- table layouts ---------------------------------------------------------------------------
# A layout is rows of strings; "<" is a position covered by the cell to its left, "^" one
# covered by the cell above (a merge over several rows and columns is "<" on its first row
# and "^" below). The same layout is written as DOCX (merges) and HTML (colspan/rowspan),
# and is what a reader must give back.

COVERED = ("<", "^")


def spans(layout: list[list[str]], r: int, c: int) -> tuple[int, int]:
    """(rowspan, colspan) of the cell starting at (r, c)."""
    colspan = 1
    while c + colspan < len(layout[r]) and layout[r][c + colspan] == "<":
        colspan += 1
    rowspan = 1
    while r + rowspan < len(layout) and layout[r + rowspan][c] == "^":
        rowspan += 1
    return rowspan, colspan


def expected_grid(layout: list[list[str]]) -> list[list[tuple[str, bool]]]:
    return [[("", True) if text in COVERED else (text, False) for text in row] for row in layout]


def add_docx_table(container, layout: list[list[str]]):
    table = container.add_table(rows=len(layout), cols=len(layout[0]))
    for r, row in enumerate(layout):
        for c, text in enumerate(row):
            if text in COVERED:
                continue
            rowspan, colspan = spans(layout, r, c)
            cell = table.cell(r, c)
            if (rowspan, colspan) != (1, 1):
                cell = cell.merge(table.cell(r + rowspan - 1, c + colspan - 1))
            cell.text = text
    return table


def write_docx(path: Path, blocks: list) -> Path:
    """Paragraphs (str) and tables (layouts), in order; Word wants a paragraph after a table."""
    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            add_docx_table(document, block)
    document.add_paragraph("")
    document.save(path)
    return path


def html_table(layout: list[list[str]]) -> str:
    rows = []
    for r, row in enumerate(layout):
        cells = []
        for c, text in enumerate(row):
            if text in COVERED:
                continue
            rowspan, colspan = spans(layout, r, c)
            attributes = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
            cells.append(f"<td{attributes}>{text.replace(chr(10), '<br>') or '&nbsp;'}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table border="1">\n' + "\n".join(rows) + "\n</table>"


def table_rows(document, table: int) -> list[list[tuple[str, bool]]]:
    return [[(c.text, c.merged) for c in row.cells] for row in document.rows if row.loc.table == table]


def flow_texts(document) -> list[str]:
    return [row.cells[0].text for row in document.rows if row.loc.table is None]


# --- DOCX ------------------------------------------------------------------------------------

MERGES = [
    ["项目", "数量", "<", "备注"],
    ["合计", "1", "2", ""],
    ["^", "3", "", "说明"],
]


def test_docx_paragraphs_and_a_table_with_horizontal_and_vertical_merges(tmp_path):
    document = read(write_docx(tmp_path / "r.docx", ["标题一行", MERGES, "表后段落"]))
    assert document.kind == "docx"
    assert flow_texts(document) == ["标题一行", "表后段落"]
    assert table_rows(document, 1) == expected_grid(MERGES)
    first, *_, after = document.rows
    assert first.loc == Location(line=1)
    assert after.loc == Location(line=3)  # block items: paragraph, table, paragraph
    # The real blank cell is a cell; the positions under 合计 and 数量 hold no value.
    row2 = document.rows[2].cells
    assert row2[3].text == "" and not row2[3].merged
    row3 = document.rows[3].cells
    assert row3[0].merged and row3[0].loc == Location(line=2, table=1, row=3, col=1)
    assert [c.loc.col for c in row3] == [1, 2, 3, 4]


def test_docx_cell_keeps_paragraph_and_line_breaks_and_collapses_spaces(tmp_path):
    path = tmp_path / "r.docx"
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    cell = table.cell(0, 0)
    cell.text = "（二）部分公开"
    cell.add_paragraph("（区分处理的）")
    table.cell(0, 1).paragraphs[0].add_run("12").add_break()
    table.cell(0, 1).paragraphs[0].add_run("  件\u00a0 ")
    paragraph = document.add_paragraph("二、主动公开政府信息情况")
    paragraph.add_run().add_break()
    paragraph.add_run("本年  新制作")
    document.save(path)
    got = read(path)
    assert table_rows(got, 1) == [[("（二）部分公开\n（区分处理的）", False), ("12\n件", False)]]
    # A soft line break outside tables starts a new row: the heading stays a line of its own.
    assert flow_texts(got) == ["二、主动公开政府信息情况", "本年 新制作"]
    assert [r.loc.line for r in got.rows if r.loc.table is None] == [2, 2]


def test_docx_layout_table_is_opened_and_only_the_inner_table_is_a_grid(tmp_path):
    path = tmp_path / "r.docx"
    document = docx.Document()
    document.add_paragraph("页眉文字")
    layout = document.add_table(rows=1, cols=1)
    cell = layout.cell(0, 0)
    cell.paragraphs[0].text = "某局2019年政府信息公开工作年度报告"
    cell.add_paragraph("二、主动公开政府信息情况")
    inner = cell.add_table(rows=2, cols=2)
    inner.cell(0, 0).merge(inner.cell(0, 1)).text = "第二十条第（一）项"
    inner.cell(1, 0).text = "规章"
    inner.cell(1, 1).text = "0"
    cell.add_paragraph("三、收到和处理政府信息公开申请情况")
    document.add_paragraph("页脚文字")
    document.save(path)
    got = read(path)
    assert flow_texts(got) == [
        "页眉文字", "某局2019年政府信息公开工作年度报告", "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况", "页脚文字",
    ]
    assert {r.loc.table for r in got.rows} == {None, 1}  # the layout table is not a grid
    assert table_rows(got, 1) == [[("第二十条第（一）项", False), ("", True)], [("规章", False), ("0", False)]]
    # python-docx puts an empty paragraph (block 5) after a table in a cell, as Word does.
    assert [r.loc.line for r in got.rows] == [1, 2, 3, 4, 4, 6, 7]
    assert [r.text for r in got.rows].index("规章 0") == 4  # the grid sits where it is printed


TEXT_BOX_PARAGRAPH = """<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml">
 <w:r><w:t>锚点段落</w:t></w:r>
 <w:r><mc:AlternateContent>
  <mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx><w:txbxContent>
   <w:p><w:r><w:t>二、主动公开政府信息情况</w:t></w:r></w:p>
   <w:tbl><w:tr><w:tc><w:p><w:r><w:t>规章</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>3</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
  </w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice>
  <mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>
   <w:p><w:r><w:t>二、主动公开政府信息情况</w:t></w:r></w:p>
  </w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>
 </mc:AlternateContent></w:r>
</w:p>"""


def test_docx_text_boxes_are_read_once_where_they_are_anchored(tmp_path):
    from docx.oxml import parse_xml

    path = tmp_path / "r.docx"
    document = docx.Document()
    document.add_paragraph("标题")
    document.element.body.sectPr.addprevious(parse_xml(TEXT_BOX_PARAGRAPH))
    document.add_paragraph("结尾")
    document.save(path)
    got = read(path)
    assert [r.text for r in got.rows] == ["标题", "锚点段落", "二、主动公开政府信息情况", "规章 3", "结尾"]
    assert [r.loc.line for r in got.rows] == [1, 2, 3, 4, 5]
    assert got.rows[3].loc.table == 1


def test_docx_without_text_raises_read_error(tmp_path):
    path = tmp_path / "r.docx"
    document = docx.Document()
    document.add_paragraph("")
    document.add_table(rows=2, cols=2)
    document.save(path)
    with pytest.raises(ReadError, match="no text"):
        read(path)


def test_damaged_docx_files_raise_read_error(tmp_path):
    not_zip = tmp_path / "a.docx"
    not_zip.write_bytes(b"this is not a zip file")
    with pytest.raises(ReadError, match="not a DOCX"):
        read(not_zip)
    no_document = tmp_path / "b.docx"
    with zipfile.ZipFile(no_document, "w") as z:
        z.writestr("hello.txt", "x")
    with pytest.raises(ReadError, match="damaged"):
        read(no_document)


# --- DOC -------------------------------------------------------------------------------------

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


def test_doc_without_libreoffice_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "r.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice here
    with pytest.raises(ReadError, match="needs LibreOffice.*libreoffice-writer-nogui"):
        read(path)


def test_doc_that_is_really_a_docx_is_read_without_libreoffice(tmp_path, monkeypatch):
    path = write_docx(tmp_path / "r.docx", ["标题一行", MERGES])
    misnamed = path.rename(tmp_path / "r.doc")
    monkeypatch.setenv("PATH", str(tmp_path))
    got = read(misnamed)
    assert got.kind == "doc" and table_rows(got, 1) == expected_grid(MERGES)


@needs_soffice
def test_damaged_doc_raises_read_error(tmp_path):
    path = tmp_path / "r.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(ReadError, match="could not convert"):
        read(path)


# --- HTML ------------------------------------------------------------------------------------


def write_html(path: Path, html: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(html.encode(encoding))
    return path


def test_html_rowspan_and_colspan_expand_to_the_grid(tmp_path):
    layout = [
        ["（本列数据的勾稽关系）", "<", "申请人情况", "<", "<"],
        ["^", "^", "自然人", "法人或其他组织", "总计"],
        ["三、本年度办理结果", "（一）予以公开", "1", "", "1"],
        ["^", "（二）部分公开", "0", "0", "0"],
    ]
    page = f"<html><body><p>三、收到和处理政府信息公开申请情况</p>{html_table(layout)}</body></html>"
    got = read(write_html(tmp_path / "r.html", page))
    assert got.kind == "html"
    assert table_rows(got, 1) == expected_grid(layout)
    blank = got.rows[3].cells[3]
    assert blank.text == "" and not blank.merged  # &nbsp; printed: a blank cell (0)
    covered = got.rows[4].cells[0]
    assert covered.merged and (covered.loc.table, covered.loc.row, covered.loc.col) == (1, 4, 1)
    assert covered.loc.line == got.rows[3].cells[0].loc.line  # the line of the cell covering it


def test_html_cell_text_keeps_breaks_and_collapses_whitespace(tmp_path):
    page = """<html><body><table>
<tr><td>（二）部分公开<br>（区分处理的，
    只计这一情形）</td><td><p>12</p><p>&nbsp;件&nbsp;&nbsp;</p></td><td>&nbsp;</td></tr>
</table>
<p>一、总体情况<br/>本年度&nbsp;&nbsp;主动公开</p>
</body></html>"""
    got = read(write_html(tmp_path / "r.html", page))
    assert table_rows(got, 1) == [[("（二）部分公开\n（区分处理的， 只计这一情形）", False), ("12\n件", False), ("", False)]]
    assert flow_texts(got) == ["一、总体情况", "本年度 主动公开"]
    assert [r.loc.line for r in got.rows] == [2, 5, 5]


def test_html_gbk_page_without_declared_charset_is_detected(tmp_path):
    text = "本机关2019年度主动公开政府信息，收到和处理政府信息公开申请情况如下。" * 3
    page = f"<html><body><h1>某县人民政府2019年政府信息公开工作年度报告</h1><p>{text}</p><p>規章　０　１</p></body></html>"
    got = read(write_html(tmp_path / "r.htm", page, "gbk"))
    # Kept as printed: Traditional characters, full-width digits and spaces.
    assert flow_texts(got) == ["某县人民政府2019年政府信息公开工作年度报告", text, "規章　０　１"]


def test_html_declared_gb2312_is_read_as_gb18030(tmp_path):
    # 镕 and 堃 are GBK, not GB2312: pages that declare gb2312 use them anyway.
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><p>朱镕基 王堃</p></body></html>'
    assert flow_texts(read(write_html(tmp_path / "r.html", page, "gb18030"))) == ["朱镕基 王堃"]


def test_html_wrong_declared_charset_falls_back(tmp_path):
    page = '<html><head><meta charset="utf-8"></head><body><p>二、主动公开政府信息情况，本年度新制作规章若干件。</p></body></html>'
    assert flow_texts(read(write_html(tmp_path / "r.html", page, "gb18030"))) == ["二、主动公开政府信息情况，本年度新制作规章若干件。"]


GOV_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>某县人民政府2019年政府信息公开工作年度报告_政府信息公开_某县人民政府</title>
<script>var x = "2019年政府信息公开工作年度报告";</script><style>p {{ color: red }}</style></head>
<body>
<div class="top"><nav><a href="/">首页</a> <a href="/zw">政务公开</a> <a href="/hd">互动交流</a></nav></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk">政府信息公开</a> &gt; 年度报告</div>
<div class="main">
 <div class="left">
  <h3>年度报告</h3>
  <ul><li><a href="/2018.html">某县人民政府2018年政府信息公开工作年度报告</a></li>
      <li><a href="/2017.html">某县人民政府2017年政府信息公开工作年度报告</a></li>
      <li><a href="/2016.html">某县人民政府2016年政府信息公开工作年度报告</a></li></ul>
 </div>
 <div class="notice">欢迎访问本网站，建议使用谷歌浏览器访问。</div>
 <div class="right">
  <table class="xxgk"><tr><td>索引号：</td><td>000000/2020-001</td><td>信息分类：</td><td>年度报告</td></tr>
   <tr><td>发布机构：</td><td>某县人民政府办公室</td><td>发文日期：</td><td>2020-01-20</td></tr>
   <tr><td>名称：</td><td colspan="3">某县人民政府2019年政府信息公开工作年度报告</td></tr></table>
  {title}
  <div class="info">发布时间：2020-01-20 来源：县政府办 【字体：大 中 小】 打印</div>
  <div class="content">
   <p>一、总体情况</p>
   <p>2019年，本县认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息608条。</p>
   <p>关闭整合网站2个，规范信息来源审核，打印张贴公开目录。</p>
   <p>二、主动公开政府信息情况</p>
   {table}
   <p>六、其他需要报告的事项</p><p>无。</p>
  </div>
  <div class="prevnext"><p>上一篇：<a href="/a.html">某县2019年财政预算公开</a></p><p>下一篇：<a href="/b.html">某县2019年政府工作报告</a></p></div>
  <div class="related"><h4>相关链接</h4><ul><li><a href="/c">2018年报告</a></li><li><a href="/d">2017年报告</a></li></ul></div>
 </div>
</div>
<footer>主办：某县人民政府办公室 版权所有 联系我们</footer>
</body></html>"""

ACTIVE_LAYOUT = [
    ["第二十条第（一）项", "<", "<", "<"],
    ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
    ["规章", "0", "0", "0"],
]
ARTICLE = [
    "某县人民政府2019年政府信息公开工作年度报告",
    "一、总体情况",
    "2019年，本县认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息608条。",
    "关闭整合网站2个，规范信息来源审核，打印张贴公开目录。",  # not a metadata box: no "来源："
    "二、主动公开政府信息情况",
    "六、其他需要报告的事项",
    "无。",
]


def test_html_article_is_found_among_navigation_links_and_metadata(tmp_path):
    page = GOV_PAGE.format(title="<h1>某县人民政府2019年政府信息公开工作年度报告</h1>", table=html_table(ACTIVE_LAYOUT))
    got = read(write_html(tmp_path / "r.html", page))
    assert flow_texts(got) == ARTICLE
    assert table_rows(got, 1) == expected_grid(ACTIVE_LAYOUT)  # the metadata table is not table 1
    assert {r.loc.table for r in got.rows} == {None, 1}
    h1_line = page.splitlines().index("  <h1>某县人民政府2019年政府信息公开工作年度报告</h1>") + 1
    assert got.rows[0].loc == Location(line=h1_line)


def test_html_title_only_in_page_title_is_put_first(tmp_path):
    page = GOV_PAGE.format(title="", table=html_table(ACTIVE_LAYOUT))
    got = read(write_html(tmp_path / "r.html", page))
    assert flow_texts(got) == ARTICLE
    assert got.rows[0].loc == Location(line=2)  # the <title> line


def test_html_page_in_traditional_characters_is_found_and_kept_as_printed(tmp_path):
    to_traditional = opencc.OpenCC("s2t").convert
    page = to_traditional(GOV_PAGE.format(title="<h1>某县人民政府2019年政府信息公开工作年度报告</h1>", table=html_table(ACTIVE_LAYOUT)))
    got = read(write_html(tmp_path / "r.html", page))
    assert flow_texts(got) == [to_traditional(text) for text in ARTICLE]
    assert flow_texts(got)[0] == "某縣人民政府2019年政府信息公開工作年度報告"
    assert table_rows(got, 1) == [[(to_traditional(t), m) for t, m in row] for row in expected_grid(ACTIVE_LAYOUT)]


def test_html_layout_table_page_is_opened_up(tmp_path):
    inner = html_table(ACTIVE_LAYOUT)
    page = f"""<html><body><table width="100%"><tr><td><a href="/">首页</a> <a href="/x">信息公开</a></td></tr>
<tr><td><p>某县人民政府2019年政府信息公开工作年度报告</p><p>二、主动公开政府信息情况</p>
{inner}<p>六、其他需要报告的事项</p></td></tr></table></body></html>"""
    got = read(write_html(tmp_path / "r.html", page))
    assert flow_texts(got) == ["某县人民政府2019年政府信息公开工作年度报告", "二、主动公开政府信息情况", "六、其他需要报告的事项"]
    assert table_rows(got, 1) == expected_grid(ACTIVE_LAYOUT)
    assert {r.loc.table for r in got.rows} == {None, 1}


@pytest.mark.parametrize("page", ["", "<html><body><img src='scan.png'><script>var a = 1;</script></body></html>"])
def test_html_page_without_text_raises_read_error(tmp_path, page):
    with pytest.raises(ReadError, match="no text"):
        read(write_html(tmp_path / "r.html", page))


# --- end to end: a bundled sample laid out as the standard tables ----------------------------

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org", "total")
GROUPS = {  # group label -> rows (key, label) in table 三's block 三、本年度办理结果
    "（三）不予公开": [
        ("withheld.state_secret", "1.属于国家秘密"), ("withheld.prohibited_by_law", "2.其他法律行政法规禁止公开"),
        ("withheld.three_securities_one_stability", "3.危及“三安全一稳定”"), ("withheld.third_party_rights", "4.保护第三方合法权益"),
        ("withheld.internal_affairs", "5.属于三类内部事务信息"), ("withheld.process_information", "6.属于四类过程性信息"),
        ("withheld.law_enforcement_files", "7.属于行政执法案卷"), ("withheld.administrative_query", "8.属于行政查询事项"),
    ],
    "（四）无法提供": [
        ("unable.not_held", "1.本机关不掌握相关政府信息"), ("unable.needs_creation", "2.没有现成信息需要另行制作"),
        ("unable.unclear_after_correction", "3.补正后申请内容仍不明确"),
    ],
    "（五）不予处理": [
        ("not_processed.petition_complaint", "1.信访举报投诉类申请"), ("not_processed.duplicate", "2.重复申请"),
        ("not_processed.publication", "3.要求提供公开出版物"), ("not_processed.excessive", "4.无正当理由大量反复申请"),
        ("not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"),
    ],
}

OTHER_2021 = [
    ("other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other.other", "3.其他"),
]


def _numbers(values: dict, keys) -> list[str]:
    return [str(values[k]) for k in keys]


def active_layout(active: dict, fmt: str) -> list[list[str]]:
    """Table 二 as the template prints it: a header row per 第二十条 item, columns merged to 3."""

    def section(name, header, rows):
        out = [[f"第二十条第（{name}）项", "<", "<", "<"], ["信息内容", *header, *["<"] * (3 - len(header))]]
        for label, cells in rows:
            out.append([label, *cells, *["<"] * (3 - len(cells))])
        return out

    def row(label, key, metrics):
        return (label, _numbers(active[key], metrics))

    if fmt == "2021":
        counts, decisions = ("issued", "repealed", "in_force"), ("decisions",)
        return [
            *section("一", ["本年制发件数", "本年废止件数", "现行有效件数"], [
                row("规章", "regulations", counts), row("行政规范性文件", "normative_documents", counts)]),
            *section("五", ["本年处理决定数量"], [row("行政许可", "administrative_licensing", decisions)]),
            *section("六", ["本年处理决定数量"], [
                row("行政处罚", "administrative_penalty", decisions), row("行政强制", "administrative_coercion", decisions)]),
            *section("八", ["本年收费金额（单位：万元）"], [row("行政事业性收费", "administrative_fees", ("fee_amount_10k_yuan",))]),
        ]
    made = ("made", "published", "total_published")
    items = ("items_last_year", "items_change", "decisions")
    procurement = active["centralized_procurement"]
    amount = procurement["procurement_amount_yuan"] / 10_000
    return [
        *section("一", ["本年新制作数量", "本年新公开数量", "对外公开总数量"], [
            row("规章", "regulations", made), row("规范性文件", "normative_documents", made)]),
        *section("五", ["上一年项目数量", "本年增/减", "处理决定数量"], [
            row("行政许可", "administrative_licensing", items), row("其他对外管理服务事项", "other_management_services", items)]),
        *section("六", ["上一年项目数量", "本年增/减", "处理决定数量"], [
            row("行政处罚", "administrative_penalty", items), row("行政强制", "administrative_coercion", items)]),
        *section("八", ["上一年项目数量", "本年增/减"], [row("行政事业性收费", "administrative_fees", items[:2])]),
        *section("九", ["采购项目数量", "采购总金额"], [("政府集中采购", [str(procurement["procurement_projects"]), f"{amount:g}万元"])]),
    ]


def requests_layout(requests: dict) -> list[list[str]]:
    def values(key):
        return _numbers(requests[key], APPLICANTS)

    rows = [
        [NOTE, "<", "<", "申请人情况", *["<"] * 6],
        ["^", "^", "^", "自然人", "法人或其他组织", *["<"] * 4, "总计"],
        ["^", "^", "^", "^", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "^"],
        ["一、本年新收政府信息公开申请数量", "<", "<", *values("new_received")],
        ["二、上年结转政府信息公开申请数量", "<", "<", *values("carried_over")],
        ["三、本年度办理结果", "（一）予以公开", "<", *values("granted")],
        ["^", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "<", *values("partially_granted")],
    ]
    for group, members in GROUPS.items():
        for n, (key, label) in enumerate(members):
            rows.append(["^", group if n == 0 else "^", label, *values(key)])
    if "other" in requests:  # 2019: one row
        rows.append(["^", "（六）其他处理", "<", *values("other")])
    else:  # 2021: three sub-rows under a group label
        for n, (key, label) in enumerate(OTHER_2021):
            rows.append(["^", "（六）其他处理" if n == 0 else "^", label, *values(key)])
    rows.append(["^", "（七）总计", "<", *values("total")])
    rows.append(["四、结转下年度继续办理", "<", "<", *values("carried_forward")])
    return rows


def appeals_layout(appeals: dict) -> list[list[str]]:
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    keys = ("upheld", "corrected", "other", "pending", "total")
    return [
        ["行政复议", *["<"] * 4, "行政诉讼", *["<"] * 9],
        [*outcomes, "未经复议直接起诉", *["<"] * 4, "复议后起诉", *["<"] * 4],
        [*["^"] * 5, *outcomes, *outcomes],
        [*(v for group in ("review", "litigation_direct", "litigation_after_review") for v in _numbers(appeals[group], keys))],
    ]


def sample_report_blocks(gold: dict) -> list:
    return [
        f"{gold['agency']}{gold['year']}年政府信息公开工作年度报告",
        "一、总体情况",
        "本单位认真贯彻落实《中华人民共和国政府信息公开条例》，依法办理政府信息公开申请。",
        "二、主动公开政府信息情况",
        active_layout(gold["active"], gold["format"]),
        "三、收到和处理政府信息公开申请情况",
        requests_layout(gold["requests"]),
        "四、政府信息公开行政复议、行政诉讼情况",
        appeals_layout(gold["appeals"]),
        "五、存在的主要问题及改进情况",
        "工作人员业务熟悉程度有待提高。",
        "六、其他需要报告的事项",
        "无。",
    ]


def sample_report_html(gold: dict) -> str:
    body = "\n".join(f"<p>{b}</p>" if isinstance(b, str) else html_table(b) for b in sample_report_blocks(gold))
    return GOV_PAGE.replace("{title}", "").replace("{table}", "").replace(
        '<div class="content">', '<div class="content">' + body
    ).replace("某县人民政府", gold["agency"])


# One bundled sample per template: 003 (2019 format), 001 (2021 format, three （六） sub-rows).
SAMPLE_GOLD = {"2019": "003_358dec47750a91e3", "2021": "001_95df3186215ccd32"}


def gold_of(fmt: str) -> dict:
    return json.loads((GOLD / f"{SAMPLE_GOLD[fmt]}.json").read_text(encoding="utf-8"))


@pytest.fixture(params=sorted(SAMPLE_GOLD))
def sample_gold(request) -> dict:
    return gold_of(request.param)


def assert_parses_back(path: Path, gold: dict) -> None:
    comparison = accuracy.compare(parse.as_json(parse.parse_file(path)), gold)
    assert comparison.perfect, comparison.describe()
    assert len(comparison.exact) == len(accuracy.values_of(gold))


def test_docx_sample_report_with_merged_tables_parses_back_equal(tmp_path, sample_gold):
    path = write_docx(tmp_path / "report.docx", sample_report_blocks(sample_gold))
    document = read(path)
    assert table_rows(document, 2) == expected_grid(requests_layout(sample_gold["requests"]))
    assert_parses_back(path, sample_gold)


def test_html_sample_report_in_a_government_page_parses_back_equal(tmp_path, sample_gold):
    path = write_html(tmp_path / "report.html", sample_report_html(sample_gold))
    document = read(path)
    assert table_rows(document, 3) == expected_grid(appeals_layout(sample_gold["appeals"]))
    assert_parses_back(path, sample_gold)


@needs_soffice
def test_doc_sample_report_parses_back_equal(tmp_path):
    sample_gold = gold_of("2019")
    source = write_docx(tmp_path / "report.docx", sample_report_blocks(sample_gold))
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "doc", "--outdir", str(tmp_path / "doc"), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    path = tmp_path / "doc" / "report.doc"
    document = read(path)
    assert document.kind == "doc"
    assert table_rows(document, 2) == expected_grid(requests_layout(sample_gold["requests"]))
    assert_parses_back(path, sample_gold)


SHANGHAI = SHARED / "corpus" / "real" / "shanghai-shfb-2019_tables_extract.html"
SHANGHAI_GOLD = SHARED / "gold" / "real" / "shanghai-shfb-2019_tables_extract.json"


@pytest.mark.skipif(not SHANGHAI.is_file() or not SHANGHAI_GOLD.is_file(), reason="../shared/corpus/real is not here: the real HTML report is not bundled")
def test_real_shanghai_html_report_equals_gold():
    """The page prints table 四 sideways (a row per group) with the 复议后起诉 row all blank."""
    gold = json.loads(SHANGHAI_GOLD.read_text(encoding="utf-8"))
    comparison = accuracy.compare(parse.as_json(parse.parse_file(SHANGHAI)), gold)
    assert comparison.perfect, comparison.describe()
