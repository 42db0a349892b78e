"""Place an agency in China's administrative divisions: province / city / county.

In: the agency name as printed (and the report's text, to settle ambiguous names).
Out: a ``Region`` with full official names and the adcode, plus warnings.

The division table is cpca's (it ships the national adcode list), not a hand-written one.
A county name used in several cities (铁西区: 沈阳, 鞍山, 四平) is settled by the city named
in the agency, else by the city the report mentions most, else left open with a warning.
"""

from __future__ import annotations

import re
import warnings as _warnings
from collections import Counter
from functools import cache

from .model import Region, Warning
from .text import simplified

MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")


@cache
def _cpca():
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")  # cpca imports the deprecated pkg_resources
        import cpca
    return cpca


@cache
def _divisions() -> dict[str, tuple[str, int]]:
    """6-digit adcode -> (name, rank 0 province / 1 city / 2 county)."""
    return {code[:6]: (info.name, info.rank) for code, info in _cpca().ad_2_addr_dict.items()}


@cache
def _counties_named() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for code, (name, rank) in _divisions().items():
        if rank == 2:
            out.setdefault(name, []).append(code)
    return out


def _short(name: str) -> str:
    """四平市 -> 四平 (how reports often name a city)."""
    for suffix in ("自治州", "地区", "盟", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


# How names of provinces and cities are shortened at the start of an agency name (广东省 -> 广东).
_SHORT_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "自治州", "地区", "省", "市", "盟")


@cache
def _place_names() -> frozenset[str]:
    """Every division's full name, and the short form of provinces and cities."""
    names = set()
    for name, rank in _divisions().values():
        names.add(name)
        if rank < 2:
            for suffix in _SHORT_SUFFIXES:
                if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                    names.add(name[: -len(suffix)])
                    break
    return frozenset(names)


def starts_with_place(name: str) -> bool:
    """True when the name begins with the name of a division (西安市雁塔区教育局, 广东省…厅),
    in Simplified or Traditional characters; 塔区教育局 (a title cut mid-name) does not."""
    name = simplified(name)
    return any(name[:n] in _place_names() for n in range(2, min(len(name), 12) + 1))


def _region_of(adcode: str) -> Region:
    names = _divisions()
    province = names.get(adcode[:2] + "0000", (None, 0))[0]
    city = names.get(adcode[:4] + "00", (None, 0))[0] if not adcode.endswith("0000") else None
    county = names.get(adcode, (None, 0))[0] if not adcode.endswith("00") else None
    if province in MUNICIPALITIES:
        city = province
    return Region(province, city, county, adcode)


def _literal(region: Region, agency: str) -> bool:
    """cpca also matches loosely (重庆市 for 沐阳县); keep only a place the name really contains."""
    deepest = region.county or (None if region.province in MUNICIPALITIES else region.city) or region.province
    return bool(deepest) and (deepest in agency or _short(deepest) in agency)


_PLACE_PREFIX = re.compile(r"^(.{1,8}?(?:自治州|自治县|自治区|地区|省|市|县|区|旗|盟))")


def _respelled(agency: str, evidence: str) -> tuple[str, str] | None:
    """(printed place, real place) when the agency's leading place name is not a division but
    exactly one division differs from it by one character and the evidence spells it so."""
    m = _PLACE_PREFIX.match(agency)
    if not m:
        return None
    printed = m.group(1)
    names = {name for name, _ in _divisions().values()}
    if printed in names:
        return None
    close = {
        name for name in names
        if len(name) == len(printed) and sum(a != b for a, b in zip(name, printed)) == 1 and name in evidence
    }
    return (printed, close.pop()) if len(close) == 1 else None


def _locate(agency: str) -> Region | None:
    frame = _cpca().transform([agency])
    adcode = frame["adcode"][0]
    if not isinstance(adcode, str) or not adcode:
        return None
    region = _region_of(adcode[:6])
    return region if _literal(region, agency) else None


def resolve(agency: str, text: str = "", evidence: str = "") -> tuple[Region, str, list[Warning]]:
    """(region, agency, warnings). ``evidence`` (the file name, say) may show the right spelling
    of a place name misread in the title (沐阳县 for 沭阳县); the agency is then respelled."""
    printed, agency = agency, simplified(agency)  # 南山區 is 南山区 in the division table
    region = _locate(agency)
    if region is None:
        respelled = _respelled(agency, evidence + "\n" + text)
        if respelled is None:
            return Region(), printed, [Warning(f"region: no province, city or county found in agency name {printed!r}")]
        printed, real = respelled
        agency = agency.replace(printed, real, 1)
        region = _locate(agency) or Region()
        warning = Warning(f"agency: {printed} is not an administrative division; read as {real}, which differs by one character and is spelled so in the file name or text")
        return region, agency, [warning] + _settle(region, agency, text)[1]
    region, warnings = _settle(region, agency, text)
    return region, printed, warnings


def _settle(region: Region, agency: str, text: str) -> tuple[Region, list[Warning]]:
    """Settle a county name that several cities use."""
    if region.county is None or region.province in MUNICIPALITIES:
        return region, []
    candidates = _counties_named().get(region.county, [])
    if len(candidates) < 2:
        return region, []
    cities = {code: _region_of(code).city or "" for code in candidates}
    named = [code for code, city in cities.items() if city and _short(city) in agency]
    if len(named) == 1:
        return _region_of(named[0]), []
    mentions = Counter({code: text.count(_short(city)) for code, city in cities.items() if city})
    ranked = mentions.most_common()
    if ranked and ranked[0][1] > 0 and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
        chosen = _region_of(ranked[0][0])
        return chosen, [Warning(f"region: {region.county} exists in {len(candidates)} cities; the report mentions {chosen.city} most")]
    options = "、".join(sorted(c for c in cities.values() if c))
    return Region(county=region.county), [Warning(f"region: {region.county} exists in {options}; the report does not say which")]
