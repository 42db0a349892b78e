"""Why a file was not read, in words a maintainer acts on, in Chinese and English.

In: a source's status and its technical error (as the readers and the build say it).
Out: ``Problem(kind, zh, en)``: a short kind to facet on (empty_file, encrypted_pdf,
not_a_report …), a sentence in each language saying what it is and what to do. The
technical detail stays in ``sources.error`` beside them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    kind: str
    zh: str
    en: str


# (pattern on the error, kind, 中文, English), first match wins.
_EMPTY = Problem("empty_file", "空文件：文件里没有内容。请重新下载原文。", "Empty file: it holds nothing. Download the original again.")
_RULES: tuple[tuple[str, str, str, str], ...] = (
    (r"^0 bytes|empty file|file is empty|the file has no bytes", _EMPTY.kind, _EMPTY.zh, _EMPTY.en),
    (r"encrypt|password", "encrypted_pdf",
     "加密的 PDF：需要密码才能打开。请找未加密的版本。", "Encrypted PDF: it needs a password. Find an unencrypted copy."),
    (r"no title line|none of the statistical tables|not a report|no report", "not_a_report",
     "不是年度报告：找不到报告标题或统计表。请确认这是政府信息公开工作年度报告。",
     "Not an annual report: no report title or statistical tables were found. Check that it is a 政府信息公开工作年度报告."),
    (r"has no text|no Chinese text|pasted in as images|built by JavaScript", "no_text",
     "没有文字：报告可能是图片或由脚本生成。请找 PDF 或带文字的版本。",
     "No text: the report may be images or built by JavaScript. Find a PDF or a copy with text."),
    (r"ocr extra|rapidocr|needs the .?ocr", "needs_ocr",
     "扫描件：需要安装文字识别（ocr）组件后重新构建。", "A scan: install the ocr extra and build again."),
    (r"limit [a-z_]+\)|more than the limit|timed out|took more than|memory", "too_big",
     "超出处理上限：文件过大、页数过多或处理超时。请检查文件，必要时调高上限。",
     "Over a limit: too large, too many pages or too slow. Check the file; raise the limit if it is a real report."),
    (r"not a readable PDF|damaged PDF|PDF has no pages", "damaged_pdf",
     "PDF 已损坏或无法读取。请重新下载原文。", "Damaged or unreadable PDF. Download the original again."),
    (r"not a Word document|DOCX file (?:is damaged|could not be read)|LibreOffice", "damaged_word",
     "Word 文件已损坏或无法转换。请重新下载，或另存为 DOCX。", "Damaged Word file, or it could not be converted. Download it again or save it as DOCX."),
    (r"not a readable image", "damaged_image", "图片已损坏或无法读取。", "Damaged or unreadable image."),
    (r"encoding", "unknown_encoding", "无法识别文字编码。请另存为 UTF-8。", "The text's encoding is unknown. Save it as UTF-8."),
    (r"cannot read .* files|no reader for", "unsupported_format",
     "不支持的文件格式。支持 PDF、DOCX、DOC、HTML、TXT、MD 和图片。", "A format this build does not read (PDF, DOCX, DOC, HTML, TXT, MD and images are read)."),
    (r"symbolic link|symlink|not a file|permission denied|cannot be opened|cannot be read|no such file|changed while", "not_readable",
     "无法读取该文件（链接、权限或设备）。请把文件本身放入输入文件夹。",
     "The file could not be read (a link, permissions or a device). Put the file itself in the input folder."),
    (r"internal error", "parser_error",
     "解析程序出错：这是程序的问题，请报告。", "The parser failed: a bug in the program, please report it."),
)


def problem(status: str, error: str | None, size: int | None = None) -> Problem | None:
    """What went wrong with a file (``size`` its bytes, when read), or None when it was read."""
    if status == "duplicate":
        return Problem("duplicate", "重复文件：与另一个文件内容完全相同，只计一次。",
                       "A duplicate: the same bytes as another file, counted once.")
    if status == "alternate":
        return Problem("alternate", "同一报告的另一个文件：数字已与主文件比对（见 report_files），只计一次。",
                       "Another file of the same report: its numbers are compared with the primary file's (report_files), counted once.")
    if status in ("parsed", "manifest") or not error:
        return None
    if size == 0:
        return _EMPTY
    for pattern, kind, zh, en in _RULES:
        if re.search(pattern, error, re.IGNORECASE):
            return Problem(kind, zh, en)
    return Problem("other", "无法读取：见技术说明。", "Not read: see the technical detail.")
