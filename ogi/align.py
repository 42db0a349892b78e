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

from .text import ROW_MARKER, compact, label_key

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
    starts = {0} | {m.start() for m in ROW_MARKER.finditer(printed)}
    pieces = {label_key(printed[s:]) for s in starts} - {""}
    best = 0.0
    for variant in variants:
        if variant in pieces or key.endswith(variant):
            return 1.0
        n = len(variant)
        candidates = pieces | {key[-k:] for k in range(max(1, n - 2), n + 3)}
        best = max(best, max(_ratio(c, variant) for c in candidates))
    return best


def _scores(printed: list[tuple[str, bool]], template: list[tuple[str, tuple[str, ...]]]) -> list[list[float]]:
    variants = [template_variants(labels) for _, labels in template]
    out = []
    for label, has_numbers in printed:
        floor = MATCH if has_numbers else MATCH_EMPTY
        text = compact(label)
        out.append([s if (s := similarity(text, v)) >= floor else 0.0 for v in variants])
    return out


def best_matches(printed: list[tuple[str, bool]], template: list[tuple[str, tuple[str, ...]]]) -> list[str | None]:
    """Each printed row's best template key, regardless of order; a key goes to its best row.

    For tables whose parts may be printed in any order (the sub-tables of table 二) and whose
    row labels are distinct words (规章, 行政许可 …), so order carries no information.
    """
    score = _scores(printed, template)
    result: list[str | None] = [None] * len(printed)
    taken: dict[int, float] = {}
    for i, row in sorted(enumerate(score), key=lambda item: -max(item[1], default=0.0)):
        for j in sorted(range(len(template)), key=lambda j: -row[j]):
            if row[j] > 0 and j not in taken:
                taken[j] = row[j]
                result[i] = template[j][0]
                break
    return result


def align(printed: list[tuple[str, bool]], template: list[tuple[str, tuple[str, ...]]]) -> list[tuple[str | None, float]]:
    """Best order-preserving assignment of printed rows to template keys.

    ``printed``: (label, has_numbers) per row. ``template``: (key, label variants) per row.
    Returns (key or None, similarity) per printed row. Maximises the summed label similarity;
    each template row is used at most once.
    """
    n, m = len(printed), len(template)
    score = _scores(printed, template)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    step = [[0] * (m + 1) for _ in range(n + 1)]  # 1 skip printed, 2 skip template, 3 match
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            options = [(best[i - 1][j], 1), (best[i][j - 1], 2)]
            if score[i - 1][j - 1] > 0:
                options.append((best[i - 1][j - 1] + score[i - 1][j - 1], 3))
            best[i][j], step[i][j] = max(options)
    result: list[tuple[str | None, float]] = [(None, 0.0)] * n
    i, j = n, m
    while i > 0 and j > 0:
        if step[i][j] == 3:
            result[i - 1] = (template[j - 1][0], score[i - 1][j - 1])
            i, j = i - 1, j - 1
        elif step[i][j] == 1:
            i -= 1
        else:
            j -= 1
    return result


_NUMBERED = re.compile(r"(?<!\d)\d{1,2}[.、．](?!\d)")


def fill_gaps(rows: list[tuple[str, int]], aligned: list[tuple[str | None, float]], keys: list[str], width: int) -> list[str | None]:
    """Give unlabelled value rows the template rows between two anchors, in order.

    ``rows``: (label, number of value cells) per printed row; ``aligned``: the result of
    ``align``; ``keys``: the template's keys in order; ``width``: cells in a full row.

    Some extractions shred a table: labels float away from their values (before or after
    them, several glued together) and many value rows have no label at all. Between two
    anchors (rows whose own label names one template row exactly), when the value rows
    without a trustworthy label are exactly as many as the template rows left between the
    anchors, order decides. Otherwise the label alignment stands.
    """
    result = [key for key, _ in aligned]
    anchors = [
        i for i, (key, score) in enumerate(aligned)
        if key and score >= 1.0 and rows[i][1] >= width - 1 and len(_NUMBERED.findall(rows[i][0])) <= 1
    ]
    for left, right in zip([-1] + anchors, anchors + [len(rows)]):
        low = keys.index(result[left]) + 1 if left >= 0 else 0
        high = keys.index(result[right]) if right < len(rows) else len(keys)
        free_keys = keys[low:high]
        free_rows = [
            i for i in range(left + 1, right)
            if rows[i][1] >= width - 1 and (result[i] is not None or not rows[i][0] or len(_NUMBERED.findall(rows[i][0])) > 1)
        ]
        if free_rows and len(free_rows) == len(free_keys):
            for i in range(left + 1, right):
                result[i] = None
            for i, key in zip(free_rows, free_keys):
                result[i] = key
    return result
