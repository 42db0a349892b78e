"""Regions from the evidence of a file (ogi/region.py), with the exact place, status and reason.
Written for mutants of scripts/mutation.py."""

from __future__ import annotations

from ogi.region import resolve


def _place(agency: str, text: str = "", **kw):
    region, _, _ = resolve(agency, text, **kw)
    return (region.status, region.province, region.city, region.county, region.level, region.why)


def test_a_tie_between_the_two_places_the_text_names_most_stays_open_whatever_else_it_names():
    assert _place("某某局", "本局相山区相山区杜集区杜集区烈山区") == (
        "ambiguous", "安徽省", "淮北市", None, "county",
        "the agency name names no division; the text most often names 淮北市杜集区、淮北市相山区 (2× each); nothing says which",
    )


def test_the_place_the_text_names_most_settles_it():
    assert _place("某某局", "本局相山区相山区杜集区") == (
        "settled", "安徽省", "淮北市", "相山区", "county",
        "the agency name names no division; the text most often names 淮北市相山区 (2×)",
    )


def test_the_city_named_in_the_agency_settles_its_county():
    assert _place("四平市铁西区人民政府") == ("settled", "吉林省", "四平市", "铁西区", "county", "the agency name names 四平市、铁西区")
    assert _place("吉林省四平市铁西区教育局") == ("settled", "吉林省", "四平市", "铁西区", "county", "the agency name names 吉林省、四平市、铁西区")
    assert _place("铁西区人民政府") == (
        "ambiguous", None, None, "铁西区", "county",
        "the agency name names 铁西区, which is in 3 places (沈阳市铁西区、鞍山市铁西区、四平市铁西区); "
        "nothing in the title, text, file name or hint says which",
    )


def test_a_name_outside_the_one_before_ends_the_chain():
    assert _place("淮安市驻南京办事处") == ("settled", "江苏省", "淮安市", None, "city", "the agency name names 淮安市")
