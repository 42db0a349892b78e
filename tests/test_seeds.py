"""Every bundled sample against the values a careful person reads off it: nothing extra, nothing missing."""

from __future__ import annotations

import pytest

from conftest import gold_for, number_paths, samples
from ogi.parse import as_json, parse_file

SAMPLES = samples()


@pytest.fixture(scope="module", params=SAMPLES, ids=[p.stem for p in SAMPLES])
def parsed(request):
    return as_json(parse_file(request.param)), gold_for(request.param)


def test_five_samples_are_bundled():
    assert len(SAMPLES) == 5


def test_title_fields(parsed):
    got, gold = parsed
    for field in ("agency", "year", "format", "region"):
        assert got[field] == gold[field], field


def test_every_value_equals_gold(parsed):
    got, gold = parsed
    got_values, gold_values = number_paths(got), number_paths(gold)
    missing = sorted(set(gold_values) - set(got_values))
    extra = sorted(set(got_values) - set(gold_values))
    wrong = {k: (got_values[k], gold_values[k]) for k in gold_values.keys() & got_values.keys() if got_values[k] != gold_values[k]}
    assert not missing, f"not read: {missing}"
    assert not extra, f"read but not in the report: {extra}"
    assert not wrong, f"(read, gold): {wrong}"


def test_every_value_has_provenance(parsed):
    got, _ = parsed
    for path in number_paths(got):
        part, row, col = path.split(".", 1)[0], path.split(".", 1)[1].rsplit(".", 1)[0], path.rsplit(".", 1)[1]
        where = got["provenance"][part][row][col]
        assert where["line"] >= 1, path
        assert "raw" in where and "label" in where, path


def test_identities_hold_for_the_samples(parsed):
    got, _ = parsed
    assert got["checks"], "no identity was checked"
    assert [c for c in got["checks"] if not c["ok"]] == []
