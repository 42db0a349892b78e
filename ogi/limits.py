"""Limits on the work one input file may cause, checked before a reader touches the file.

In: a file and a ``Limits`` (defaults a real report never reaches; ``ogi build --limit
NAME=VALUE`` changes one). Out: nothing, or ``LimitError`` (a ``ParseError``) with one
sentence naming the limit, so the file gets a clear error row and the build goes on.

What is looked at, without decompressing or rendering anything:
- DOCX: the sizes the zip's directory declares for its members once decompressed (Python's
  zipfile never inflates a member past its declared size, so the sum bounds the work);
- PDF: page count, each page's area (MediaBox, in square points) and the number of pages
  without Chinese text in their text layer, which the PDF reader sends to OCR;
- PNG/JPEG: width × height from the header.

Time and memory are bounded by the worker process that parses the file (``ogi/isolate.py``):
``timeout_s`` wall-clock seconds and ``memory_mb`` of address space (RLIMIT_AS).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .model import ParseError


class LimitError(ParseError):
    """A file past one of the limits; the message names the limit and how to raise it."""


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 200  # bytes of the file itself
    timeout_s: float = 300  # wall-clock seconds to parse one file (a 30-page scan needs ~210 s of OCR)
    memory_mb: int = 4096  # address space of the worker parsing it (RLIMIT_AS)
    docx_unzipped_mb: float = 100  # DOCX members, decompressed (a real report: under 5 MB)
    pdf_pages: int = 300  # pages of a PDF (real reports: 5–60)
    pdf_page_area: float = 10_000_000  # square points of one page (A4 is 0.5 M, A0 about 8 M)
    ocr_pages: int = 30  # pages without a text layer, sent to OCR (about 7 s each)
    image_pixels: int = 60_000_000  # width × height of a PNG/JPEG (a 600 dpi A4 scan is 35 M)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def fingerprint(self) -> str:
        """What a cached result depends on: a file past a limit may pass a higher one."""
        return ",".join(f"{k}={v}" for k, v in sorted(asdict(self).items()))

    def replace(self, assignments: list[str]) -> "Limits":
        """A copy with NAME=VALUE assignments applied (``ogi build --limit``); ValueError names the problem."""
        known = {f.name: f.type for f in fields(self)}
        values = asdict(self)
        for assignment in assignments:
            name, _, value = assignment.partition("=")
            name = name.strip()
            if name not in known:
                raise ValueError(f"unknown limit {name!r} (known: {', '.join(sorted(known))})")
            try:
                number = float(value)
            except ValueError:
                raise ValueError(f"limit {name}: {value!r} is not a number") from None
            if number <= 0:
                raise ValueError(f"limit {name}: must be above 0")
            values[name] = int(number) if known[name] in (int, "int") else number
        return Limits(**values)


DEFAULT = Limits()
_CJK = re.compile(r"[\u4e00-\u9fff]")  # as ogi/read/pdf.py: a page without Chinese text goes to OCR


def check(path: Path, limits: Limits) -> None:
    """Raise LimitError when the file would cause more work than the limits allow."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        _check_docx(path, limits)
    elif suffix == ".pdf":
        _check_pdf(path, limits)
    elif suffix in (".png", ".jpg", ".jpeg"):
        _check_image(path, limits)


def _check_docx(path: Path, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip (perhaps a Word 97 file named .docx): the reader says what it is
    if total > limits.docx_unzipped_mb * 1024 * 1024:
        raise LimitError(
            f"the DOCX unpacks to {total / 1024 / 1024:,.0f} MB, more than the limit of "
            f"{limits.docx_unzipped_mb:,.0f} MB (limit docx_unzipped_mb): not read"
        )


def _check_pdf(path: Path, limits: Limits) -> None:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError:
        return  # the reader says it is not a readable PDF
    try:
        pages = len(document)
        if pages > limits.pdf_pages:
            raise LimitError(f"the PDF has {pages:,} pages, more than the limit of {limits.pdf_pages:,} (limit pdf_pages): not read")
        without_text = 0
        for number in range(pages):
            page = document[number]
            try:
                width, height = page.get_size()
                if width * height > limits.pdf_page_area:
                    raise LimitError(
                        f"page {number + 1} of the PDF measures {width:,.0f} × {height:,.0f} points, more than the limit of "
                        f"{limits.pdf_page_area:,.0f} square points (limit pdf_page_area; A4 is 595 × 842): not read"
                    )
                textpage = page.get_textpage()
                try:
                    if not _CJK.search(textpage.get_text_range()):
                        without_text += 1
                finally:
                    textpage.close()
            finally:
                page.close()
        if without_text > limits.ocr_pages:
            raise LimitError(
                f"{without_text:,} pages of the PDF have no text layer and would go to OCR, more than the limit of "
                f"{limits.ocr_pages:,} (limit ocr_pages): not read"
            )
    finally:
        document.close()


def _check_image(path: Path, limits: Limits) -> None:
    from PIL import Image

    try:
        with Image.open(path) as image:  # reads the header only
            width, height = image.size
    except Image.DecompressionBombError:
        width = height = None
    except Exception:  # noqa: BLE001 - the reader says it is not a readable image
        return
    if width is None or width * height > limits.image_pixels:
        size = f"{width:,} × {height:,} pixels" if width else "an enormous number of pixels"
        raise LimitError(f"the image measures {size}, more than the limit of {limits.image_pixels:,} (limit image_pixels): not read")
