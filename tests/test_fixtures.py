"""Every generated fixture document (scripts/make_fixtures.py) against its gold values.

The generator draws known values first (identities hold unless a spec breaks one on purpose)
and renders them as DOCX, PDF (LibreOffice), image-only PDF, HTML, TXT and Markdown with the
quirks of real reports. The documents are generated once per version of the generator into
build/fixtures/<hash of scripts/make_fixtures.py>/ and reused (LibreOffice is slow).

A document that cannot be read (no reader for its format yet, a crash in a stage) fails its
own tests with the error; it never stops the session.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from ogi.accuracy import compare
from conftest import assert_same_failures, declared_failures, failing_checks, parsed

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "scripts" / "make_fixtures.py"
FIXTURES = ROOT / "build" / "fixtures"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_fixtures", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_fixtures"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


make_fixtures = _load_generator()
SPECS = {s.stem: s for s in make_fixtures.specs()}  # cheap: values and quirks, no rendering
STEMS = sorted(SPECS)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """build/fixtures/<hash>/, generated on first use (a failure here fails every document test)."""
    return make_fixtures.ensure(FIXTURES, log=lambda *_: None)


def document(folder: Path, stem: str) -> tuple[Path, dict]:
    path = folder / SPECS[stem].file
    return path, json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))


def read_or_fail(path: Path) -> dict:
    report, error = parsed(path)
    if report is None:
        pytest.fail(f"{path.name}: not parsed: {error}", pytrace=False)
    return report


# --- the parser against the generated documents ------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_document_reads_as_gold(fixtures_dir, stem):
    path, gold = document(fixtures_dir, stem)
    result = compare(read_or_fail(path), gold)
    assert result.perfect, (
        f"{path.name}: {len(result.exact)} of {result.gold_values} gold values read exactly\n{result.describe()}\n"
        f"(this document: {' '.join(gold['notes'][1:])})"
    )


@pytest.mark.parametrize("stem", STEMS)
def test_document_fails_exactly_the_expected_identities(fixtures_dir, stem):
    path, gold = document(fixtures_dir, stem)
    assert_same_failures(path.name, failing_checks(read_or_fail(path)), declared_failures(gold))


def provenance(report: dict, path: str) -> dict | None:
    part, rest = path.split(".", 1)
    row, col = rest.rsplit(".", 1)
    return report["provenance"].get(part, {}).get(row, {}).get(col)


@pytest.mark.parametrize("stem", STEMS)
def test_agency_is_simplified_and_printed_form_is_kept(fixtures_dir, stem):
    """``agency`` in Simplified (facets, joins), ``agency_printed`` as the title prints it."""
    path, gold = document(fixtures_dir, stem)
    report = read_or_fail(path)
    assert (report["agency"], report["agency_printed"]) == (gold["agency"], gold["agency_printed"])


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


# Where a cell is, by format: what the generator records for it and the parser must report.
WHERE = {"txt": ("line", "char"), "md": ("line", "char"), "docx": ("line", "table", "row", "col"),
         "html": ("line", "table", "row", "col"), "pdf": ("page",), "scan": ("page",)}


def _held(where: dict, kind: str) -> dict:
    """The part of a provenance record held to the generator's: raw, location, inferred."""
    return {"raw": where.get("raw"), **{k: where.get(k) for k in WHERE[kind]}, "inferred": where.get("inferred", False)}


def _cells(provenance: dict) -> dict[str, dict]:
    return {f"{part}.{row}.{col}": where for part, rows in provenance.items() for row, cols in rows.items() for col, where in cols.items()}


@pytest.mark.parametrize("stem", STEMS)
def test_every_printed_cell_is_read_where_the_generator_printed_it(fixtures_dir, stem):
    """Provenance held to the generator's record (``provenance`` in the gold, written while it
    laid the document out; PDF pages read back from the rendered PDF): every printed cell of
    tables 二/三/四 and no other, its raw text exactly as printed, its line and character (TXT,
    MD), block line, table, row and column (DOCX, HTML: innermost grids, 1-based) or page
    (PDF, scan), and ``inferred`` only where the generator left a cell out. Extra rows too."""
    kind = SPECS[stem].kind
    path, gold = document(fixtures_dir, stem)
    report = read_or_fail(path)
    want = {k: _held(w, kind) for k, w in _cells(gold["provenance"]).items()}
    got = {k: _held(w, kind) for k, w in _cells(report["provenance"]).items()}
    for n, extra in enumerate(gold["extra_rows"]):
        label = _squash(extra["label"])
        read = [e for e in report["extra_rows"] if _squash(e["label"]) == label]
        want.update({f"extra {label} {i}": _held(w, kind) for i, w in enumerate(extra["provenance"])})
        got.update({f"extra {label} {i}": _held(w, kind) for i, w in enumerate(read)})
    wrong = {k: (want.get(k), got.get(k)) for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)}
    assert want and not wrong, f"{path.name}: {len(wrong)} of {len(want)} printed cells differ (generator's record, parser's):\n" + "\n".join(
        f"{k}: {w} != {g}" for k, (w, g) in list(wrong.items())[:20])


