"""Hostile and broken inputs, made in a temporary folder (tests/test_hostile_inputs.py,
tests/test_site_security.py, scripts/load_test.py): each function writes one file of a kind
that once stopped, hung or blew up the build, quickly and without large test data."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path


def pdf_bytes(media_box=(0, 0, 595, 842), pages: int = 1, text: str = "Hello") -> bytes:
    """A small valid PDF (correct xref) with ``pages`` pages of the given MediaBox and a line of text."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    font = 3 + 2 * pages
    box = " ".join(str(x) for x in media_box)
    for i in range(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [{box}] /Contents {4 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height pixels (its one IDAT holds a few bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def docx_bomb(path: Path, megabytes: int = 120) -> None:
    """A DOCX of about a megabyte whose document.xml unpacks to ``megabytes`` MB of paragraphs."""
    paragraph = b"<w:p><w:r><w:t>" + b"x" * 200 + b"</w:t></w:r></w:p>"
    block = paragraph * ((1 << 20) // len(paragraph))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/></Types>')
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            for _ in range(megabytes):
                f.write(block)
            f.write(b"</w:body></w:document>")


def small_docx(paragraphs: list[str]) -> bytes:
    from docx import Document

    document = Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def non_utf8_name(folder: Path, data: bytes, suffix: str = ".txt") -> Path:
    """A file whose name is not valid UTF-8 (GBK bytes of 报告 and a stray 0xff)."""
    name = os.fsdecode("报告".encode("gbk") + b"\xff" + suffix.encode())
    path = folder / name
    path.write_bytes(data)
    return path
