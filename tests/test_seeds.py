"""Every bundled sample against the values a careful person reads off it: nothing extra, nothing missing."""

from __future__ import annotations

import re

import pytest

from conftest import GOLD, gold_for, identities, number_paths, samples
from ogi.parse import as_json, parse_file

SAMPLES = samples()


@pytest.fixture(scope="module", params=SAMPLES, ids=[p.stem for p in SAMPLES])
def parsed(request):
    return as_json(parse_file(request.param)), gold_for(request.param)


def test_every_sample_has_its_gold_file_and_every_gold_file_its_sample():
    assert SAMPLES, "no sample is bundled"
    assert sorted(p.stem for p in SAMPLES) == sorted(p.stem for p in GOLD.glob("*.json"))
    for sample in SAMPLES:
        gold = gold_for(sample)
        assert gold["file"] == sample.name
        assert f"{gold['agency']}{gold['year']}年" in re.sub(r"\s", "", sample.read_text(encoding="utf-8")), sample.name  # its title


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


@pytest.fixture(scope="module", params=SAMPLES, ids=[p.stem for p in SAMPLES])
def parsed_with_text(request):
    return as_json(parse_file(request.param)), request.param.read_text(encoding="utf-8").splitlines()


def test_every_value_has_provenance(parsed_with_text):
    got, lines = parsed_with_text
    for path, value in number_paths(got).items():
        part, row, col = path.split(".", 1)[0], path.split(".", 1)[1].rsplit(".", 1)[0], path.rsplit(".", 1)[1]
        where = got["provenance"][part][row][col]
        assert 1 <= where["line"] <= len(lines), path
        line = lines[where["line"] - 1]
        if where["raw"]:  # printed: the raw text is at the line and offset
            assert line[where["char"] - 1 :].lstrip().startswith(where["raw"]), (path, where)
        elif where["raw"] == "":  # a blank cell: empty there, and 0
            assert line[where["char"] - 1 :].split("\t")[0].strip() == "" and value == 0, (path, where)
        # the row label as printed ends on the line or above it (a label can wrap, and carry headers)
        label = re.sub(r"\s", "", where["label"])
        assert label and label[-2:] in re.sub(r"\s", "", "".join(lines[: where["line"]])), (path, where["label"])


def test_identities_hold_for_the_samples(parsed):
    got, gold = parsed
    # every identity of every key is checked, on the gold values, and holds
    want = identities(gold["requests"], gold["appeals"])
    assert sorted((c["identity"], c["key"], c["lhs"], c["rhs"]) for c in got["checks"]) == sorted(want)
    assert all(lhs == rhs for _, _, lhs, rhs in want)
    assert [c for c in got["checks"] if not c["ok"]] == []
