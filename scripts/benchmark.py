#!/usr/bin/env python3
"""Print how fast the pipeline is: per-file parse time and a whole build.

    .venv/bin/python scripts/benchmark.py [--copies 40] [--distinct] [--docs DIR ...]

Parses each bundled sample repeatedly (read -> locate -> map -> check, region included),
then builds a database from COPIES copies of the samples (made distinct by one byte, so
none is skipped as a duplicate; they are copies of five reports, unless --distinct makes
each another agency's report) and prints files per second and the database size, then
rebuilds it with nothing changed and with one file changed, side by side with the cold build
(the parse cache, ogi/cache.py: a rebuild parses only new and changed files).
With --docs, also parses every readable file under DIR once and prints the time per file
and per format (PDF pages, OCR of scanned pages, DOCX, HTML …).
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


# Departments every county and province has; the samples are all 人力资源和社会保障 bureaus.
DEPARTMENTS = (
    "人力资源和社会保障", "教育", "财政", "民政", "司法", "商务", "审计", "统计", "应急管理", "自然资源",
    "生态环境", "住房和城乡建设", "交通运输", "水利", "农业农村", "文化和旅游", "退役军人事务", "市场监督管理",
    "医疗保障", "林业", "体育", "科学技术", "工业和信息化", "城市管理", "公安", "档案", "信访", "机关事务管理",
    "行政审批", "数据资源管理", "粮食和物资储备", "城乡规划", "气象", "地震", "外事", "侨务", "民族宗教事务",
    "国有资产监督管理", "地方金融监督管理", "乡村振兴",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--distinct", action="store_true",
                        help="make every copy another agency's report (人力资源和社会保障 -> 教育, 财政 …), so COPIES x 5 files are as many reports")
    parser.add_argument("--docs", type=Path, nargs="*", default=[], help="folders of documents to time once each")
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
                data = sample.read_bytes()
                if args.distinct:  # another department of the same place: another agency, another report
                    data = data.replace("人力资源和社会保障".encode(), DEPARTMENTS[n % len(DEPARTMENTS)].encode())
                    data += f"\n{n // len(DEPARTMENTS)}".encode() if n >= len(DEPARTMENTS) else b""
                (folder / f"{n:03d}-{sample.name}").write_bytes(data + b"\n" * (n + 1))
        db = Path(tmp) / "bench.db"
        start = time.perf_counter()
        summary = load.build([folder], db)
        seconds = time.perf_counter() - start
        print(
            f"build: {summary.files} files, {summary.reports} reports, {summary.facts} facts in {seconds:.2f} s "
            f"({summary.files / seconds:.1f} files/s); database {db.stat().st_size / 1024:.0f} KiB"
        )
        # Rebuilds of the same folder: nothing changed, then one file changed (ogi/cache.py).
        start = time.perf_counter()
        unchanged = load.build([folder], db)
        same = time.perf_counter() - start
        edited = sorted(folder.iterdir())[0]
        edited.write_bytes(edited.read_bytes() + b"\n")
        start = time.perf_counter()
        one = load.build([folder], db)
        changed = time.perf_counter() - start
        print(f"{'build':<34}{'seconds':>9}{'parsed':>8}{'reused':>8}")
        print(f"{'cold (empty cache)':<34}{seconds:>9.2f}{summary.incremental.get('parsed', 0):>8}{summary.incremental.get('reused', 0):>8}")
        print(f"{'rebuild, nothing changed':<34}{same:>9.2f}{unchanged.incremental.get('parsed', 0):>8}{unchanged.incremental.get('reused', 0):>8}"
              f"   {seconds / same:.0f}x faster than cold")
        print(f"{'rebuild, one file changed':<34}{changed:>9.2f}{one.incremental.get('parsed', 0):>8}{one.incremental.get('reused', 0):>8}"
              f"   {seconds / changed:.1f}x faster than cold")
    if args.docs:
        time_documents(args.docs)


def time_documents(folders: list[Path]) -> None:
    from ogi.model import ParseError
    from ogi.read import supported

    by_format: dict[str, list[float]] = {}
    print(f"\n{'document':<58}{'seconds':>9}  values")
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and supported(p)):
            start = time.perf_counter()
            try:
                values = len(parse_file(path).values)
            except ParseError as e:
                values = f"error: {e}"
            seconds = time.perf_counter() - start
            by_format.setdefault(path.suffix.lower().lstrip("."), []).append(seconds)
            print(f"{path.name[:57]:<58}{seconds:>9.2f}  {values}")
    print(f"\n{'format':<8}{'files':>6}{'median s':>10}{'max s':>8}")
    for fmt, times in sorted(by_format.items()):
        print(f"{fmt:<8}{len(times):>6}{statistics.median(times):>10.2f}{max(times):>8.2f}")


if __name__ == "__main__":
    main()
