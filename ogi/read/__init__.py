"""Read a file into a Document: rows of cells, each with where it was found.

One reader per input format, each a module here with ``read(path) -> Document``;
everything downstream sees only ``Document``. A reader raises ``ReadError`` with a sentence
a person can act on when the file cannot be read (damaged, wrong format, missing extra).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from ..model import Document, ParseError


class ReadError(ParseError):
    """The file could not be turned into a Document (wrong format, damaged, missing extra)."""


# file extension -> reader module (imported when first needed, so a missing optional
# dependency only matters for files of that format)
READERS: dict[str, str] = {
    ".txt": "plaintext",
    ".md": "plaintext",
    ".markdown": "plaintext",
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "doc",
    ".html": "html",
    ".htm": "html",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def read(path: str | Path) -> Document:
    path = Path(path)
    if not path.is_file():
        raise ReadError("no such file")
    module = READERS.get(path.suffix.lower())
    if module is None:
        known = ", ".join(sorted(READERS))
        raise ReadError(f"cannot read {path.suffix or 'files without an extension'} files (known: {known})")
    reader = import_module(f"{__name__}.{module}")
    try:
        return reader.read(path)
    except ReadError:
        raise
    except UnicodeDecodeError as e:
        raise ReadError(f"not valid text in any known encoding ({e.reason})") from e
