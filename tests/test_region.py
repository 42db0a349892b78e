"""ogi/region.py: where an agency is, by evidence, in order; never a guess.

Exact values throughout (names, adcodes, coordinates from cpca's table, level, status, why),
so that a change of behaviour shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ogi import region as R
from ogi.model import Region
from ogi.region import resolve

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "real"
REAL_GOLD = ROOT.parent / "shared" / "gold" / "real"


def place(region: Region) -> tuple:
    return (region.province, region.city, region.county, region.adcode, region.longitude, region.latitude, region.level, region.status)


def messages(warnings) -> list[str]:
    return [w.message for w in warnings]


# --------------------------------------------------------------------------------------------
# The division table and its names
# --------------------------------------------------------------------------------------------


def test_the_division_table_is_cpcas_with_coordinates():
    table = R.divisions()
    assert len(table) == 3511
    assert table["340603"] == R.Division("340603", "相山区", 2, 116.794344, 33.959892)
    assert table["220300"] == R.Division("220300", "四平市", 1, 124.350398, 43.166419)
    assert table["370000"] == R.Division("370000", "山东省", 0, 117.019915, 36.671156)
    assert table["139001"] == R.Division("139001", "定州市", 2, None, None)  # printed without coordinates


@pytest.mark.parametrize(
    "name, short",
    [
        ("广西壮族自治区", "广西"),
        ("内蒙古自治区", "内蒙古"),
        ("香港特别行政区", "香港"),
        ("四平市", "四平"),
        ("北京市", "北京"),
        ("山东省", "山东"),
        ("延边朝鲜族自治州", "延边"),
        ("黔东南苗族侗族自治州", "黔东南"),
        ("巴音郭楞蒙古自治州", "巴音郭楞"),
        ("锡林郭勒盟", "锡林郭勒"),
        ("喀什地区", "喀什"),
        ("铁西区", "铁西区"),  # counties are named in full
        ("沙市", "沙市"),  # no short form of one character
        ("吉林省", "吉林"),
    ],
)
def test_short_names(name, short):
    assert R.short_name(name) == short


def test_names_leave_out_placeholders():
    names = R._names()
    assert "市辖区" not in names and "县" not in names and "省直辖县级行政区划" not in names
    assert names["吉林"] == {"220000", "220200"}
    assert names["铁西区"] == {"210106", "210303", "220302"}
    assert names["四平"] == names["四平市"] == {"220300"}


def test_mentions_prefer_the_longer_name():
    found = R.mentions("确保山东省和四平铁西区")
    assert [(m.start, m.end, m.name, m.codes) for m in found] == [
        (2, 5, "山东省", {"370000"}),
        (6, 8, "四平", {"220300"}),
        (8, 11, "铁西区", {"210106", "210303", "220302"}),
    ]
    assert [m.name for m in R.mentions("上海市浦东新区")] == ["上海市", "浦东新区"]
    assert R.mentions("") == [] and R.mentions("教育局") == []


def test_within_and_related():
    assert R.within("220302", "220300") and R.within("220302", "220000") and R.within("220302", "220302")
    assert not R.within("220302", "210000") and not R.within("220300", "220302") and not R.within("220302", "220200")
    assert R.within("220300", "220000") and not R.within("220000", "220300")
    assert R.related("220000", "220302") and R.related("220302", "220000") and not R.related("220302", "210106")


def test_a_chain_is_each_name_inside_the_one_before():
    assert R.chain("四平市铁西区教育局") == R.Chain(frozenset({"220302"}), ["四平市", "铁西区"], 6)
    assert R.chain("淮安市驻南京办事处") == R.Chain(frozenset({"320800"}), ["淮安市"], 3)  # 南京 is not in 淮安
    assert R.chain("吉林丰满区") == R.Chain(frozenset({"220211"}), ["吉林", "丰满区"], 5)
    assert R.chain("铁西区人民政府") == R.Chain(frozenset({"210106", "210303", "220302"}), ["铁西区"], 3)
    assert R.chain("吉林省吉林市") == R.Chain(frozenset({"220200"}), ["吉林省", "吉林市"], 6)
    assert R.chain("北京市北京市") == R.Chain(frozenset({"110000"}), ["北京市"], 3)  # not inside itself
    assert R.chain("教育局") is None


def test_region_of_a_division():
    assert R.region_of("340603") == Region("安徽省", "淮北市", "相山区", "340603", 116.794344, 33.959892)
    assert R.region_of("220300") == Region("吉林省", "四平市", None, "220300", 124.350398, 43.166419)
    assert R.region_of("370000") == Region("山东省", None, None, "370000", 117.019915, 36.671156)
    # municipalities: city repeats the province
    assert R.region_of("310000") == Region("上海市", "上海市", None, "310000", 121.473662, 31.230372)
    assert R.region_of("500103") == Region("重庆市", "重庆市", "渝中区", "500103", 106.568896, 29.552736)
    # county-level cities under the province: no city (省直辖县级行政区划 is no place)
    assert R.region_of("429004") == Region("湖北省", None, "仙桃市", "429004", 113.423583, 30.361438)
    assert R.region_of("139001") == Region("河北省", None, "定州市", "139001", None, None)


def test_what_several_divisions_share():
    assert R.common(frozenset({"210106", "210303"})) == "210000"
    assert R.common(frozenset({"210106", "220302"})) is None
    assert R.common(frozenset({"320106", "320104"})) == "320100"
    assert R.common(frozenset({"429004", "429005"})) == "420000"  # not the placeholder 429000
    assert R.common(frozenset({"320106"})) == "320100"


def test_labels():
    assert R._label("210106") == "沈阳市铁西区"
    assert R._label("370000") == "山东省"
    assert R._label("310115") == "上海市浦东新区"
    assert R._label("429004") == "湖北省仙桃市"
    assert R._label("220300") == "四平市"
    assert R._list({"220302", "210106"}) == "沈阳市铁西区、四平市铁西区"


def test_starts_with_place():
    assert R.starts_with_place("西安市雁塔区教育局")
    assert R.starts_with_place("廣東省生態環境廳")
    assert R.starts_with_place("四平")
    assert not R.starts_with_place("塔区教育局")
    assert not R.starts_with_place("教育局")
    # the longest names: a county of 15 characters, whose own 12-character prefix is no division
    assert R.starts_with_place("积石山保安族东乡族撒拉族自治县教育局")
    assert not R.starts_with_place("石山保安族东乡族撒拉族自治县教育局")


# --------------------------------------------------------------------------------------------
# Townships and zones
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rest, township",
    [
        ("钱集镇人民政府", "钱集镇"),
        ("高良涧街道办事处", "高良涧街道"),
        ("岔河镇", "岔河镇"),
        ("东坝乡政府", "东坝乡"),
        ("红旗街道党工委", "红旗街道"),
        ("巴彦苏木人民政府", "巴彦苏木"),
        ("住房和城乡建设局", None),
        ("城乡建设局", None),
        ("钱集镇财政所", None),
        ("人民政府", None),
    ],
)
def test_township_names(rest, township):
    assert R.township_of(rest) == township


@pytest.mark.parametrize(
    "name, start, zone",
    [
        ("苏州工业园区管理委员会", 2, "苏州工业园区"),
        ("淮安经济技术开发区管理委员会", 2, "淮安经济技术开发区"),
        ("南京高新技术产业开发区管理委员会", 2, "南京高新技术产业开发区"),
        ("雄安新区管理委员会", 0, "雄安新区"),
        ("上海市浦东新区人民政府", 7, None),  # 浦东新区 is a district
        ("淮安市城市管理局园区管理处", 3, None),  # an agency word comes first
        ("某某市一二三四五六七八九十一二三开发区", 3, None),  # too far from the divisions
        ("某某市一二三四五六七八九十一二开发区", 3, "某某市一二三四五六七八九十一二开发区"),
    ],
)
def test_zone_names(name, start, zone):
    assert R.zone_of(name, start) == zone


# --------------------------------------------------------------------------------------------
# Evidence read from the text
# --------------------------------------------------------------------------------------------


def test_addresses():
    assert R.addresses("地址：四平市铁西区海丰大街943号，邮编：136000") == ["四平市铁西区海丰大街943号"]
    assert R.addresses("办公地址: 淮安市洪泽区洪泽湖大道90号。通讯地址：南京市") == ["淮安市洪泽区洪泽湖大道90号", "南京市"]
    assert R.addresses("地址在哪里") == []


def test_telephone_area_codes_from_libphonenumber():
    text = "电话：0434-3273136；传真 024 22221234；手机13800138000；热线12345；编号 012345678901"
    assert R.phone_places(text) == ["吉林省四平市", "辽宁省沈阳市、铁岭市、抚顺市、本溪市"]
    assert R.phone_places("0517－86221234") == ["江苏省淮安市"]
    assert R.phone_places("010-6522123") == []  # too short to be a number
    assert R.phone_places("") == []


def test_site_names():
    assert R.site_names("主办单位：福州市鼓楼区人民政府办公室 ") == ["福州市鼓楼区人民政府办公室"]
    assert R.site_names("本单位主要通过海珠区政府网站发布") == ["本单位主要通过海珠区"]
    assert R.site_names("网站名称：四平市铁西区人民政府") == ["四平市铁西区人民政府"]


def test_what_administers_a_zone():
    assert R.administering("本区由淮安市人民政府管辖。") == ["淮安市"]
    assert R.administering("雄安新区位于河北省保定市") == ["河北省保定市"]
    assert R.administering("开发区是苏州市人民政府的派出机构") == ["开发区是苏州市"]
    assert R.administering("园区地处江宁区境内") == ["园区地处江宁区"]
    assert R.administering("新区受南京市领导") == ["南京市"]
    assert R.administering("开发区为淮安市直管") == ["开发区为淮安市"]
    assert R.administering("加强管理") == []


def test_narrowing_counts_only_what_tells_candidates_apart():
    tiexi = frozenset({"210106", "210303", "220302"})
    best, score = R._narrow(tiexi, R.Evidence("x", ["铁西区 辽宁省 沈阳"]))
    assert best == {"210106"} and dict(score) == {"210106": 2, "210303": 1}
    best, score = R._narrow(tiexi, R.Evidence("x", ["铁西区 铁西区"]))
    assert best == tiexi and not score
    best, score = R._narrow(tiexi, R.Evidence("x", ["辽宁省"]))
    assert best == {"210106", "210303"} and dict(score) == {"210106": 1, "210303": 1}


def test_found_where_a_name_names_nothing():
    assert R._found(R.Evidence("an address", ["四平市铁西区海丰大街", "四平市"])) == (frozenset({"220302"}), "四平市铁西区、四平市")
    assert R._found(R.Evidence("an address", ["沈阳市铁西区", "四平市铁西区"])) == (frozenset({"210106", "220302"}), "沈阳市铁西区、四平市铁西区")
    assert R._found(R.Evidence("an address", ["路"])) is None
    counted = R.Evidence("the text most often", ["相山区 相山区 杜集区 淮北市"], counted=True)
    assert R._found(counted) == (frozenset({"340603"}), "淮北市相山区 (2×)")
    counted = R.Evidence("the text most often", ["淮北市 淮北市 宿州市"], counted=True)
    assert R._found(counted) == (frozenset({"340600"}), "淮北市 (2×)")  # no county: the city
    counted = R.Evidence("the text most often", ["相山区 杜集区 铁西区"], counted=True)
    assert R._found(counted) == (frozenset({"340603", "340602"}), "淮北市杜集区、淮北市相山区 (1× each)")
    assert R._found(R.Evidence("the text most often", ["山东省"], counted=True)) is None


# --------------------------------------------------------------------------------------------
# resolve: the agency name first
# --------------------------------------------------------------------------------------------


def test_an_agency_name_that_settles_it():
    region, agency, warnings = resolve("相山区人力资源和社会保障局")
    assert place(region) == ("安徽省", "淮北市", "相山区", "340603", 116.794344, 33.959892, "county", "settled")
    assert (region.why, agency, warnings) == ("the agency name names 相山区", "相山区人力资源和社会保障局", [])


def test_a_city_in_the_name_settles_a_shared_county_name():
    text = "沈阳 沈阳 沈阳 地址：沈阳市铁西区 电话：024-22221234"  # the name wins over the text
    region, _, warnings = resolve("四平市铁西区人力资源和社会保障局", text)
    assert place(region) == ("吉林省", "四平市", "铁西区", "220302", 124.345722, 43.146155, "county", "settled")
    assert (region.why, warnings) == ("the agency name names 四平市、铁西区", [])


def test_a_county_level_city():
    region, _, _ = resolve("寿光市农业农村局")
    assert place(region) == ("山东省", "潍坊市", "寿光市", "370783", 118.790739, 36.85576, "county", "settled")
    region, _, _ = resolve("国家税务总局寿光市税务局")
    assert (region.adcode, region.why) == ("370783", "the agency name names 寿光市")


def test_a_provincial_department_has_no_city_whatever_the_text_says():
    region, _, warnings = resolve("山东省人力资源和社会保障厅", "地址：济南市历下区 济南 济南 0531-86912345")
    assert place(region) == ("山东省", None, None, "370000", 117.019915, 36.671156, "province", "settled")
    assert (region.why, warnings) == ("the agency name names 山东省", [])


def test_municipalities():
    region, _, _ = resolve("上海市科委")
    assert place(region) == ("上海市", "上海市", None, "310000", 121.473662, 31.230372, "province", "settled")
    region, _, _ = resolve("北京市朝阳区人民政府")
    assert place(region) == ("北京市", "北京市", "朝阳区", "110105", 116.443205, 39.921506, "county", "settled")


def test_a_city_agency():
    region, _, _ = resolve("淮安市人民政府")
    assert place(region) == ("江苏省", "淮安市", None, "320800", 119.113185, 33.551052, "city", "settled")


def test_traditional_characters():
    region, agency, _ = resolve("深圳市南山區住房和建設局")
    assert (region.adcode, region.county, region.why, agency) == ("440305", "南山区", "the agency name names 深圳市、南山区", "深圳市南山區住房和建設局")


def test_a_township_is_placed_at_its_county():
    region, _, warnings = resolve("沭阳县钱集镇人民政府")
    assert place(region) == ("江苏省", "宿迁市", "沭阳县", "321322", 118.804784, 34.111022, "township", "settled")
    assert (region.why, warnings) == ("钱集镇 is a township; placed at what the agency name names before it (沭阳县)", [])
    region, _, _ = resolve("淮安市洪泽区高良涧街道办事处")
    assert (region.county, region.level, region.status) == ("洪泽区", "township", "settled")


def test_a_township_named_alone_is_placed_by_the_county_the_text_names_most():
    region, _, warnings = resolve("钱集镇人民政府", "沭阳县 沭阳县 钱集镇 宿迁市 泗阳县")
    assert place(region) == ("江苏省", "宿迁市", "沭阳县", "321322", 118.804784, 34.111022, "township", "settled")
    assert region.why == "钱集镇 is a township; the text most often names 宿迁市沭阳县 (2×)"
    assert messages(warnings) == ["region: 钱集镇 is a township; the text most often names 宿迁市沭阳县 (2×)"]
    region, _, _ = resolve("钱集镇人民政府", "沭阳县 泗阳县")  # a tie stays open
    assert place(region) == ("江苏省", "宿迁市", None, "321300", 118.275198, 33.963232, "township", "ambiguous")
    assert region.why == "钱集镇 is a township; the text most often names 宿迁市沭阳县、宿迁市泗阳县 (1× each); nothing says which"
    region, _, _ = resolve("钱集镇人民政府", "沭阳县 泗阳县", evidence="沭阳县钱集镇.pdf")  # the file name breaks it
    assert (region.adcode, region.status) == ("321322", "settled")
    assert region.why == "钱集镇 is a township; the text most often names 宿迁市沭阳县、宿迁市泗阳县 (1× each); the file name names 宿迁市沭阳县"


# --------------------------------------------------------------------------------------------
# Names several divisions share: title, text, file name, hint, in that order
# --------------------------------------------------------------------------------------------

TIEXI = "the agency name names 铁西区, which is in 3 places (沈阳市铁西区、鞍山市铁西区、四平市铁西区)"
GULOU = "the agency name names 鼓楼区, which is in 4 places (南京市鼓楼区、徐州市鼓楼区、福州市鼓楼区、开封市鼓楼区)"


def test_a_shared_name_alone_stays_open():
    region, _, warnings = resolve("铁西区人民政府", "")
    assert place(region) == (None, None, "铁西区", None, None, None, "county", "ambiguous")
    assert region.why == TIEXI + "; nothing in the title, text, file name or hint says which"
    assert messages(warnings) == ["region: " + region.why]
    region, _, _ = resolve("鼓楼区人民政府")
    assert place(region) == (None, None, "鼓楼区", None, None, None, "county", "ambiguous")


def test_the_title_comes_before_the_text():
    text = "地址：四平市铁西区海丰大街943号，电话：024-22221234"
    region, agency, warnings = resolve("铁西区人力资源和社会保障局", text, title="鞍山市铁西区人力资源和社会保障局2020年政府信息公开工作年度报告")
    assert place(region) == ("辽宁省", "鞍山市", "铁西区", "210303", 122.969629, 41.119884, "county", "settled")
    assert region.why == TIEXI + "; the title names 鞍山市铁西区 (1×)"
    assert messages(warnings) == ["region: " + region.why] and agency == "铁西区人力资源和社会保障局"


def test_an_address_comes_before_an_area_code():
    region, _, _ = resolve("铁西区人力资源和社会保障局", "地址：四平市铁西区海丰大街943号，电话：024-22221234")
    assert place(region) == ("吉林省", "四平市", "铁西区", "220302", 124.345722, 43.146155, "county", "settled")
    assert region.why == TIEXI + "; an address in the text names 四平市铁西区 (1×)"


def test_an_area_code():
    region, _, _ = resolve("铁西区人力资源和社会保障局", "咨询电话：024-22221234")
    assert place(region) == ("辽宁省", "沈阳市", "铁西区", "210106", 123.333968, 41.820807, "county", "settled")
    assert region.why == TIEXI + "; a telephone area code in the text names 沈阳市铁西区 (2×)"


def test_an_area_code_comes_before_the_sites_name_which_comes_before_mentions():
    text = "主办单位：鞍山市铁西区人民政府 电话：0434-3273136 沈阳 沈阳 沈阳"
    region, _, _ = resolve("铁西区人民政府", text)
    assert (region.city, region.why) == ("四平市", TIEXI + "; a telephone area code in the text names 四平市铁西区 (2×)")
    region, _, _ = resolve("铁西区人民政府", "主办单位：鞍山市铁西区人民政府 沈阳 沈阳 沈阳")
    assert (region.city, region.why) == ("鞍山市", TIEXI + "; the site's name in the text names 鞍山市铁西区 (1×)")


def test_the_sites_name():
    region, _, _ = resolve("鼓楼区人民政府", "主办单位：福州市鼓楼区人民政府办公室")
    assert place(region) == ("福建省", "福州市", "鼓楼区", "350102", 119.303917, 26.081983, "county", "settled")
    assert region.why == GULOU + "; the site's name in the text names 福州市鼓楼区 (1×)"


def test_the_city_the_text_names_most():
    region, _, _ = resolve("铁西区人民政府", "沈阳市铁西区……沈阳")
    assert (region.city, region.adcode, region.status) == ("沈阳市", "210106", "settled")
    assert region.why == TIEXI + "; the text most often names 沈阳市铁西区 (2×)"
    region, _, _ = resolve("鼓楼区人民政府", "江苏省 徐州 徐州 南京")
    assert (region.city, region.why) == ("徐州市", GULOU + "; the text most often names 徐州市鼓楼区 (3×)")


def test_a_tie_stays_open_with_what_the_candidates_share():
    region, _, warnings = resolve("鼓楼区人民政府", "徐州 南京")
    assert place(region) == ("江苏省", None, "鼓楼区", "320000", 118.762765, 32.060875, "county", "ambiguous")
    assert region.why == "the agency name names 鼓楼区, which is in 2 places (南京市鼓楼区、徐州市鼓楼区); nothing in the title, text, file name or hint says which"
    region, _, _ = resolve("铁西区人力资源和社会保障局", "辽宁省")
    assert place(region) == ("辽宁省", None, "铁西区", "210000", 123.431382, 41.836175, "county", "ambiguous")


def test_the_file_name_then_the_hint():
    region, _, _ = resolve("鼓楼区人民政府", "", evidence="南京市鼓楼区2021.pdf", hint="开封市")
    assert (region.adcode, region.why) == ("320106", GULOU + "; the file name names 南京市鼓楼区 (1×)")
    region, _, _ = resolve("鼓楼区人民政府", "", evidence="report.pdf", hint="开封市")
    assert place(region) == ("河南省", "开封市", "鼓楼区", "410204", 114.348306, 34.78856, "county", "settled")
    assert region.why == GULOU + "; the hint names 开封市鼓楼区 (1×)"


def test_a_short_name_shared_by_a_province_and_a_city():
    region, _, _ = resolve("吉林人社厅")
    assert place(region) == ("吉林省", None, None, "220000", 125.32568, 43.897016, None, "ambiguous")
    assert region.why == "the agency name names 吉林, which is in 2 places (吉林省、吉林市); nothing in the title, text, file name or hint says which"


# --------------------------------------------------------------------------------------------
# Zones that are not divisions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "agency, expected, why",
    [
        ("苏州工业园区管理委员会", ("江苏省", "苏州市", None, "320500", 120.585728, 31.2974, "zone", "settled"),
         "苏州工业园区 is a zone, not a division; placed at what its name names (苏州)"),
        ("淮安经济技术开发区管理委员会", ("江苏省", "淮安市", None, "320800", 119.113185, 33.551052, "zone", "settled"),
         "淮安经济技术开发区 is a zone, not a division; placed at what its name names (淮安)"),
        ("南京高新技术产业开发区管理委员会", ("江苏省", "南京市", None, "320100", 118.796682, 32.05957, "zone", "settled"),
         "南京高新技术产业开发区 is a zone, not a division; placed at what its name names (南京)"),
        ("河北雄安新区管理委员会", ("河北省", None, None, "130000", 114.530235, 38.037433, "zone", "settled"),
         "河北雄安新区 is a zone, not a division; placed at what its name names (河北)"),
        # a real district, though its name says 新区
        ("上海市浦东新区人民政府", ("上海市", "上海市", "浦东新区", "310115", 121.544379, 31.221517, "county", "settled"),
         "the agency name names 上海市、浦东新区"),
    ],
)
def test_zones_named_with_their_division(agency, expected, why):
    region, _, warnings = resolve(agency)
    assert (place(region), region.why, warnings) == (expected, why, [])


def test_a_zone_placed_by_what_the_text_says_administers_it():
    region, _, warnings = resolve("雄安新区管理委员会", "雄安新区由河北省管理。容城县 容城县 雄县")
    assert place(region) == ("河北省", None, None, "130000", 114.530235, 38.037433, "zone", "settled")
    assert region.why == "雄安新区 is a zone, not a division; the text, on what administers or contains it, names 河北省"
    assert messages(warnings) == ["region: " + region.why]
    region, _, _ = resolve("经济技术开发区管理委员会", "本区由淮安市人民政府管辖。淮安市 清江浦区 清江浦区")
    assert (region.adcode, region.level, region.status) == ("320800", "zone", "settled")


def test_a_zone_is_never_placed_by_the_county_the_text_names_most():
    region, _, warnings = resolve("雄安新区管理委员会", "容城县 容城县 雄县")
    assert place(region) == (None, None, None, None, None, None, "zone", "not_found")
    assert region.why == "雄安新区 is a zone, not a division; nothing in the title, text, file name or hint names one"
    assert messages(warnings) == ["region: " + region.why]


# --------------------------------------------------------------------------------------------
# Names that name no division
# --------------------------------------------------------------------------------------------


def test_nothing_names_a_division():
    region, agency, warnings = resolve("住房和城乡建设局")
    assert place(region) == (None, None, None, None, None, None, None, "not_found")
    assert region.why == "the agency name names no division; nothing in the title, text, file name or hint names one"
    assert (agency, messages(warnings)) == ("住房和城乡建设局", ["region: " + region.why])


def test_the_text_places_an_agency_whose_name_names_nothing():
    region, _, warnings = resolve("人力资源和社会保障局", "相山区 相山区 杜集区")
    assert place(region) == ("安徽省", "淮北市", "相山区", "340603", 116.794344, 33.959892, "county", "settled")
    assert region.why == "the agency name names no division; the text most often names 淮北市相山区 (2×)"
    region, _, _ = resolve("人力资源和社会保障局", "地址：沈阳市铁西区兴华街", title="2020年政府信息公开工作年度报告")
    assert (region.adcode, region.why) == ("210106", "the agency name names no division; an address in the text names 沈阳市铁西区")


def test_several_addresses_are_narrowed_by_later_evidence():
    text = "地址：沈阳市铁西区；地址：四平市铁西区"
    region, _, _ = resolve("人力资源和社会保障局", text, evidence="四平.txt")
    assert (region.adcode, region.status) == ("220302", "settled")
    assert region.why == ("the agency name names no division; an address in the text names 沈阳市铁西区、四平市铁西区; "
                          "the file name names 四平市铁西区")
    region, _, _ = resolve("人力资源和社会保障局", text)
    assert place(region) == (None, None, "铁西区", None, None, None, "county", "ambiguous")


def test_a_misread_place_name_is_respelled_only_with_evidence():
    region, agency, warnings = resolve("沐阳县人民政府", "", evidence="沭阳县人民政府2025年报告.txt")
    assert place(region) == ("江苏省", "宿迁市", "沭阳县", "321322", 118.804784, 34.111022, "county", "settled")
    assert agency == "沭阳县人民政府"
    assert region.why == "the agency name prints 沐阳县, which is no division, and the file name or text spells it 沭阳县; the agency name names 沭阳县"
    assert messages(warnings) == ["agency: 沐阳县 is not an administrative division; read as 沭阳县, which differs by one character and is spelled so in the file name or text"]
    region, agency, _ = resolve("沐阳县人民政府", "", evidence="report.txt")
    assert (agency, region.province, region.status) == ("沐阳县人民政府", None, "not_found")
    assert R._respelled("沭阳县人民政府", "沭阳县") is None  # a real division
    assert R._respelled("人民政府", "沭阳县") is None


# --------------------------------------------------------------------------------------------
# Every seed and every real report
# --------------------------------------------------------------------------------------------

SEEDS = {
    "000_070e4010cc8b607e.txt": ("安徽省", "淮北市", "相山区", "340603", 116.794344, 33.959892, "county", "settled"),
    "001_95df3186215ccd32.txt": ("安徽省", "淮北市", "相山区", "340603", 116.794344, 33.959892, "county", "settled"),
    "002_c794ba25e5b72fb2.txt": ("吉林省", "四平市", "铁西区", "220302", 124.345722, 43.146155, "county", "settled"),
    "003_358dec47750a91e3.txt": ("广东省", "广州市", "海珠区", "440105", 113.317443, 23.083788, "county", "settled"),
    "004_445335a71f9baff7.txt": ("山东省", None, None, "370000", 117.019915, 36.671156, "province", "settled"),
}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_regions(name):
    from ogi.parse import as_json, parse_file

    report = parse_file(ROOT / "ogi" / "samples" / name)
    assert place(report.region) == SEEDS[name]
    gold = json.loads((ROOT / "tests" / "gold" / name.replace(".txt", ".json")).read_text(encoding="utf-8"))
    assert as_json(report)["region"] == gold["region"]
    assert as_json(report)["region_detail"]["status"] == "settled"


REAL_REPORTS = {
    "hzq2023_working.pdf": ("江苏省", "淮安市", "洪泽区", "320813", "county", "the agency name names 洪泽区"),
    "kewei-2024-source.md": ("上海市", "上海市", None, "310000", "province", "the agency name names 上海市"),
    "shanghai-office-sample-source.md": ("上海市", "上海市", None, "310000", "province", "the agency name names 上海市"),
    "shanghai-shfb-2019_tables_extract.html": ("上海市", "上海市", None, "310000", "province", "the agency name names 上海市"),
    "沭阳县人民政府2025年政府信息公开工作年度报告-沭阳县人民政府.txt": (
        "江苏省", "宿迁市", "沭阳县", "321322", "county",
        "the agency name prints 沐阳县, which is no division, and the file name or text spells it 沭阳县; the agency name names 沭阳县"),
}


@pytest.mark.skipif(not REAL.is_dir(), reason="the real corpus is not here")
@pytest.mark.parametrize("name", sorted(REAL_REPORTS))
def test_real_report_regions(name):
    from ogi import locate, read

    path = REAL / name
    if not path.is_file():
        pytest.skip(f"{name} is not here")
    document = read.read(path)
    parts = locate.locate(document)
    text = "\n".join(r.text for r in document.rows)
    region, _, _ = resolve(parts.agency, text, evidence=name, title=parts.title)
    assert (region.province, region.city, region.county, region.adcode, region.level, region.why) == REAL_REPORTS[name]
    gold = json.loads((REAL_GOLD / (path.stem + ".json")).read_text(encoding="utf-8"))
    assert {"province": region.province, "city": region.city, "county": region.county} == gold["region"]
