"""Regions from the evidence of a file (ogi/region.py), with the exact place, status and reason.
Written for mutants of scripts/mutation.py."""

from __future__ import annotations

from ogi import region as R
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


def _resolved(agency: str, **kw):
    region, printed, warnings = resolve(agency, **kw)
    return (printed, region.status, region.province, region.city, region.county, region.level, region.why, [w.message for w in warnings])


def test_a_zone_is_placed_by_the_title_an_address_or_the_file_name():
    zone = "高新区 is a zone, not a division; "
    assert _resolved("高新区管委会", title="淮北市高新区管委会2023年报告") == (
        "高新区管委会", "settled", "安徽省", "淮北市", None, "zone", zone + "the title names 淮北市", ["region: " + zone + "the title names 淮北市"],
    )
    assert _resolved("高新区管委会", text="地址：淮北市相山区人民路1号")[1:7] == (
        "settled", "安徽省", "淮北市", "相山区", "zone", zone + "an address in the text names 淮北市相山区",
    )
    assert _resolved("高新区管委会", evidence="淮北市高新区2023年报.pdf")[1:7] == (
        "settled", "安徽省", "淮北市", None, "zone", zone + "the file name names 淮北市",
    )


def test_a_zone_word_far_into_a_name_makes_no_zone():
    why = "the agency name names no division; nothing in the title, text, file name or hint names one"
    assert _resolved("甲乙丙丁戊己庚辛壬癸子丑寅开发区管理委员会") == (
        "甲乙丙丁戊己庚辛壬癸子丑寅开发区管理委员会", "not_found", None, None, None, None, why, ["region: " + why],
    )


def test_an_open_place_is_reported_in_the_warnings():
    why = "the agency name names no division; the text most often names 淮北市杜集区、淮北市相山区 (2× each); nothing says which"
    assert _resolved("某某局", text="相山区相山区杜集区杜集区")[-1] == ["region: " + why]


def test_a_misread_place_is_respelled_once_where_it_leads_the_name():
    assert _resolved("沐阳县人民政府沐阳县办公室", evidence="沭阳县人民政府2025年报告.txt")[:5] == (
        "沭阳县人民政府沐阳县办公室", "settled", "江苏省", "宿迁市", "沭阳县",
    )


def test_a_nationality_is_not_stripped_when_nothing_would_be_left():
    from ogi.region import short_name

    assert short_name("延边朝鲜族自治州") == "延边"
    assert short_name("朝鲜族自治州") == "朝鲜族"


def test_a_number_whose_area_code_names_only_the_country_names_no_place():
    # 0400 is a valid national number, but libphonenumber places it only in 中国: no evidence
    assert R.phone_places("咨询电话：0400-3273136") == []
    assert R.phone_places("咨询电话：0400-3273136；0434-3273136") == ["吉林省四平市"]


def test_the_first_evidence_with_several_places_is_narrowed_by_the_next_not_only_the_last():
    # the title names 铁西区 (three places); the text's area code, not the last evidence, says which
    region, _, _ = R.resolve("教育局", text="联系电话：0434-3273136", title="铁西区教育局2021年政府信息公开工作年度报告")
    assert (region.adcode, region.status) == ("220302", "settled")
    assert region.why == "the agency name names no division; the title names 铁西区; a telephone area code in the text names 四平市铁西区"
