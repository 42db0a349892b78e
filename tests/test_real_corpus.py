"""Every real report in ../shared/corpus/real that has a gold file in ../shared/gold/real.

Gold files are ``<document file name without extension>.json`` (or ``<file name>.json``),
read by hand off the real documents (PDF, HTML, Markdown and text extractions). Each document
must read exactly as its gold, and fail exactly the identities its gold lists in
``expected_failures`` (the real report's own arithmetic errors), no more, no fewer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ogi.accuracy import compare
from conftest import assert_same_failures, declared_failures, failing_checks, parsed

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "real"
GOLD = SHARED / "gold" / "real"

if not CORPUS.is_dir():
    pytest.skip("../shared/corpus/real not found: the real-report tests need the shared corpus beside the checkout", allow_module_level=True)


def gold_path(doc: Path) -> Path | None:
    for candidate in (GOLD / (doc.stem + ".json"), GOLD / (doc.name + ".json")):
        if candidate.is_file():
            return candidate
    return None


DOCS = sorted(p for p in CORPUS.iterdir() if p.is_file() and gold_path(p) is not None)


def load(doc: Path) -> tuple[dict, dict]:
    gold = json.loads(gold_path(doc).read_text(encoding="utf-8"))
    report, error = parsed(doc)
    if report is None:
        pytest.fail(f"{doc.name}: not parsed: {error}", pytrace=False)
    return report, gold


def test_the_corpus_has_documents_with_gold():
    assert DOCS, f"no document in {CORPUS} has a gold file in {GOLD}"


# Known, explained differences: (values read differently, values not read, why).
# Everything else in these documents must still read exactly.
KNOWN_DIFFERENCES = {
    "shanghai-office-sample-source.md": (
        {"active.regulations.repealed", "active.normative_documents.repealed"},
        {"active.regulations.in_force", "active.normative_documents.in_force"},
        "The extraction shreds 第二十条第（一）项: the rows print two cells for three columns "
        "('规章 | 22 | 235', '行政规范性文件 | 34 | 189') and two annotated numbers float above the "
        "table ('22（其中修订16件）', '55（含自然失效29件）'). The gold (marked DOUBT there) places the "
        "floating numbers by what their notes mean (修订 -> 制发, 失效 -> 废止). The parser reads "
        "printed cells left to right and reports the short rows as warnings; it does not guess a "
        "column from the wording of a note.",
    ),
}


@pytest.mark.parametrize("doc", DOCS, ids=[p.name for p in DOCS])
def test_real_document_reads_as_gold(doc):
    report, gold = load(doc)
    result = compare(report, gold)
    message = f"{doc.name}: {len(result.exact)} of {result.gold_values} gold values read exactly\n{result.describe()}"
    if doc.name in KNOWN_DIFFERENCES:
        wrong, missing, _ = KNOWN_DIFFERENCES[doc.name]
        assert (set(result.wrong), set(result.missing), result.extra, result.header) == (wrong, missing, [], {}), message
        return
    assert result.perfect, message


@pytest.mark.parametrize("doc", DOCS, ids=[p.name for p in DOCS])
def test_real_document_fails_exactly_the_expected_identities(doc):
    report, gold = load(doc)
    assert_same_failures(doc.name, failing_checks(report), declared_failures(gold))


NOT_APPLICABLE_MARKS = {"/", "／", "—", "——", "-", "－", "─"}


def _raw(report: dict, path: str) -> str | None:
    part, rest = path.split(".", 1)
    row, col = rest.rsplit(".", 1)
    return report["provenance"].get(part, {}).get(row, {}).get(col, {}).get("raw")


def _has_marked_cells(doc: Path) -> bool:
    gold = json.loads(gold_path(doc).read_text(encoding="utf-8"))
    return bool(gold.get("blank_cells") or gold.get("not_applicable"))


MARKED = [d for d in DOCS if _has_marked_cells(d)]


@pytest.mark.parametrize("doc", MARKED, ids=[p.name for p in MARKED])
def test_real_blank_and_not_applicable_cells_keep_what_was_printed(doc):
    """A blank cell is 0 but keeps raw '' (a printed 0 stays distinguishable); '/' and '—' keep their mark."""
    report, gold = load(doc)
    wrong_blank = {p: r for p in gold.get("blank_cells", []) if (r := _raw(report, p)) is None or r.strip()}
    wrong_marks = {p: r for p in gold.get("not_applicable", []) if (r := _raw(report, p)) is None or r.strip() not in NOT_APPLICABLE_MARKS}
    assert not (wrong_blank or wrong_marks), f"{doc.name}: raw text of blank cells {wrong_blank}, of n/a cells {wrong_marks} (None: no provenance)"


# The text printed in each cell and where, read off the real files (tests/real_raw.json).
RAW_RECORD = json.loads((Path(__file__).with_name("real_raw.json")).read_text(encoding="utf-8"))["documents"]


def test_every_real_document_has_its_printed_cells_recorded():
    assert {d.name for d in DOCS} <= set(RAW_RECORD), f"documents without a record in tests/real_raw.json: {sorted({d.name for d in DOCS} - set(RAW_RECORD))}"


@pytest.mark.parametrize("doc", [d for d in DOCS if d.name in RAW_RECORD], ids=[d.name for d in DOCS if d.name in RAW_RECORD])
def test_real_cells_keep_the_text_printed_where_it_is_printed(doc):
    """Each recorded cell's ``raw`` exactly as the file prints it, at the recorded line and
    character (TXT, MD), table/row/column (HTML) or page (PDF), read and not inferred."""
    report, _ = load(doc)
    record = RAW_RECORD[doc.name]
    wrong = {}
    for path, want in record.items():
        part, rest = path.split(".", 1)
        row, col = rest.rsplit(".", 1)
        where = report["provenance"].get(part, {}).get(row, {}).get(col) or {}
        got = {k: where.get(k) for k in want}
        if got != want or where.get("inferred"):
            wrong[path] = (want, got, where.get("inferred", False))
    assert not wrong, f"{doc.name}: {len(wrong)} of {len(record)} recorded cells differ (recorded, read, inferred):\n" + "\n".join(
        f"{k}: {w}" for k, w in list(wrong.items())[:20])
