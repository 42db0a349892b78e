"""Parsed reports kept between builds, so a rebuild parses only new and changed files.

In: a folder (``ogi-cache/`` next to the database) and, per file, its sha256, its name (the
region resolver reads place names in it) and the limits. Out: the ``Outcome`` of an earlier
parse (a Report, or a ParseError / limit error) when the file's bytes, its name, the parser's
code and the limits are all unchanged; else nothing, and the new outcome is stored.

The key includes ``parser_fingerprint()``: a hash of the package version and of every
module and data file the parse depends on, so editing the parser invalidates the cache even
when the version number stays. Corrections are applied after the cache, never stored in it.
Timeouts, crashes and memory errors are not stored: they may pass on a quieter machine.
Entries not used by a build are removed at its end (``prune``), so the cache holds exactly
the current corpus. Entries are pickles written by this program into a folder of its own.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

from . import __version__
from .isolate import DETERMINISTIC, Outcome, collector_paused

# Modules that run after the parse (or never in it): editing them does not change a parse.
_AFTER_PARSE = {"load.py", "views.py", "history.py", "cli.py", "publish.py", "cache.py", "inputs.py", "isolate.py",
                "corrections.py", "accuracy.py", "totals.py", "agencies.py", "coverage.py", "same_report.py"}


@cache
def parser_fingerprint() -> str:
    """The package version and a hash of the parser's code and data files."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(str(resources.files("ogi")))
    files = sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".csv", ".json", ".txt")
                   and "samples" not in p.parts and "__pycache__" not in p.parts
                   and not (p.parent == package and p.name in _AFTER_PARSE))
    for p in files:
        digest.update(str(p.relative_to(package)).encode())
        digest.update(p.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


class Cache:
    def __init__(self, folder: Path, limits_fingerprint: str, enabled: bool = True):
        self.folder = folder
        self.enabled = enabled
        self.limits = limits_fingerprint
        self.used: set[str] = set()
        if enabled:
            folder.mkdir(parents=True, exist_ok=True)

    def key(self, sha256: str, name: str) -> str:
        extra = hashlib.sha256(f"{name}\0{parser_fingerprint()}\0{self.limits}".encode("utf-8", "backslashreplace")).hexdigest()[:16]
        return f"{sha256}-{extra}"

    def get(self, sha256: str, name: str) -> Outcome | None:
        if not self.enabled:
            return None
        key = self.key(sha256, name)
        path = self.folder / f"{key}.pickle"
        try:
            with path.open("rb") as f:
                with collector_paused():
                    outcome = pickle.load(f)
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a damaged entry is parsed again
            return None
        if not isinstance(outcome, Outcome):
            return None
        self.used.add(key)
        return outcome

    def put(self, sha256: str, name: str, outcome: Outcome) -> None:
        if not self.enabled or (outcome.kind is not None and outcome.kind not in DETERMINISTIC):
            return
        key = self.key(sha256, name)
        self.used.add(key)
        fd, tmp = tempfile.mkstemp(prefix=key + ".", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(Outcome(report=outcome.report, kind=outcome.kind, message=outcome.message), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / f"{key}.pickle")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def prune(self) -> int:
        """Remove the entries this build did not use (and leftovers of killed builds); how many."""
        if not self.enabled:
            return 0
        return remove_files(p for p in self.folder.iterdir()
                            if p.suffix == ".tmp" or (p.suffix == ".pickle" and p.stem not in self.used))


def remove_files(paths) -> int:
    """Remove the files; how many went. One that cannot be removed (gone already, no
    permission) is left for the next build to try: cleaning up never fails a build."""
    removed = 0
    for path in paths:
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed
