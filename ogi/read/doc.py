"""DOC (Word 97-2003): converted to DOCX by LibreOffice, then read as DOCX.

In: a ``.doc`` file. Out: a Document of kind ``doc`` with the rows the DOCX reader gives
(paragraphs as one-cell rows, tables as grids with merged cells expanded), so locations are
those of the converted document: block numbers and table/row/col, which LibreOffice keeps.

LibreOffice (``soffice``) must be on the PATH. Each conversion gets its own LibreOffice
profile: a running instance (another conversion, a user's office) holding the default profile
makes ``soffice --convert-to`` exit without converting anything.
A ``.doc`` that is really a DOCX (zip) package is read directly.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..model import Document
from . import ReadError
from .docx import rows_of_docx

CONVERT_TIMEOUT = 60  # seconds; a normal report converts in 2-5 s
ZIP_MAGIC = b"PK\x03\x04"
NO_SOFFICE = (
    "reading .doc needs LibreOffice (soffice) on the PATH; "
    "install libreoffice-writer-nogui or convert the file to .docx"
)


def read(path: Path) -> Document:
    with path.open("rb") as f:
        is_zip = f.read(len(ZIP_MAGIC)) == ZIP_MAGIC
    if is_zip:
        return Document(str(path), "doc", rows_of_docx(path))
    with tempfile.TemporaryDirectory(prefix="ogi-doc-") as tmp:
        converted = convert_to_docx(path, Path(tmp))
        return Document(str(path), "doc", rows_of_docx(converted))


def convert_to_docx(path: Path, workdir: Path) -> Path:
    """LibreOffice's DOCX of ``path``, written into ``workdir``."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise ReadError(NO_SOFFICE)
    # A plain ASCII copy: LibreOffice reads its input name from the command line, and an
    # unusual name (spaces, a leading dash, some encodings) must not change what it does.
    source = workdir / "input.doc"
    shutil.copyfile(path, source)
    outdir = workdir / "out"
    profile = (workdir / "profile").as_uri()
    command = [
        soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
        "--convert-to", "docx", "--outdir", str(outdir), str(source),
    ]
    _run(command)
    converted = outdir / "input.docx"
    if not converted.is_file():
        raise ReadError("LibreOffice could not convert the .doc file (it may be damaged or not a Word document)")
    return converted


def _run(command: list[str]) -> None:
    # soffice starts a child process (soffice.bin): run it in its own process group so a
    # timeout ends both, not just the launcher.
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        process.wait(timeout=CONVERT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise ReadError(f"LibreOffice took more than {CONVERT_TIMEOUT} s to convert the .doc file; it may be damaged") from None
