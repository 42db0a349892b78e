"""Inputs an attacker or a careless maintainer gives the build: every one leaves a sources row
that says what happened, none stops or hangs the build, nothing but reports' files is
published, and the readers answer random and mutated files with a report or a ParseError."""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ogi import isolate, load
from ogi.limits import Limits
from ogi.model import ParseError
from ogi.parse import parse_file

from conftest import ROOT, samples
from hostile import docx_bomb, non_utf8_name, pdf_bytes, png_header, small_docx


def ogi(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "ogi.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def hostile_folder(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Good reports beside every bad input; {path in sources: expected status}."""
    folder = tmp_path / "in"
    folder.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0\n")
    expected = {}
    for sample in samples():
        shutil.copy(sample, folder / sample.name)
        expected[sample.name] = "parsed"
    first = samples()[0]
    # the same bytes twice, and the same report (agency and year) in another file
    (folder / "copies").mkdir()
    shutil.copy(first, folder / "copies" / "copy.txt")
    expected["copies/copy.txt"] = "duplicate"
    (folder / "copies" / "same-report.md").write_bytes(first.read_bytes() + b"\n\n")
    expected["copies/same-report.md"] = "alternate"
    non_utf8_name(folder, b"not a report\n")
    expected[os.fsencode(non_utf8_name(folder, b"not a report\n").name).decode("utf-8", "backslashreplace")] = "error"
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    expected["dangling.txt"] = "skipped"
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    expected["loop.txt"] = "skipped"
    (folder / "passwd.txt").symlink_to(outside / "secret.txt")
    expected["passwd.txt"] = "skipped"
    (folder / "zero.txt").symlink_to("/dev/zero")
    expected["zero.txt"] = "skipped"
    (folder / "linked-folder").symlink_to(outside)
    expected["linked-folder"] = "skipped"
    (folder / "inside-link.txt").symlink_to(folder / first.name)
    expected["inside-link.txt"] = "duplicate"
    os.mkfifo(folder / "pipe.txt")
    expected["pipe.txt"] = "skipped"
    (folder / ".hidden.txt").write_bytes(first.read_bytes())
    expected[".hidden.txt"] = "skipped"
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("x")
    expected[".git"] = "skipped"
    docx_bomb(folder / "bomb.docx", megabytes=120)
    expected["bomb.docx"] = "error"
    (folder / "huge-page.pdf").write_bytes(pdf_bytes(media_box=(0, 0, 200000, 200000)))
    expected["huge-page.pdf"] = "error"
    (folder / "big.png").write_bytes(png_header(30000, 30000))
    expected["big.png"] = "error"
    (folder / "page.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    expected["page.svg"] = "unsupported"
    (folder / "evil.html").write_text("<html><script>alert(document.cookie)</script><p>hello</p></html>")
    expected["evil.html"] = "error"
    return folder, expected


def public_text(db: sqlite_utils.Database) -> str:
    return "\n".join(str(v) for r in db["sources"].rows for v in r.values() if v is not None)


def test_a_folder_of_hostile_inputs_builds(tmp_path):
    folder, expected = hostile_folder(tmp_path)
    db_path = folder / "ogi.db"  # inside the input folder: excluded, never an input
    old = tmp_path / "old.db"
    result = ogi("build", folder, "--db", db_path)
    assert result.returncode == 0, result.stderr
    result = ogi("build", folder, "--db", db_path)  # again: the database, originals and cache are not inputs
    assert result.returncode == 0, result.stderr
    db = sqlite_utils.Database(db_path)
    rows = {r["path"]: r for r in db["sources"].rows}
    got = {path: r["status"] for path, r in rows.items()}
    assert got == expected, {p: (got.get(p), expected.get(p)) for p in set(got) | set(expected) if got.get(p) != expected.get(p)}
    for path, r in rows.items():
        if r["status"] in ("error", "skipped", "unsupported", "duplicate"):
            assert r["error"], path
    why = {p: r["error"] for p, r in rows.items()}
    assert "loop" in why["loop.txt"] and "nothing" in why["dangling.txt"]
    assert "outside the input folders" in why["passwd.txt"] and "outside the input folders" in why["zero.txt"]
    assert "folder" in why["linked-folder"] and "named pipe" in why["pipe.txt"] and "hidden" in why[".hidden.txt"]
    assert "docx_unzipped_mb" in why["bomb.docx"] and "pdf_page_area" in why["huge-page.pdf"] and "image_pixels" in why["big.png"]
    assert "not valid UTF-8" in next(r["note"] for p, r in rows.items() if "\\x" in p)
    # no absolute path of the build machine in any public column
    assert str(tmp_path) not in public_text(db) and "/tmp/" not in public_text(db)
    assert "root:x" not in public_text(db)
    # every good report's numbers, the same-report pair counted once
    assert db["reports"].count == len(samples())
    assert db.execute("select count(distinct report_id) from facts").fetchone()[0] == len(samples())
    first = samples()[0]
    pair = list(db["report_files"].rows_where("report_id = ?", [load._sha256(first)[:16]], order_by="role desc"))
    assert [r["role"] for r in pair] == ["primary", "alternate"] and pair[1]["path"] == "copies/same-report.md"
    # originals: exactly the reports' files (primary and alternate)
    published = {r["url"].rsplit("/", 1)[1] for r in rows.values() if r["status"] in ("parsed", "alternate")}
    assert {p.name for p in (folder / "originals").iterdir()} == published
    assert not old.exists()


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading (CI runs as root)")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(samples()[0], folder / "locked.txt")
    (folder / "locked.txt").chmod(0)
    load.build([folder], tmp_path / "ogi.db")
    row = next(sqlite_utils.Database(tmp_path / "ogi.db")["sources"].rows)
    assert row["status"] == "error" and "permission denied" in row["error"]


def test_unreadable_file_as_root(tmp_path, monkeypatch):
    """Root reads a chmod 000 file; what the build does when open() is refused is the same."""
    from ogi import inputs

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(samples()[0], folder / "locked.txt")
    shutil.copy(samples()[1], folder / samples()[1].name)

    def refuse(path, flags, *args):
        if Path(path).name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return os.open(path, flags, *args)

    monkeypatch.setattr(inputs, "_open", refuse)
    summary = load.build([folder], tmp_path / "ogi.db")
    rows = {r["path"]: r for r in sqlite_utils.Database(tmp_path / "ogi.db")["sources"].rows}
    assert rows["locked.txt"]["status"] == "error" and "permission denied" in rows["locked.txt"]["error"]
    assert str(tmp_path) not in rows["locked.txt"]["error"] and summary.reports == 1


def test_strict_exits_non_zero_when_a_file_failed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(samples()[0], folder / samples()[0].name)
    assert ogi("build", folder, "--db", tmp_path / "a.db", "--strict").returncode == 0
    (folder / "broken.txt").write_text("not a report")
    result = ogi("build", folder, "--db", tmp_path / "a.db", "--strict")
    assert result.returncode == 2 and "1 files could not be read or parsed" in result.stderr
    assert (tmp_path / "a.db").exists()  # the database is still built


def test_db_naming_an_input_or_a_foreign_file_is_refused(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    report = folder / samples()[0].name
    shutil.copy(samples()[0], report)
    before = report.read_bytes()
    result = ogi("build", folder, "--db", report)
    assert result.returncode == 1 and "not a database built by ogi" in result.stderr
    result = ogi("build", report, "--db", report)
    assert result.returncode == 1 and "is one of the inputs" in result.stderr
    assert report.read_bytes() == before


def test_two_builds_of_one_database_cannot_run_at_once(tmp_path):
    db_path = tmp_path / "ogi.db"
    with load.build_lock(db_path):
        with pytest.raises(load.BuildLocked, match="another build of .* is running"):
            load.build([samples()[0]], db_path)
        result = ogi("build", samples()[0], "--db", db_path)
        assert result.returncode == 1 and "another build" in result.stderr
    load.build([samples()[0]], db_path)  # free again


def test_a_killed_build_leaves_the_old_database_and_its_leftovers_are_cleaned(tmp_path):
    db_path = tmp_path / "ogi.db"
    load.build([samples()[0]], db_path)
    before = sqlite_utils.Database(db_path)["reports"].count
    # what a build killed half-way leaves: a temporary database, a half-copied original, a staged file
    (tmp_path / "ogi.db.abc123.tmp").write_bytes(b"half")
    (tmp_path / "originals" / ("0" * 64 + ".txt.x1.tmp")).write_bytes(b"half")
    (tmp_path / "ogi-cache" / "staging" / "x").mkdir(parents=True)
    (tmp_path / "ogi-cache" / "staging" / "x" / "f.txt").write_bytes(b"half")
    assert sqlite_utils.Database(db_path)["reports"].count == before  # still servable
    # The build is killed (SIGKILL, nothing can clean up) at a known point: the new database is
    # half-written and the originals are copied. A kill after a fixed sleep raced a fast machine.
    killed_mid_build = (
        "import os, signal, sys\n"
        "from ogi import cli, load\n"
        "load.derive = lambda db: os.kill(os.getpid(), signal.SIGKILL)\n"
        "sys.argv = ['ogi', *sys.argv[1:]]\n"
        "cli.cli()\n"
    )
    process = subprocess.run([sys.executable, "-c", killed_mid_build, "build", *map(str, samples()),
                              "--db", str(db_path), "--no-cache"], cwd=ROOT, capture_output=True, timeout=300)
    assert process.returncode == -9
    assert list(tmp_path.glob("ogi.db.*.tmp"))  # it died with its temporary database half-written
    assert sqlite_utils.Database(db_path)["reports"].count == before
    load.build([samples()[0]], db_path)
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp") or "staging" in p.parts]
    assert leftovers == []


def test_dropped_inputs_leave_originals(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for sample in samples()[:2]:
        shutil.copy(sample, folder / sample.name)
    db_path = tmp_path / "out" / "ogi.db"
    load.build([folder], db_path)
    assert len(list((db_path.parent / "originals").iterdir())) == 2
    (folder / samples()[0].name).unlink()
    summary = load.build([folder], db_path)
    assert [p.name for p in (db_path.parent / "originals").iterdir()] == [load._sha256(samples()[1]) + ".txt"]
    assert summary.incremental["vanished"] == 1


# --- the worker processes: a hang, a crash, a memory hog -------------------------------------


def _misbehave(path, limits):
    name = Path(path).name
    if name.startswith("hang"):
        time.sleep(3600)
    if name.startswith("crash"):
        os.abort()
    if name.startswith("hog"):
        blocks = []
        while True:
            blocks.append(bytearray(50 * 1024 * 1024))
    if name.startswith("bug"):
        raise KeyError("surprise")
    return parse_file(path)


def test_a_runaway_parse_is_stopped_and_its_worker_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(isolate, "parse_limited", _misbehave)  # the forked workers inherit it
    files = []
    for name in ("hang.txt", "crash.txt", "hog.txt", "bug.txt", "good.txt"):
        shutil.copy(samples()[0], tmp_path / name)
        files.append(tmp_path / name)
    limits = Limits(timeout_s=3, memory_mb=600)
    start = time.monotonic()
    with isolate.Pool(limits, workers=2) as pool:
        outcomes = {files[i].name: o for i, o in pool.run(list(enumerate(files)))}
        assert pool.replaced >= 2
    assert time.monotonic() - start < 30
    assert outcomes["hang.txt"].kind == isolate.TIMEOUT and "timeout_s" in outcomes["hang.txt"].message
    assert outcomes["crash.txt"].kind == isolate.CRASH and "SIGABRT" in outcomes["crash.txt"].message
    assert outcomes["hog.txt"].kind == isolate.MEMORY and "memory_mb" in outcomes["hog.txt"].message
    assert outcomes["bug.txt"].kind == isolate.INTERNAL and "KeyError" in outcomes["bug.txt"].message
    assert outcomes["good.txt"].report is not None


def test_many_pages_and_ocr_pages_are_refused_before_any_work(tmp_path):
    from ogi import limits as limits_module

    many = tmp_path / "many.pdf"
    many.write_bytes(pdf_bytes(pages=40, text="no chinese here"))
    start = time.monotonic()
    with pytest.raises(limits_module.LimitError, match="ocr_pages"):
        limits_module.check(many, Limits(ocr_pages=30))
    with pytest.raises(limits_module.LimitError, match="pdf_pages"):
        limits_module.check(many, Limits(pdf_pages=10))
    assert time.monotonic() - start < 5


# --- property-based: random and mutated files get a report or a ParseError --------------------

FAST = settings(max_examples=25, deadline=10_000, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _parse_or_parse_error(path: Path) -> None:
    try:
        parse_file(path)
    except ParseError as e:
        assert str(e) and "\n" not in str(e).strip(), repr(e)


def _mutate(data: bytes, seed: int, edits: int) -> bytes:
    rng = random.Random(seed)
    data = bytearray(data)
    for _ in range(edits):
        op = rng.randrange(3)
        at = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif op == 1:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
        else:
            del data[at:at + rng.randrange(1, 64)]
    return bytes(data)


@FAST
@given(seed=st.integers(0, 2**32), edits=st.integers(1, 40))
def test_mutated_text_reports(tmp_path_factory, seed, edits):
    path = tmp_path_factory.mktemp("m") / "report.txt"
    path.write_bytes(_mutate(samples()[seed % len(samples())].read_bytes(), seed, edits))
    _parse_or_parse_error(path)


@FAST
@given(text=st.text(max_size=2000), suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_random_text(tmp_path_factory, text, suffix):
    path = tmp_path_factory.mktemp("r") / f"x{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _parse_or_parse_error(path)


@pytest.fixture
def no_ocr(monkeypatch):
    """The PDF parser itself under test: pages without Chinese text would go to OCR (tests/test_ocr.py)."""
    from ogi.read import ocr

    monkeypatch.setattr(ocr, "ocr_pdf_pages", lambda path, pages: [])


@FAST
@given(seed=st.integers(0, 2**32), edits=st.integers(1, 20))
def test_mutated_pdfs(tmp_path_factory, no_ocr, seed, edits):
    path = tmp_path_factory.mktemp("p") / "x.pdf"
    path.write_bytes(_mutate(pdf_bytes(text="2023 report"), seed, edits))
    _parse_or_parse_error(path)


_DOCX = None


@FAST
@given(seed=st.integers(0, 2**32), edits=st.integers(0, 20),
       words=st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40), max_size=5))
def test_random_and_mutated_docx(tmp_path_factory, seed, edits, words):
    path = tmp_path_factory.mktemp("d") / "x.docx"
    path.write_bytes(_mutate(small_docx(words), seed, edits) if edits else small_docx(words))
    _parse_or_parse_error(path)


@FAST
@given(html=st.recursive(st.text(alphabet="<>/=\"' abtdrpl表三总计0123456789", max_size=30),
                         lambda inner: st.builds(lambda t, c: f"<{t}>{c}</{t}>", st.sampled_from(["table", "tr", "td", "p", "div", "script"]),
                                                 st.lists(inner, max_size=4).map("".join)), max_leaves=30))
def test_random_html(tmp_path_factory, html):
    path = tmp_path_factory.mktemp("h") / "x.html"
    path.write_text(f"<html><body>{html}</body></html>", encoding="utf-8")
    _parse_or_parse_error(path)


@FAST
@given(seed=st.integers(0, 2**32), edits=st.integers(1, 30))
def test_mutated_png(tmp_path_factory, seed, edits):
    path = tmp_path_factory.mktemp("i") / "x.png"
    path.write_bytes(_mutate(png_header(40, 40), seed, edits))
    try:
        from ogi import limits as limits_module

        limits_module.check(path, Limits())
    except ParseError:
        return
    _parse_or_parse_error(path)