@pytest.mark.parametrize("stem", STEMS)
def test_generator_records_every_printed_cell(fixtures_dir, stem):
    """The record in the gold covers exactly the cells the spec prints (gold values and '/' or
    '—' cells), each with the text the spec printed there and a location of its format."""
    spec = SPECS[stem]
    _, gold = document(fixtures_dir, stem)
    record = _cells(gold["provenance"])
    printed = {f"{part}.{row}.{col}" for part in ("active", "requests", "appeals") for row, cols in gold[part].items() for col in cols}
    assert set(record) == printed | set(gold["not_applicable"])
    dropped = {spec.quirks["drop_cell"]} if "drop_cell" in spec.quirks else set()
    assert {k for k, w in record.items() if w.get("inferred")} == dropped, "inferred exactly where the generator left a cell out"
    to_page = make_fixtures.opencc_s2t if spec.layout.get("traditional") else (lambda text: text)
    printed_text = {k: None if k in dropped else to_page(make_fixtures.cell(spec, *make_fixtures.split_path(k))) for k in record}
    wrong = {k: (w["raw"], printed_text[k]) for k, w in record.items() if w["raw"] != printed_text[k]}
    assert not wrong, f"{stem}: (recorded, printed) {wrong}"
    assert all(isinstance(w.get(k), int) and w[k] >= 1 for w in record.values() for k in WHERE[spec.kind])
    assert [len(e["provenance"]) for e in gold["extra_rows"]] == [len(e["cells"]) for e in gold["extra_rows"]]


CUT_ROW = re.compile(r"the row requests\.(\S+) is cut by the page break")


@pytest.mark.parametrize("stem", [s for s in STEMS if SPECS[s].kind == "pdf" and SPECS[s].layout.get("split_rows")])
def test_a_row_cut_by_the_page_break_is_read_whole(fixtures_dir, stem):
    """The PDF reader joins the two halves of the cut row: the row's label as printed is the
    whole label (both pages), and each of its cells keeps the text printed there."""
    spec = SPECS[stem]
    path, gold = document(fixtures_dir, stem)
    (key,) = [m[1] for note in gold["notes"] if (m := CUT_ROW.search(note))]
    template = {k: t for k, _, t in make_fixtures.request_rows(spec.requests_format)}[key]
    label = _squash(make_fixtures.request_label(spec, key, template))
    report = read_or_fail(path)
    cells = report["provenance"]["requests"][key]
    assert {_squash(where["label"]) for where in cells.values()} == {label}, f"{path.name}: requests.{key} read with labels {cells}"
    if spec.layout.get("cut_row"):
        assert key == spec.layout["cut_row"]


def test_a_repeated_header_is_not_glued_to_the_row_above_it(fixtures_dir):
    """guangdong-eep-2022 repeats table 三's header rows after the page break; the last row
    before it keeps its own cells (a cell '4', not '4\\n申请人情况')."""
    from ogi.read import read

    path, gold = document(fixtures_dir, "guangdong-eep-2022")
    rows = read(path).rows
    header = [n for n, r in enumerate(rows) if "申请人情况" in r.text]
    assert len(header) == 2, "the header is printed twice"
    before = rows[header[1] - 1]
    assert before.loc.page < rows[header[1]].loc.page and not any("申请人情况" in c.text for c in before.cells)


NOT_APPLICABLE_MARKS = {"/", "／", "—", "——", "-", "－", "─"}


