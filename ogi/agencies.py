"""One agency, whatever name its reports print: agencies stable across years and formats.

In: the reports of a database (agency name in Simplified characters, province, city, county,
adcode and the agency's level). Out: ``Agency`` records, one per agency, with every name it has
been printed under, and which agency each report belongs to.

An agency is its place (the adcode its region settled on) and its department (the rest of the
name once the place names are taken off the front), the department spelled out by the alias
table ``data/agency_aliases.csv`` (人社局 -> 人力资源和社会保障局, 科委 -> 科学技术委员会, 政府 ->
人民政府). So 相山区人社局, 淮北市相山区人力资源和社会保障局 and 相山区人力资源和社会保障局 are one
agency, and a title that names only its district meets the one that also names its city. The
id is made from that key, so it stays when new years arrive. Its kind (人民政府, 教育, 财政 …)
comes from ``data/agency_kinds.csv``.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from .text import compact, simplified

_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "自治州", "地区", "省", "市", "盟", "区", "县")


@dataclass
class Agency:
    id: str
    name: str  # the place's full names and the department spelled out
    department: str
    kind: str
    kind_en: str
    level: str | None  # province, city, county, township
    province: str | None
    city: str | None
    county: str | None
    adcode: str | None
    names: dict[str, list[int]] = field(default_factory=dict)  # printed name -> years
    report_ids: list[str] = field(default_factory=list)


def _rows(name: str) -> list[dict]:
    with resources.files("ogi").joinpath(f"data/{name}").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def aliases() -> dict[str, str]:
    """Short department name -> its full name."""
    return {row["short"]: row["full"] for row in _rows("agency_aliases.csv")}


@cache
def kinds() -> tuple[tuple[re.Pattern, str, str], ...]:
    return tuple((re.compile(row["pattern"]), row["kind"], row["label_en"]) for row in _rows("agency_kinds.csv"))


def _forms(place: str | None) -> list[str]:
    """A place's full name and its short form (淮北市, 淮北), longest first."""
    if not place:
        return []
    forms = [place]
    for suffix in _SUFFIXES:
        if place.endswith(suffix) and len(place) - len(suffix) >= 2:
            forms.append(place[: -len(suffix)])
            break
    return forms


def department(name: str, province: str | None, city: str | None, county: str | None) -> str:
    """The name without the place names in front of it, spelled out:
    淮北市相山区人社局 (安徽省, 淮北市, 相山区) -> 人力资源和社会保障局."""
    rest = compact(simplified(name))
    places = [f for place in (province, city, county) for f in _forms(place)]
    stripped = True
    while stripped:
        stripped = False
        for form in sorted(places, key=len, reverse=True):
            if rest.startswith(form) and len(rest) > len(form):
                rest, stripped = rest[len(form):], True
                break
    return aliases().get(rest, rest)


def kind_of(dept: str) -> tuple[str, str]:
    """(kind, English) of a department: 人力资源和社会保障局 -> 人力资源和社会保障."""
    for pattern, kind, english in kinds():
        if pattern.search(dept):
            return kind, english
    return dept, ""


def _level(report: dict) -> str | None:
    if report.get("region_level"):
        return report["region_level"]
    if report.get("county"):
        return "county"
    if report.get("city") and report.get("city") != report.get("province"):
        return "city"
    if report.get("province"):
        return "province"  # a provincial department, or a municipality's (its city repeats the province)
    return None


def canonical_name(dept: str, level: str | None, province: str | None, city: str | None, county: str | None) -> str:
    """How the site names an agency: its places from the city down, then its department
    (淮北市相山区人力资源和社会保障局, 上海市静安区人民政府, 山东省人力资源和社会保障厅)."""
    if level in ("county", "township") and county:
        head = (city if city and city != county else "") + county
    elif level == "city" and city:
        head = city
    elif province:
        head = province
    else:
        head = ""
    return head + dept


def group(reports: list[dict]) -> list[Agency]:
    """The agencies of ``reports`` (dicts with id, agency, year, province, city, county, adcode
    and optionally region_level), each report in exactly one."""
    agencies: dict[str, Agency] = {}
    for report in reports:
        level = _level(report)
        dept = department(report["agency"], report.get("province"), report.get("city"), report.get("county"))
        adcode = (report.get("adcode") or "")[:6] or None
        # Without a place, the name is the whole key: never merge two unplaced agencies by department alone.
        key = f"{adcode}|{dept}" if adcode else f"|{compact(simplified(report['agency']))}"
        agency_id = f"{adcode or '000000'}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"
        agency = agencies.get(agency_id)
        if agency is None:
            kind, kind_en = kind_of(dept)
            name = canonical_name(dept, level, report.get("province"), report.get("city"), report.get("county")) if adcode else report["agency"]
            agency = agencies[agency_id] = Agency(
                agency_id, name, dept, kind, kind_en, level,
                report.get("province"), report.get("city"), report.get("county"), adcode,
            )
        agency.names.setdefault(report.get("agency_printed") or report["agency"], []).append(report["year"])
        agency.report_ids.append(report["id"])
    return sorted(agencies.values(), key=lambda a: a.id)
