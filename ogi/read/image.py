"""PNG and JPEG files: a photographed or scanned page, read by OCR.

In: a .png, .jpg or .jpeg file holding one page. Out: a Document of kind 'png' or 'jpg'
whose Rows come from ``ocr.ocr_image`` (page 1; bboxes in the image's pixels, as a plain
image has no page size in points). Needs the ``ocr`` extra.
"""

from __future__ import annotations

from pathlib import Path

from ..model import Document
from . import ReadError
from .ocr import ocr_image


def read(path: Path) -> Document:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            # A phone photo is often stored sideways with an EXIF note saying how to turn it.
            page = ImageOps.exif_transpose(image)
            page.load()
    except (UnidentifiedImageError, OSError) as e:
        raise ReadError(f"not a readable image ({e})") from e
    except Exception as e:  # noqa: BLE001 - Pillow raises SyntaxError, ValueError, EOFError … on damaged files
        raise ReadError(f"not a readable image ({type(e).__name__}: {e})") from e
    kind = "jpg" if path.suffix.lower() in (".jpg", ".jpeg") else "png"
    return Document(str(path), kind, ocr_image(page, page=1, scale=1.0))
