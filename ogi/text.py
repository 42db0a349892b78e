"""Text normalization shared by every stage: label keys for matching and numbers as printed.

In: a string as printed. Out: a comparable label key, or a ``PrintedNumber`` (value, unit, note).
The raw string is never changed here; callers keep it for provenance.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# Punctuation and symbols that differ between printings of the same label: full/half width
# brackets, quotes, enumeration commas, dots, slashes, spaces.
_NOT_LABEL = re.compile(r"[\s\u3000\u200b\ufeff\"'“”‘’「」『』()（）\[\]【】〔〕<>《》,，、.．·:：;；!！?？/／\\_\-—–－~～*]+")

# Words that differ between the two templates or between agencies but mean the same row.
_SYNONYMS = (("本年新增", "本年新收"), ("直接诉讼", "直接起诉"))

NOT_APPLICABLE = {"/", "／", "—", "——", "-", "--", "－", "─"}

_NUMBER = re.compile(
    r"""^(?P<sign>[-+])?\s*
        (?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?
        \s*(?P<unit>万元|万|元|件|条|项|个|宗|次)?
        \s*(?P<note>\(.*\))?$""",
    re.VERBOSE,
)
# A line that is only a page number: '- 4 -', '— 5 —', '第 4 页 共 9 页'.
PAGE_NUMBER_FORMS = r"[-—–－]+\s*\d{1,3}\s*[-—–－]+|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?"
PAGE_NUMBER = re.compile(rf"^(?:{PAGE_NUMBER_FORMS})$")
# Where a row label starts: 一、 （一） 1. 1、 (not a decimal point).
ROW_MARKER = re.compile(r"[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|(?<![\d.])\d{1,2}[.、．](?!\d)")
_UNIT_ONLY = re.compile(r"^(万元|万|元|件|条|项|个|宗|次)$")
_MARKUP = re.compile(r"\[(?:bookmark|image|footnote)[^\]]*\]", re.IGNORECASE)


def nfkc(text: str) -> str:
    """Full-width digits, letters and brackets to half width; removes markup left by converters."""
    return _MARKUP.sub("", unicodedata.normalize("NFKC", text)).replace("\u200b", "")


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters to Simplified, one for one (lengths and positions are kept)."""
    return _to_simplified().convert(text)


def printed_in_traditional(text: str) -> bool:
    """True when the text has characters that exist only in Traditional (報告, 公開)."""
    return simplified(text) != text


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """A label reduced to what identifies it: Simplified characters, no spaces, punctuation
    or width differences (a Traditional-character page names the same rows)."""
    key = _NOT_LABEL.sub("", _to_simplified().convert(nfkc(text)))
    for variant, canonical in _SYNONYMS:
        key = key.replace(variant, canonical)
    return key


def compact(text: str) -> str:
    """Whitespace removed, everything else kept (for titles and agency names)."""
    return re.sub(r"\s+", "", nfkc(text))


@dataclass(frozen=True)
class PrintedNumber:
    value: Decimal
    unit: str | None = None
    note: str | None = None


def parse_number(text: str) -> PrintedNumber | None:
    """``'7.88万元'`` -> 7.88 万元; ``'22（其中修订16件）'`` -> 22 with a note; labels -> None."""
    s = nfkc(text).strip()
    m = _NUMBER.match(s)
    if not m:
        return None
    try:
        value = Decimal(m["digits"].replace(",", "") + (m["fraction"] or ""))
    except InvalidOperation:
        return None
    if m["sign"] == "-":
        value = -value
    return PrintedNumber(value, m["unit"], m["note"])


def is_unit(text: str) -> bool:
    return bool(_UNIT_ONLY.match(nfkc(text).strip()))


def is_not_applicable(text: str) -> bool:
    return nfkc(text).strip() in NOT_APPLICABLE


def plain(value: Decimal) -> int | float:
    """A Decimal as the JSON/SQLite number a reader expects: 78800 not 78800.00."""
    return int(value) if value == value.to_integral_value() else float(value)
