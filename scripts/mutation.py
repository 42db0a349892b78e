#!/usr/bin/env python3
"""Mutation testing of the parsing mechanisms: does the test suite notice when the code is wrong?

Each module is mutated by mutmut 3 (small changes: ``<`` -> ``<=``, ``+`` -> ``-``, a constant
changed, a call's argument dropped …), one mutant at a time, and the tests that cover that
module (``--list``) are run against it. A mutant is *killed* when a test fails (or hangs). The
search tokenizer is mutated function by function (``ogi/views.py``: char_tokens and the index
it builds; ``ogi/site/plugins/ogi_site.py``: escape_fts, _terms, snippet and its helpers), and its token
characters (a constant, which mutmut leaves alone) by the hand-written ``SEARCH_MUTANTS``.

Nothing under ogi/ is touched: every module runs in its own copy under build/mutation/<name>/
(the committed tree, ``git archive HEAD``, plus the working tree's tests/test_mutants_*.py and
equivalents file; ``--worktree`` copies the working tree instead), and mutmut works on the
copy's own copy, ``mutants/``.

Mutants that cannot change behaviour are listed in tests/equivalent_mutants.txt with their
diff and the reason; they are left out of N. The last line printed is

    mutation: killed K of N (P%)

Usage:
  .venv/bin/python scripts/mutation.py [MODULE ...]   # run (all modules: about 1.5 h on 2 busy cores)
  .venv/bin/python scripts/mutation.py --recheck [MODULE ...]   # the last run's survivors against
                                                        # tests/test_mutants_<module>*.py as they are now
      [--mutants 'ogi.mapping.x_map_active__*']         # only these survivors
  .venv/bin/python scripts/mutation.py --report [MODULE ...]    # the figures of the last runs
Runs under ``nice -n 19`` with 2 workers (``--workers``); not part of CI (.ci/run runs pytest only).
"""

from __future__ import annotations

import argparse
import fcntl
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "mutation"
EQUIVALENTS = ROOT / "tests" / "equivalent_mutants.txt"
VENV_BIN = Path(sys.executable).parent
SHARED = ROOT.parent / "shared"

MECH = "tests/test_mechanisms.py"
SEEDS = "tests/test_seeds.py"
FIXTURES = "tests/test_fixtures.py"
REAL = "tests/test_real_corpus.py"
PDF_JOIN = "tests/test_pdf_join.py"
DOCX_HTML = "tests/test_read_docx_html.py"
TRUST = "tests/test_trust.py"

# Slow tests left out of every run: OCR of the scanned fixtures (~80 s each), the generator's
# own determinism (renders every fixture twice) and the LibreOffice .doc conversions.
DESELECT = (
    "not scan and not test_generation_is_deterministic"
    " and not test_doc_sample_report_parses_back_equal and not test_damaged_doc_raises_read_error"
)

PIPELINE = [MECH, SEEDS, FIXTURES, REAL]


@dataclass
class Module:
    name: str
    paths: list[str]  # files mutated, relative to the repository
    tests: list[str]  # test files run against it (tests/test_mutants_<name>*.py are added)
    only: list[str] = field(default_factory=list)  # mutant name patterns, when not the whole file

    @property
    def path(self) -> str:
        return " ".join(self.paths)


SEARCH_FUNCTIONS = [
    "ogi.views.x_char_tokens__mutmut_*",
    "ogi.views.x__build_search_index__mutmut_*",
    *(f"ogi.site.plugins.ogi_site.x_{f}__mutmut_*" for f in ("escape_fts", "_escape_fts", "_terms", "_lower", "_squeezed", "_to_text", "snippet")),
]


MODULES = [
    Module("check", ["ogi/check.py"], [MECH, SEEDS, REAL]),
    Module("totals", ["ogi/totals.py"], [TRUST]),
    Module("corrections", ["ogi/corrections.py"], [TRUST]),
    Module("text", ["ogi/text.py"], PIPELINE + [PDF_JOIN, DOCX_HTML]),
    Module("align", ["ogi/align.py"], PIPELINE),
    Module("printed_rows", ["ogi/printed_rows.py"], PIPELINE),
    Module("mapping", ["ogi/mapping.py"], PIPELINE),
    Module("pdf", ["ogi/read/pdf.py"], [PDF_JOIN, FIXTURES, REAL]),
    Module("html", ["ogi/read/html.py"], [DOCX_HTML, FIXTURES, REAL]),
    Module("docx", ["ogi/read/docx.py"], [DOCX_HTML, FIXTURES]),
    # The search tokenizer: its functions only (and the token characters by hand, SEARCH_MUTANTS).
    Module("search", ["ogi/views.py", "ogi/site/plugins/ogi_site.py"], [], SEARCH_FUNCTIONS),
    Module("region", ["ogi/region.py"], ["tests/test_region.py"] + PIPELINE),  # last: it was being rewritten
]

