"""What the database holds for every division and year, so a missing report is never read as
a report of zero requests.

In: the national division list (province / city / county, from cpca's table through
ogi/region.py), the agencies and reports of the database, and the files that failed (placed by
their file name). Out: one row per division and year the database covers: how many reports of
agencies in it (and below it) were read, whether its own government (人民政府) published one,
how many of its files failed, and a status: ``reports``, ``failed only`` or ``none``.

"X of Y counties of 江苏省 published a readable 2024 report" is then one query:
``select sum(own_reports > 0), count(*) from coverage where level = 'county' and province = '江苏省' and year = 2024``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath

from . import region

LEVELS = {0: "province", 1: "city", 2: "county"}
MUNICIPALITIES = region.MUNICIPALITIES


@dataclass
class Held:
    reports: Counter  # (adcode, year) -> reports of agencies in it or below
    own: Counter  # (adcode, year) -> reports of the division's own agencies
    government: set  # (adcode, year) whose 人民政府 published a readable report
    failed: Counter  # (adcode, year or None) -> files that failed, placed by their name


def _ancestors(adcode: str) -> list[str]:
    """The division and those above it: 320583 -> 320583, 320500, 320000."""
    out = [adcode]
    if not adcode.endswith("00"):
        out.append(adcode[:4] + "00")
    if not adcode.endswith("0000"):
        out.append(adcode[:2] + "0000")
    return list(dict.fromkeys(out))


def held(reports: list[dict], failed_paths: list[tuple[str, int | None]]) -> Held:
    """``reports``: dicts with adcode, year, kind (of their agency); ``failed_paths``: (path, year
    the name says, if any) of files that could not be read."""
    totals, own, government, failed = Counter(), Counter(), set(), Counter()
    for r in reports:
        code = (r.get("adcode") or "")[:6]
        if not code:
            continue
        own[(code, r["year"])] += 1
        if r.get("kind") == "人民政府":
            government.add((code, r["year"]))
        for above in _ancestors(code):
            totals[(above, r["year"])] += 1
    for path, year in failed_paths:
        place, _, _ = region.resolve(PurePosixPath(path).stem, "", evidence=path)
        if place.adcode:
            for above in _ancestors(place.adcode[:6]):
                failed[(above, year)] += 1
    return Held(totals, own, government, failed)


def rows(years: list[int], what: Held) -> list[dict]:
    """One row per division (province, city, county) and year."""
    divisions = region.divisions()
    out = []
    for code, division in sorted(divisions.items()):
        name, rank = division.name, division.rank
        if name in region.PLACEHOLDERS:  # 市辖区, 县: a group of divisions, not a place
            continue
        province = divisions[code[:2] + "0000"].name if code[:2] + "0000" in divisions else None
        city = None if rank == 0 else (divisions[code[:4] + "00"].name if code[:4] + "00" in divisions else None)
        if province in MUNICIPALITIES and rank > 0:
            city = province
        for year in years:
            own = what.own[(code, year)]
            failed = what.failed[(code, year)] + what.failed[(code, None)]
            out.append({
                "id": f"{code}-{year}", "adcode": code, "name": name, "level": LEVELS.get(rank, str(rank)),
                "province": province, "city": city, "county": name if rank == 2 else None, "year": year,
                "longitude": division.longitude, "latitude": division.latitude,
                "reports": what.reports[(code, year)], "own_reports": own,
                "government_report": int((code, year) in what.government), "failed_files": failed,
                "status": "reports" if own else ("failed only" if failed else "none"),
            })
    return out