@pytest.mark.parametrize("stem", [s for s in STEMS if SPECS[s].blank or SPECS[s].not_applicable])
def test_blank_and_not_applicable_cells_keep_what_was_printed(fixtures_dir, stem):
    """A blank cell is 0 but keeps raw '' (a printed 0 stays distinguishable); '/' and '—' keep their mark."""
    path, gold = document(fixtures_dir, stem)
    report = read_or_fail(path)
    blank = {p: (provenance(report, p) or {}).get("raw") for p in gold["blank_cells"]}
    marks = {p: (provenance(report, p) or {}).get("raw") for p in gold["not_applicable"]}
    wrong_blank = {p: raw for p, raw in blank.items() if raw is None or raw.strip()}
    wrong_marks = {p: raw for p, raw in marks.items() if raw is None or raw.strip() not in NOT_APPLICABLE_MARKS}
    assert not (wrong_blank or wrong_marks), f"{path.name}: raw text of blank cells {wrong_blank}, of n/a cells {wrong_marks} (None: no provenance)"


@pytest.mark.parametrize("stem", [s for s in STEMS if SPECS[s].extra_rows])
def test_extra_rows_are_kept_under_their_own_label(fixtures_dir, stem):
    path, gold = document(fixtures_dir, stem)
    report = read_or_fail(path)
    for extra in gold["extra_rows"]:
        label = re.sub(r"\s+", "", extra["label"])
        got = [e["value"] for e in report["extra_rows"] if re.sub(r"\s+", "", e["label"]) == label]
        want = [int(c) if c.isdigit() else float(c) for c in extra["cells"]]
        assert got == want, f"{path.name}: extra row {extra['label']!r}: read {got}, printed {want}; extra rows read: {report['extra_rows']}"


# --- the generator itself ----------------------------------------------------------------------

APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org"]
RESULT_ROWS_PREFIXES = ("granted", "partially_granted", "withheld.", "unable.", "not_processed.", "other")


def identities(gold: dict) -> list[tuple]:
    """The identities of report-format.md, written out again here (not the generator's code)."""
    req, app = gold["requests"], gold["appeals"]
    columns = APPLICANTS + ["total"]
    v = lambda row, col: req.get(row, {}).get(col, 0)  # noqa: E731 - absent ("/", not printed) counts 0
    out = []
    if all(k in req for k in ("new_received", "carried_over", "total", "carried_forward")):
        out += [("requests_balance", c, v("new_received", c) + v("carried_over", c), v("total", c) + v("carried_forward", c)) for c in columns]
    results = [r for r in req if r.startswith(RESULT_ROWS_PREFIXES)]
    if "total" in req and results:
        out += [("requests_results_sum", c, v("total", c), sum(v(r, c) for r in results)) for c in columns]
    out += [("requests_row_total", row, cols.get("total", 0), sum(cols.get(c, 0) for c in APPLICANTS)) for row, cols in req.items()]
    for group, cols in app.items():
        out.append(("appeals_total", group, cols.get("total", 0), sum(cols.get(o, 0) for o in ("upheld", "corrected", "other", "pending"))))
    return [(i, k, lhs, rhs, round(lhs - rhs, 6)) for i, k, lhs, rhs in out if lhs != rhs]


@pytest.mark.parametrize("stem", STEMS)
def test_generator_gold_breaks_only_the_declared_identities(stem):
    spec = SPECS[stem]
    gold = make_fixtures.gold(spec)
    assert_same_failures(stem, identities(gold), declared_failures(gold))
    assert bool(gold["expected_failures"]) == bool(spec.quirks.get("break")), "only a deliberate break may fail an identity"


@pytest.mark.parametrize("stem", STEMS)
def test_generator_gold_follows_the_gold_conventions(stem):
    gold = make_fixtures.gold(SPECS[stem])

    def value(path):
        part, rest = path.split(".", 1)
        row, col = rest.rsplit(".", 1)
        return gold[part].get(row, {}).get(col)

    assert all(value(p) == 0 for p in gold["blank_cells"]), "a blank cell is 0 in gold"
    assert all(value(p) is None for p in gold["not_applicable"]), "a '/' or '—' cell is absent from gold"
    metrics = {m for cols in gold["active"].values() for m in cols}
    is_2021 = bool(metrics & {"issued", "repealed", "in_force", "fee_amount_10k_yuan"}) or any(k.startswith("other.") for k in gold["requests"])
    assert gold["format"] == ("2021" if is_2021 else "2019")
    if gold["mixed_format"]:
        assert "other" in gold["requests"] and not any(k.startswith("other.") for k in gold["requests"])
    for part, row in SPECS[stem].missing:
        assert row not in gold[part], f"missing row {part}.{row} must be absent, not 0"
    assert gold["agency"] and " " not in gold["agency"]
    assert gold["region"]["province"]


