"""Align printed row labels to the template's rows, in order.

In: printed labels and template rows (each with its label variants). Out: for each printed
row, the template key it stands for, or None.

Looking for each label on its own fails on real layouts; aligning the two sequences (the
template's order is fixed by regulation) survives wrapped labels, group labels glued to the
first row of a group (``（三）不予公开1.属于国家秘密``), the tail of the previous label
carried over a page break (``执法案卷8.属于行政查询事项``), missing rows and extra rows.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from .text import compact, label_key

# Row markers (一、 （一） 1.) where a printed label may start after leftover text.
_MARKER = re.compile(r"[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|(?<!\d)\d{1,2}[.、．](?!\d)")
# A parenthetical that explains a row rather than names it: （区分处理的，只计这一情形，不计其他情形）.
_EXPLANATION = re.compile(r"[(（][^()（）]{6,}[)）]")

MATCH = 0.6  # below this a label is not taken to name a template row
MATCH_EMPTY = 0.8  # a row with only blank cells needs a clear label (else it is wrapped text)


def template_variants(labels: tuple[str, ...]) -> tuple[str, ...]:
    """Comparable forms of a template label: as listed, and without its explanation."""
    out = []
    for label in labels:
        for form in (label, _EXPLANATION.sub("", label)):
            key = label_key(form)
            if key and key not in out:
                out.append(key)
    return tuple(out)


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@lru_cache(maxsize=65536)
def similarity(printed: str, variants: tuple[str, ...]) -> float:
    """How well some trailing part of a printed label names a template row (0..1).

    Candidates are the printed label itself, what follows each row marker in it, and its
    last few characters: the row's own label is at the end of whatever text preceded it.
    """
    key = label_key(printed)
    if not key:
        return 0.0
    starts = {0} | {m.start() for m in _MARKER.finditer(printed)}
    pieces = {label_key(printed[s:]) for s in starts} - {""}
    best = 0.0
    for variant in variants:
        if variant in pieces or key.endswith(variant):
            return 1.0
        n = len(variant)
        candidates = pieces | {key[-k:] for k in range(max(1, n - 2), n + 3)}
        best = max(best, max(_ratio(c, variant) for c in candidates))
    return best


def align(printed: list[tuple[str, bool]], template: list[tuple[str, tuple[str, ...]]]) -> list[str | None]:
    """Best order-preserving assignment of printed rows to template keys.

    ``printed``: (label, has_numbers) per row. ``template``: (key, label variants) per row.
    Maximises the summed label similarity; each template row is used at most once.
    """
    n, m = len(printed), len(template)
    variants = [template_variants(labels) for _, labels in template]
    labels = [compact(label) for label, _ in printed]
    score = [[0.0] * m for _ in range(n)]
    for i, (_, has_numbers) in enumerate(printed):
        floor = MATCH if has_numbers else MATCH_EMPTY
        for j in range(m):
            s = similarity(labels[i], variants[j])
            score[i][j] = s if s >= floor else 0.0
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    step = [[0] * (m + 1) for _ in range(n + 1)]  # 1 skip printed, 2 skip template, 3 match
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            options = [(best[i - 1][j], 1), (best[i][j - 1], 2)]
            if score[i - 1][j - 1] > 0:
                options.append((best[i - 1][j - 1] + score[i - 1][j - 1], 3))
            best[i][j], step[i][j] = max(options)
    result: list[str | None] = [None] * n
    i, j = n, m
    while i > 0 and j > 0:
        if step[i][j] == 3:
            result[i - 1] = template[j - 1][0]
            i, j = i - 1, j - 1
        elif step[i][j] == 1:
            i -= 1
        else:
            j -= 1
    return result