# ----------------------------------------------------------------------------------------
# The token characters of the search index are a constant (ogi/views.py:_TOKENCHARS), which
# mutmut does not mutate: these mutants are written by hand, each a change of that line.
SEARCH_TESTS = ["tests/test_mutants_search.py"]
TOKENCHARS = re.compile(r'^_TOKENCHARS = "(.*)"$', re.M)
SEARCH_MUTANTS = [
    ("search.tokenchars.none", lambda chars: ""),
    ("search.tokenchars.no_full_stop", lambda chars: chars.replace("。", "")),
    ("search.tokenchars.no_comma", lambda chars: chars.replace("，", "")),
]

# ----------------------------------------------------------------------------------------
# A pytest plugin loaded into mutmut's runs (written into each copy as _mutation_plugin.py).
#
# mutmut runs, for each mutant, only the tests that called the mutated function while it
# collected its statistics. Tests that share work would then be linked only to the first of
# them, and a mutant that only a later test can notice (a check's value, a printed raw text)
# would be reported alive. So, while statistics are collected: conftest.parsed and ogi's own
# caches are emptied before every test, and what a module- or session-scoped fixture called
# (test_seeds parses each sample once per module; built_db builds once) is linked to every
# test that uses that fixture instance.
PLUGIN = '''
import os
import sys

import pytest

_fixture_hits = {}


def _stats():
    return os.environ.get("MUTANT_UNDER_TEST") == "stats"


def _clear_caches():
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "conftest" or name == "ogi" or name.startswith("ogi.")):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


def _key(item, fixturedef):
    callspec = getattr(item, "callspec", None)
    index = callspec.indices.get(fixturedef.argname) if callspec else None
    return (fixturedef.argname, fixturedef.baseid, index)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if _stats():
        _clear_caches()


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if not _stats() or fixturedef.scope == "function":
        yield
        return
    from mutmut.state import state

    before = set(state()._stats)
    yield
    callspec = getattr(request._pyfuncitem, "callspec", None)
    index = callspec.indices.get(fixturedef.argname) if callspec else None
    _fixture_hits.setdefault((fixturedef.argname, fixturedef.baseid, index), set()).update(state()._stats - before)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    if not _stats():
        return
    from mutmut.state import state

    for name in item.fixturenames:
        for fixturedef in item._fixtureinfo.name2fixturedefs.get(name, ())[-1:]:
            if fixturedef.scope != "function":
                state()._stats.update(_fixture_hits.get(_key(item, fixturedef), ()))
'''

# Run inside a copy (cwd) after mutmut: every mutant's status, and the diff of those not killed.
RESULTS = '''
import json, sys
from pathlib import Path
from mutmut.__main__ import SourceFileMutationData, get_diff_for_mutant
from mutmut.configuration import config
from mutmut.stats import status_by_exit_code

import fnmatch
path, patterns = Path(sys.argv[1]), sys.argv[2:]
data = SourceFileMutationData(path=path)
data.load()
out = {}
for name, code in data.exit_code_by_key.items():
    if patterns and not any(fnmatch.fnmatch(name, p) for p in patterns):
        continue
    status = status_by_exit_code[code]
    diff = get_diff_for_mutant(name, path=path) if status != "killed" else ""
    out[name] = {"status": status, "code": code, "diff": diff}
print(json.dumps(out))
'''


# ----------------------------------------------------------------------------------------
@dataclass
class Outcome:
    name: str
    killed: list[str] = field(default_factory=list)
    survived: dict[str, str] = field(default_factory=dict)  # id -> diff
    equivalent: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""
    stale: list[str] = field(default_factory=list)  # mutated files that changed since the run

    @property
    def total(self) -> int:
        return len(self.killed) + len(self.survived)