def test_fixture_folder_has_every_document_and_gold(fixtures_dir):
    docs = sorted(p.name for p in fixtures_dir.iterdir() if p.suffix != ".json" and not p.name.startswith("."))
    assert docs == sorted(s.file for s in SPECS.values())
    kinds = {s.kind for s in SPECS.values()}
    assert kinds >= {"docx", "pdf", "scan", "html", "txt", "md"}
    for stem in STEMS:
        _, gold = document(fixtures_dir, stem)
        fresh = make_fixtures.gold(SPECS[stem])
        for key in ("file", "agency", "year", "format", "region", "active", "requests", "appeals", "blank_cells", "not_applicable", "expected_failures"):
            assert gold[key] == fresh[key], f"{stem}.json {key} differs from the generator's spec"


def test_generation_is_deterministic(fixtures_dir):
    """The documents that need no LibreOffice, generated again, are byte for byte the cached ones."""
    cheap = [s for s in STEMS if SPECS[s].kind in ("docx", "html", "txt", "md")]
    with tempfile.TemporaryDirectory() as tmp:
        make_fixtures.generate(Path(tmp), cheap, log=lambda *_: None)
        for stem in cheap:
            name = SPECS[stem].file
            assert (Path(tmp) / name).read_bytes() == (fixtures_dir / name).read_bytes(), f"{name} differs between two runs"
            again, cached = (json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))["provenance"] for folder in (Path(tmp), fixtures_dir))
            assert again == cached, f"{stem}.json: the provenance record differs between two runs"


@pytest.mark.parametrize("stem", STEMS)
def test_document_has_the_quirks_its_gold_describes(fixtures_dir, stem):
    """The generated files really carry the layout the notes claim (so the gold notes stay true)."""
    spec = SPECS[stem]
    path, gold = document(fixtures_dir, stem)
    data = path.read_bytes()
    if spec.kind == "docx":
        xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
        assert "<w:gridSpan" in xml and '<w:vMerge w:val="restart"/>' in xml and "<w:vMerge/>" in xml
        if spec.layout.get("traditional"):
            assert gold["agency_printed"] in xml and "政府信息公開" in xml and "公开" not in xml
        if "header_unit" in spec.quirks:
            assert make_fixtures.metric_header(spec, spec.quirks["header_unit"]["metric"]) in xml
    elif spec.kind == "pdf":
        pages = make_fixtures.pdf_page_texts(path)
        before, after = spec.layout["footer"].split("{}")
        footer = re.escape(before.strip()) + r"\s*(\d+)\s*" + re.escape(after.strip())
        numbers = [int(re.findall(footer, t)[-1]) if re.findall(footer, t) else None for t in pages]
        assert numbers == list(range(1, len(pages) + 1)), f"page numbers in the footer: {numbers}"
        with_header = [n for n, t in enumerate(pages) if "申请人情况" in t]
        assert any("continues on page" in note for note in gold["notes"]), "table 三 must be split over pages"
        assert len(with_header) == (2 if spec.layout.get("header_repeat") else 1)
        if spec.layout.get("split_rows"):
            assert any("cut by the page break" in note for note in gold["notes"])
        if spec.layout.get("active_break"):
            assert any("has its header rows at the foot of page" in note for note in gold["notes"])
        if spec.title_style == "wrapped":
            assert pages[0].splitlines()[0].strip() == spec.agency[: spec.layout["title_break"]], "the title wraps inside the agency's name"
    elif spec.kind == "scan":
        assert all(not t.strip() for t in make_fixtures.pdf_page_texts(path)), "an image-only PDF has no text layer"
    elif spec.kind == "html":
        if spec.layout.get("encoding") == "gbk":
            assert b"charset" not in data.lower()
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            text = data.decode("gbk")
        else:
            text = data.decode("utf-8")
        assert "rowspan=" in text and "colspan=" in text
        if spec.layout.get("traditional"):
            assert "政府信息公開" in text and "公开" not in text
        if spec.layout.get("site"):
            assert "发布日期" in text and "来源" in text and f"{spec.year - 1}年政府信息公开工作年度报告</a>" in text
    else:
        text = data.decode("utf-8")
        assert ("\t" in text) if spec.kind == "txt" else ("|---|" in text)
        if "header_unit" in spec.quirks:
            assert make_fixtures.metric_header(spec, spec.quirks["header_unit"]["metric"]) in text
