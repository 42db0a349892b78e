"""Parse files in worker processes with limits, so no file can take the build down.

In: jobs (an index and a path) and ``Limits``. Out: one ``Outcome`` per job, in the order
they finish: the parsed ``Report``, or the reason there is none (``kind``: ``parse_error``
for a ParseError, ``limit`` for a file past a limit of ``ogi/limits.py``, ``timeout``,
``memory``, ``crash`` when the worker died, ``internal`` for a parser bug, with its traceback).

Each worker is a forked process in a session of its own (so a LibreOffice it starts is
stopped with it) with RLIMIT_AS of ``memory_mb`` and no core dumps; it parses one file
after another, so the per-file cost is a pipe round-trip, not a process start. A worker that
exceeds ``timeout_s`` on a file is killed with its whole process group and replaced; one that
dies is replaced. Up to ``workers`` files are parsed at once.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

from .limits import Limits, LimitError, check
from .model import ParseError, Report

PARSE_ERROR, LIMIT, TIMEOUT, MEMORY, CRASH, INTERNAL = "parse_error", "limit", "timeout", "memory", "crash", "internal"
# Outcomes that depend only on the bytes, the parser and the limits: worth caching.
DETERMINISTIC = (PARSE_ERROR, LIMIT)


@dataclass
class Outcome:
    report: Report | None = None
    kind: str | None = None  # None when parsed
    message: str | None = None  # one sentence for the sources row
    detail: str | None = None  # a traceback, for the build's log only


def parse_limited(path: Path, limits: Limits) -> Report:
    """The report of one file after the limits' checks (runs inside a worker)."""
    from .parse import parse_file

    check(path, limits)
    return parse_file(path)


# File descriptors the parent holds that a worker must not keep open (the build's lock: a
# worker outliving a killed build must not hold it).
CLOSE_IN_WORKERS: set[int] = set()


def _die_with_parent() -> None:
    """Linux: the worker is killed when the build dies (no orphan parsing on, holding files)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _worker(conn, limits: Limits, parent: int) -> None:
    _die_with_parent()
    if os.getppid() != parent:  # the build died before the line above took effect
        os._exit(1)
    for fd in CLOSE_IN_WORKERS:
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        os.setsid()  # its own process group: a timeout kills what it started too
    except OSError:
        pass
    try:
        import resource

        memory = int(limits.memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    try:
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = limits.image_pixels  # any image a reader opens, not only the input's
    except ImportError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build; the build stops the workers
    try:
        import faulthandler

        faulthandler.disable()  # a crash is reported as the file's error row, not a stack dump on the console
    except (ImportError, RuntimeError):
        pass
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            outcome = Outcome(report=parse_limited(Path(job), limits))
        except LimitError as e:
            outcome = Outcome(kind=LIMIT, message=str(e))
        except ParseError as e:
            outcome = Outcome(kind=PARSE_ERROR, message=str(e))
        except MemoryError:
            outcome = Outcome(kind=MEMORY, message=f"needed more memory than the limit of {limits.memory_mb:,} MB (limit memory_mb): not read")
        except RecursionError:
            outcome = Outcome(kind=INTERNAL, message="internal error: nested too deeply (RecursionError)", detail=traceback.format_exc())
        except Exception as e:  # noqa: BLE001 - a parser bug must not stop the build
            outcome = Outcome(kind=INTERNAL, message=f"internal error: {type(e).__name__}: {e}", detail=traceback.format_exc())
        try:
            conn.send(outcome)
        except MemoryError:
            conn.send(Outcome(kind=MEMORY, message=f"needed more memory than the limit of {limits.memory_mb:,} MB (limit memory_mb): not read"))
        except Exception as e:  # noqa: BLE001 - e.g. a report that cannot be pickled
            conn.send(Outcome(kind=INTERNAL, message=f"internal error: {type(e).__name__}: {e}", detail=traceback.format_exc()))


class _Worker:
    def __init__(self, context, limits: Limits):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, limits, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.job: int | None = None
        self.deadline = 0.0

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.kill()
        except (ProcessLookupError, AttributeError):
            pass
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


@contextmanager
def collector_paused():
    """Unpickle a report (from a worker or the cache) with Python's cyclic garbage collector
    paused: it would otherwise walk every report already loaded, again and again, while this
    one's many small objects are made (most of a rebuild's time). Nothing is lost: what it
    would have found is collected once it runs again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class Pool:
    """``with Pool(limits, workers) as pool: for index, outcome in pool.run(jobs): …``"""

    def __init__(self, limits: Limits, workers: int | None = None):
        self.limits = limits
        self.size = max(1, workers or min(4, os.cpu_count() or 1))
        methods = multiprocessing.get_all_start_methods()
        # fork: a worker starts with the parser already imported (the division table loaded)
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.workers: list[_Worker] = []
        self.replaced = 0

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for w in self.workers:
            w.stop()
        self.workers = []

    def _idle(self) -> _Worker:
        for w in self.workers:
            if w.job is None:
                return w
        w = _Worker(self.context, self.limits)
        self.workers.append(w)
        return w

    def _replace(self, w: _Worker) -> None:
        w.kill()
        self.workers.remove(w)
        self.replaced += 1

    def run(self, jobs: list[tuple[int, Path]]):
        """Yield (index, Outcome) for every job, as they finish."""
        pending = list(reversed(jobs))
        busy: dict[int, _Worker] = {}
        while pending or busy:
            while pending and len(busy) < self.size:
                index, path = pending.pop()
                w = self._idle()
                try:
                    w.conn.send(str(path))
                except (OSError, ValueError):  # a worker that died while idle
                    self._replace(w)
                    pending.append((index, path))
                    continue
                w.job, w.deadline = index, time.monotonic() + self.limits.timeout_s
                busy[index] = w
            timeout = max(0.0, min(w.deadline for w in busy.values()) - time.monotonic())
            ready = wait([w.conn for w in busy.values()], timeout=timeout)
            for w in list(busy.values()):
                index = w.job
                if w.conn in ready:
                    try:
                        with collector_paused():
                            outcome = w.conn.recv()
                    except (EOFError, OSError):
                        w.process.join(1)
                        code = w.process.exitcode
                        outcome = _death(code, self.limits)
                        self._replace(w)
                    else:
                        w.job = None
                elif time.monotonic() >= w.deadline:
                    outcome = Outcome(kind=TIMEOUT, message=f"took longer than the limit of {self.limits.timeout_s:,.0f} s (limit timeout_s): stopped")
                    self._replace(w)
                else:
                    continue
                del busy[index]
                yield index, outcome


def _death(code: int | None, limits: Limits) -> Outcome:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if -code == signal.SIGKILL:
            return Outcome(kind=MEMORY, message=f"the parser was killed ({name}), most likely out of memory (limit memory_mb {limits.memory_mb:,} MB)")
        return Outcome(kind=CRASH, message=f"the parser crashed ({name}); the file may be damaged or hostile")
    return Outcome(kind=CRASH, message=f"the parser stopped unexpectedly (exit code {code}); the file may be damaged or hostile")