def changed_lines(diff: str) -> list[str]:
    """The lines a mutant removes and adds, stripped: what identifies it across line moves."""
    return [
        line[0] + " " + line[1:].strip()
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def load_equivalents() -> dict[str, tuple[str, list[str]]]:
    """tests/equivalent_mutants.txt: ``<id>  <reason>`` then the diff's changed lines indented."""
    entries: dict[str, tuple[str, list[str]]] = {}
    if not EQUIVALENTS.is_file():
        return entries
    current = None
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith((" ", "\t")):
            if current:
                entries[current][1].append(line.strip()[0] + " " + line.strip()[1:].strip())
            continue
        ident, _, reason = line.partition(" ")
        current = ident.strip()
        entries[current] = (reason.strip(), [])
    return entries


def snapshot(dest: Path, worktree: bool) -> None:
    """The tree mutants are made from: HEAD (plus this work's own new test files) or the working tree."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if worktree:
        files = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode().split("\0")
        for name in filter(None, files):
            src = ROOT / name
            if src.is_file():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / name)
    else:
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
        for src in list((ROOT / "tests").glob("test_mutants_*.py")) + [EQUIVALENTS]:
            if src.is_file():
                shutil.copy2(src, dest / "tests" / src.name)


def fixtures_dir(tree: Path) -> Path:
    """A private build/fixtures for the copies, seeded from the checkout's when the generator
    is the same (the generator removes other versions' folders from the folder it writes)."""
    target = WORK / "fixtures"
    target.mkdir(parents=True, exist_ok=True)
    import hashlib

    digest = hashlib.sha256((tree / "scripts" / "make_fixtures.py").read_bytes()).hexdigest()[:16]
    ours, theirs = target / digest, ROOT / "build" / "fixtures" / digest
    if not (ours / ".complete").is_file() and (theirs / ".complete").is_file():
        shutil.copytree(theirs, ours, dirs_exist_ok=True)
    return target


def mutmut_config(module: Module, tests: list[str]) -> str:
    sources = sorted({p.split("/")[0] for p in module.paths})
    copied = [p for p in ("scripts", "metadata.yml") if p not in sources]
    lines = [
        "",
        "[tool.mutmut]",
        f"source_paths = {json.dumps(sources)}",
        f"only_mutate = {json.dumps(module.paths)}",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        # Test ids as written: a second collection in one process (the fork server collects
        # once, each mutant's run again) escapes non-ASCII ids given by ids=[…] twice
        # (test_real_corpus's 沭阳县….txt), and pytest then finds no such test.
        f'pytest_add_cli_args = ["-p", "_mutation_plugin", "-p", "no:cacheprovider", "-k", "{DESELECT}", '
        '"-o", "disable_test_id_escaping_and_forfeit_all_rights_to_community_support=true"]',
        f"also_copy = {json.dumps(copied + ['_mutation_plugin.py'])}",
        # Each mutant is forked from a server that has collected the tests (imports done once)
        # but never ran one, so no cache or fixture of a run is inherited.
        'process_isolation = "forkserver"',
        'forkserver_warmup = "collect"',
        "use_git_change_detection = false",
        "",
    ]
    return "\n".join(lines)


def prepare(module: Module, tree: Path) -> Path:
    work = WORK / module.name
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(tree, work, symlinks=True)
    if SHARED.is_dir():
        (work / "shared").symlink_to(SHARED)  # tests find ../shared from mutants/
    return work


def own_tests(module: Module, tree: Path = ROOT) -> list[str]:
    """The tests written for the module's mutants: tests/test_mutants_<name>.py and
    tests/test_mutants_<name>_<part>.py."""
    paths = sorted((tree / "tests").glob(f"test_mutants_{module.name}.py"))
    paths += sorted((tree / "tests").glob(f"test_mutants_{module.name}_*.py"))
    return [f"tests/{p.name}" for p in paths]


def run_mutmut(module: Module, tree: Path, workers: int) -> Outcome:
    work = prepare(module, tree)
    tests = list(module.tests) + own_tests(module, work)
    with open(work / "pyproject.toml", "a", encoding="utf-8") as f:
        f.write(mutmut_config(module, tests))
    (work / "_mutation_plugin.py").write_text(PLUGIN, encoding="utf-8")
    (work / "mutants" / "build").mkdir(parents=True)
    (work / "mutants" / "build" / "fixtures").symlink_to(fixtures_dir(tree))

    started = time.monotonic()
    with open(work / "mutmut.log", "wb") as logfile:
        rc = subprocess.run(
            ["nice", "-n", "19", str(VENV_BIN / "mutmut"), "run", "--max-children", str(workers), *module.only],
            cwd=work, env=_env(), stdout=logfile, stderr=subprocess.STDOUT,
        ).returncode
    if rc != 0:
        out = Outcome(module.name)
        out.error = f"mutmut exited {rc}:\n" + (work / "mutmut.log").read_text(errors="replace")[-3000:]
        return out
    if module.name == "search":
        run_tokenchars(work)
    (work / "seconds").write_text(f"{time.monotonic() - started:.0f}\n")
    return collect(module)


def _env(**extra) -> dict[str, str]:
    env = dict(os.environ, **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # each mutant's process imports the (large) mutated files
    return env


def _results(work: Path, name: str) -> dict:
    path = work / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def collect(module: Module) -> Outcome:
    """A module's figures from its copy: mutmut's results, the hand-written search mutants,
    and what --recheck found since."""
    out = Outcome(module.name)
    work = WORK / module.name
    if not (work / "mutants").is_dir():
        out.error = f"{work} has no mutation run"
        return out
    seconds = work / "seconds"
    out.seconds = float(seconds.read_text()) if seconds.is_file() else 0.0
    # The copy keeps the file as it was mutated: a module edited since has figures of the past.
    out.stale = [p for p in module.paths if not (work / p).is_file() or (work / p).read_bytes() != (ROOT / p).read_bytes()]
    found = {}
    for path in module.paths:
        results = subprocess.run(
            [str(VENV_BIN / "python"), "-c", RESULTS, path, *module.only], cwd=work, env=_env(), capture_output=True, text=True
        )
        if results.returncode != 0:
            out.error += f"reading the results of {path} failed:\n{results.stderr[-2000:]}"
            continue
        found.update(json.loads(results.stdout))
    found.update(_results(work, "tokenchars.json"))
    rechecked = _results(work, "rechecked.json")
    for name, r in sorted(found.items()):
        if r["code"] == 255:  # mutmut's code for an exception in its worker, not a test failure
            out.error += f"{name}: the worker failed (exit 255; set debug = true and see mutants/mutmut-debug.log)\n"
            out.survived[name] = f"[worker error]\n{r['diff']}"
        elif r["status"] in ("killed", "timeout") or rechecked.get(name) == "killed":
            out.killed.append(name)  # a mutant that makes the tests hang is noticed too
        else:
            if r["status"] in ("suspicious", "not checked", "segfault"):
                out.error += f"{name}: {r['status']}\n"
            out.survived[name] = f"[{r['status']}]\n{r['diff']}"
    return out


def recheck(module: Module, patterns: list[str]) -> None:
    """Run the survivors of the last run again (those matching one of the patterns, when given),
    against this tree's tests/test_mutants_<name>*.py only (every other test passed with them):
    a test written for a survivor kills it here."""
    work = WORK / module.name
    own = own_tests(module)
    if not own or not (work / "mutants").is_dir():
        return
    with open(work / "recheck.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two rechecks of one module at once would lose results
        _recheck(module, work, own, patterns)


def _recheck(module: Module, work: Path, own: list[str], patterns: list[str]) -> None:
    for path in own:
        shutil.copy2(ROOT / path, work / "mutants" / path)
        shutil.copy2(ROOT / path, work / path)
    rechecked = _results(work, "rechecked.json")
    for name in collect(module).survived:
        if name.startswith("search.tokenchars."):
            continue  # run again with the search tests by run_tokenchars below
        if patterns and not any(fnmatch.fnmatch(name, p) for p in patterns):
            continue
        pytest = [str(VENV_BIN / "python"), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *own]
        env = _env(MUTANT_UNDER_TEST=name, PYTHONPATH=str(work / "mutants"))
        try:  # the new tests take a second or two: a mutant that makes them hang is noticed
            rc = subprocess.run(["nice", "-n", "19", *pytest], cwd=work / "mutants", env=env, capture_output=True, timeout=120).returncode
        except subprocess.TimeoutExpired:
            rc = 1
        rechecked[name] = "killed" if rc == 1 else "survived"  # 1: a test failed (2-5: pytest itself could not run)
    (work / "rechecked.json").write_text(json.dumps(rechecked, indent=1), encoding="utf-8")
    if module.name == "search":
        run_tokenchars(work)


def run_tokenchars(work: Path) -> None:
    """The hand-written mutants of the token characters, on the search module's copy."""
    results = {}
    env = _env(PYTHONPATH=str(work))
    pytest = ["nice", "-n", "19", str(VENV_BIN / "python"), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *SEARCH_TESTS]
    clean = subprocess.run(pytest, cwd=work, env=env, capture_output=True, text=True)
    path = work / "ogi" / "views.py"
    original = path.read_text(encoding="utf-8")
    found = TOKENCHARS.search(original)
    if clean.returncode != 0 or not found:
        why = "the search tests fail on the unmutated copy" if found else "ogi/views.py has no _TOKENCHARS line"
        results = {ident: {"status": "suspicious", "code": None, "diff": why} for ident, _ in SEARCH_MUTANTS}
    for ident, change in SEARCH_MUTANTS if not results else []:
        line = f'_TOKENCHARS = "{change(found.group(1))}"'
        path.write_text(original[: found.start()] + line + original[found.end() :], encoding="utf-8")
        try:
            killed = subprocess.run(pytest, cwd=work, env=env, capture_output=True, timeout=300).returncode != 0
        except subprocess.TimeoutExpired:
            killed = True
        finally:
            path.write_text(original, encoding="utf-8")
        diff = f"--- ogi/views.py\n+++ ogi/views.py\n-{found.group(0)}\n+{line}"
        results[ident] = {"status": "killed" if killed else "survived", "code": 1 if killed else 0, "diff": diff}
    (work / "tokenchars.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="module names (default: all): " + " ".join(m.name for m in MODULES))
    parser.add_argument("--workers", type=int, default=2, help="parallel mutants (default 2; the machine has 2 cores)")
    parser.add_argument("--worktree", action="store_true", help="mutate the working tree, not HEAD")
    parser.add_argument("--list", action="store_true", help="list the modules and their tests")
    parser.add_argument("--recheck", action="store_true",
                        help="run no new mutation run: the last run's survivors against tests/test_mutants_<module>*.py, then the figures")
    parser.add_argument("--mutants", action="append", default=[], metavar="PATTERN",
                        help="with --recheck: only the survivors whose name matches (fnmatch; repeatable)")
    parser.add_argument("--report", action="store_true", help="only print the figures of the last runs")
    args = parser.parse_args(argv)

    by_name = {m.name: m for m in MODULES}
    if args.list:
        for m in MODULES:
            tests = m.tests + own_tests(m)
            print(f"{m.name:13} {m.path} {' '.join(m.only)}: {' '.join(tests)}")
        return 0
    unknown = [n for n in args.modules if n not in by_name]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; known: {list(by_name)}")
    modules = [by_name[n] for n in args.modules] if args.modules else MODULES

    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    tree = WORK / "tree"
    if not (args.recheck or args.report):
        snapshot(tree, args.worktree)
    equivalents = load_equivalents()

    outcomes = []
    for module in modules:
        t0 = time.monotonic()
        print(f"-- {module.name} ({module.path}) …", flush=True)
        if args.report:
            outcome = collect(module)
        elif args.recheck:
            recheck(module, args.mutants)
            outcome = collect(module)
        else:
            outcome = run_mutmut(module, tree, args.workers)
            outcome.seconds = time.monotonic() - t0
        for ident, diff in list(outcome.survived.items()):
            if ident in equivalents:
                reason, lines = equivalents[ident]
                if lines and lines != changed_lines(diff):
                    print(f"   ! {ident} is listed as equivalent, but its diff changed: counted as alive")
                    continue
                outcome.equivalent.append(ident)
                del outcome.survived[ident]
        outcomes.append(outcome)
        for path in outcome.stale:
            print(f"   ! {path} changed since this run: run `scripts/mutation.py {module.name}` again for current figures")
        if outcome.error:
            print(f"   ERROR: {outcome.error}")
        pct = 100.0 * len(outcome.killed) / outcome.total if outcome.total else 100.0
        print(f"   {module.name}: killed {len(outcome.killed)} of {outcome.total} ({pct:.1f}%), "
              f"{len(outcome.equivalent)} equivalent, {outcome.seconds:.0f} s", flush=True)
        for ident, diff in outcome.survived.items():
            print(f"   survived {ident}")
            for line in diff.splitlines():
                print("      " + line)

    killed = sum(len(o.killed) for o in outcomes)
    total = sum(o.total for o in outcomes)
    print()
    print(f"{'module':13} {'killed':>7} {'of':>5} {'%':>6} {'equiv':>6} {'seconds':>8}")
    for o in outcomes:
        pct = 100.0 * len(o.killed) / o.total if o.total else 100.0
        print(f"{o.name:13} {len(o.killed):7} {o.total:5} {pct:6.1f} {len(o.equivalent):6} {o.seconds:8.0f}"
              + ("  ERROR" if o.error else "") + ("  STALE" if o.stale else ""))
    print(f"mutation time {sum(o.seconds for o in outcomes):.0f} s with {args.workers} workers; this command {time.monotonic() - started:.0f} s")
    pct = 100.0 * killed / total if total else 100.0
    print(f"mutation: killed {killed} of {total} ({pct:.1f}%)")
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
