#!/usr/bin/env python3
"""Print how fast the pipeline is: per-file parse time and a whole build.

    .venv/bin/python scripts/benchmark.py [--copies 40]

Parses each bundled sample repeatedly (read -> locate -> map -> check, region included),
then builds a database from COPIES copies of the samples (made distinct by one byte, so
none is skipped as a duplicate) and prints files per second and the database size.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from ogi import load
from ogi.cli import sample_reports
from ogi.parse import parse_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    samples = sorted(sample_reports().glob("*.txt"))
    parse_file(samples[0])  # warm up: imports and the division table
    print(f"{'sample':<32}{'lines':>7}{'median ms':>11}{'max ms':>9}")
    for sample in samples:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            parse_file(sample)
            times.append((time.perf_counter() - start) * 1000)
        lines = len(sample.read_text(encoding="utf-8").splitlines())
        print(f"{sample.name:<32}{lines:>7}{statistics.median(times):>11.1f}{max(times):>9.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for n in range(args.copies):
            for sample in samples:
                (folder / f"{n:03d}-{sample.name}").write_bytes(sample.read_bytes() + b"\n" * (n + 1))
        db = Path(tmp) / "bench.db"
        start = time.perf_counter()
        summary = load.build([folder], db)
        seconds = time.perf_counter() - start
        print(
            f"build: {summary.files} files, {summary.facts} facts in {seconds:.2f} s "
            f"({summary.files / seconds:.1f} files/s); database {db.stat().st_size / 1024:.0f} KiB"
        )


if __name__ == "__main__":
    main()
