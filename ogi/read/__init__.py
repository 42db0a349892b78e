"""Read a file into a Document: rows of cells, each with where it was found.

One reader per input format; everything downstream sees only ``Document``. A reader raises
``ReadError`` with a sentence a person can act on when the file cannot be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..model import Document, ParseError
from . import plaintext


class ReadError(ParseError):
    """The file could not be turned into a Document (wrong format, damaged, missing extra)."""


READERS: dict[str, Callable[[Path], Document]] = {
    ".txt": plaintext.read,
    ".md": plaintext.read,
    ".markdown": plaintext.read,
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def read(path: str | Path) -> Document:
    path = Path(path)
    if not path.is_file():
        raise ReadError("no such file")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise ReadError(f"cannot read {path.suffix or 'files without an extension'} files (known: {known})")
    try:
        return reader(path)
    except ReadError:
        raise
    except UnicodeDecodeError as e:
        raise ReadError(f"not valid text in any known encoding ({e.reason})") from e
