"""The public vocabulary of the data: every row, column and metric key with its Chinese label.

In: ``data/items.csv`` (a copy of the project's spec, so nothing outside the package is needed
at run time). Out: ``Item`` records and the templates the mapper aligns printed tables against.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

FORMATS = ("2019", "2021")

REQUEST_COLUMNS_TABLE = "applicant"
APPEAL_GROUPS_TABLE = "appeals"
APPEAL_OUTCOMES_TABLE = "appeal_outcome"
# The vocabulary table that names each part's columns (its rows are named by the part's own table).
COLUMN_TABLE = {"active": "active_metric", "requests": REQUEST_COLUMNS_TABLE, "appeals": APPEAL_OUTCOMES_TABLE}


@dataclass(frozen=True)
class Item:
    table: str  # active, active_metric, requests, applicant, appeals, appeal_outcome
    key: str
    label_zh: str
    formats: tuple[str, ...]
    notes: str

    @property
    def labels(self) -> tuple[str, ...]:
        """Every printed form the spec lists (``规范性文件 / 行政规范性文件``)."""
        return tuple(part.strip() for part in self.label_zh.split(" / "))

    @property
    def sections(self) -> tuple[str, ...]:
        """The 第二十条 sub-sections an active item or metric belongs to: ``（五）（六）`` -> (五, 六)."""
        return tuple(re.findall(r"（([一二三四五六七八九十]+)）", self.notes.split(";")[0]))


@cache
def items() -> tuple[Item, ...]:
    with resources.files("ogi").joinpath("data/items.csv").open(encoding="utf-8") as f:
        return tuple(
            Item(row["table"], row["key"], row["label_zh"], tuple(row["formats"].split()), row["notes"])
            for row in csv.DictReader(f)
        )


def of_table(table: str) -> tuple[Item, ...]:
    return tuple(item for item in items() if item.table == table)


@cache
def item(table: str, key: str) -> Item:
    for candidate in of_table(table):
        if candidate.key == key:
            return candidate
    raise KeyError(f"{table}.{key}")


def label(table: str, key: str) -> str:
    return item(table, key).label_zh


def request_rows() -> tuple[Item, ...]:
    """Rows of table 三 in printed order, both formats together (the aligner picks what is there)."""
    return of_table("requests")


def request_columns() -> tuple[str, ...]:
    return tuple(item.key for item in of_table(REQUEST_COLUMNS_TABLE))


def appeal_groups() -> tuple[str, ...]:
    return tuple(item.key for item in of_table(APPEAL_GROUPS_TABLE))


def appeal_outcomes() -> tuple[str, ...]:
    return tuple(item.key for item in of_table(APPEAL_OUTCOMES_TABLE))


def active_items() -> tuple[Item, ...]:
    return of_table("active")


def active_metrics() -> tuple[Item, ...]:
    return of_table("active_metric")


def default_metrics(item_key: str, fmt: str) -> tuple[str, ...]:
    """The template's columns for an active item in one format, when the header is not printed."""
    sections = set(item("active", item_key).sections)
    return tuple(m.key for m in active_metrics() if fmt in m.formats and sections & set(m.sections))


def metric_formats(metric_key: str) -> tuple[str, ...]:
    return item("active_metric", metric_key).formats


def result_rows() -> tuple[str, ...]:
    """The rows whose sum is （七）总计: everything between 上年结转 and 总计."""
    keys = [item.key for item in request_rows()]
    return tuple(keys[keys.index("carried_over") + 1 : keys.index("total")])


def metric_unit_in_yuan(metric_key: str) -> int | None:
    """How many 元 one unit of an amount metric is (the key says its unit); None for counts."""
    if metric_key.endswith("_10k_yuan"):
        return 10_000
    if metric_key.endswith("_yuan"):
        return 1
    return None
