#!/usr/bin/env python3
"""Parse a folder of documents that have gold files and print accuracy per format.

    .venv/bin/python scripts/accuracy.py DOCS GOLD [-v]
    .venv/bin/python scripts/accuracy.py ../shared/corpus/real ../shared/gold/real

GOLD holds ``<document file name without extension>.json`` (or ``<file name>.json``).
Prints, per format (file extension): documents, documents read perfectly, and the share of
gold values read exactly; -v lists every difference.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from ogi.accuracy import compare
from ogi.model import ParseError
from ogi.parse import as_json, parse_file
from ogi.read import supported


def gold_file(doc: Path, gold_dir: Path) -> Path | None:
    for candidate in (gold_dir / (doc.stem + ".json"), gold_dir / (doc.name + ".json")):
        if candidate.is_file():
            return candidate
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", type=Path)
    parser.add_argument("gold", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    by_format = defaultdict(list)
    for doc in sorted(p for p in args.docs.rglob("*") if p.is_file() and supported(p)):
        gold_path = gold_file(doc, args.gold)
        if gold_path is None:
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        try:
            result = compare(as_json(parse_file(doc)), gold)
        except ParseError as e:
            result = compare(None, gold, str(e))
        except Exception as e:  # a parser bug counts against accuracy; it must not hide the rest
            result = compare(None, gold, f"internal error: {type(e).__name__}: {e}")
        result.file = doc.name
        by_format[doc.suffix.lower().lstrip(".")].append(result)
        if args.verbose and not result.perfect:
            print(f"--- {doc.name}\n{result.describe()}\n")
    print(f"{'format':<8}{'documents':>10}{'perfect':>9}{'values':>9}{'exact':>8}{'share':>9}")
    totals = [0, 0, 0, 0]
    for fmt, results in sorted(by_format.items()):
        values = sum(r.gold_values for r in results)
        exact = sum(len(r.exact) for r in results)
        perfect = sum(r.perfect for r in results)
        totals = [totals[0] + len(results), totals[1] + perfect, totals[2] + values, totals[3] + exact]
        print(f"{fmt:<8}{len(results):>10}{perfect:>9}{values:>9}{exact:>8}{exact / max(values, 1):>9.1%}")
    print(f"{'all':<8}{totals[0]:>10}{totals[1]:>9}{totals[2]:>9}{totals[3]:>8}{totals[3] / max(totals[2], 1):>9.1%}")


if __name__ == "__main__":
    main()
