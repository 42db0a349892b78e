"""Text normalization (ogi/text.py) with exact values: label keys, numbers as printed, units,
not-applicable marks. Written for mutants of scripts/mutation.py."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from ogi.text import (
    PrintedNumber,
    compact,
    is_not_applicable,
    is_unit,
    label_key,
    nfkc,
    parse_number,
    plain,
    printed_in_traditional,
    simplified,
)


def test_nfkc_makes_widths_one_and_drops_converter_markup():
    assert nfkc("１２３（一）Ａ") == "123(一)A"
    assert nfkc("[bookmark: _Toc1]规章") == "规章"
    assert nfkc("[IMAGE 3]规章[Footnote 2]") == "规章"
    assert nfkc("规\u200b章") == "规章"


def test_simplified_one_for_one():
    assert simplified("報告公開") == "报告公开"
    assert printed_in_traditional("政府信息公開") is True
    assert printed_in_traditional("政府信息公开") is False


@pytest.mark.parametrize(
    "label, key",
    [
        ("（一）予以公开", "一予以公开"),
        ("1. 属于国家秘密", "1属于国家秘密"),
        ("報 告／ 公開", "报告公开"),
        ("本年新增政府信息公开申请数量", "本年新收政府信息公开申请数量"),
        ("未经复议直接诉讼", "未经复议直接起诉"),
        ("“其他”—处理", "其他处理"),
    ],
)
def test_label_key(label, key):
    assert label_key(label) == key


def test_compact_drops_whitespace_only():
    assert compact(" 西安市 雁塔区\n教育局（Ａ） ") == "西安市雁塔区教育局(A)"


@pytest.mark.parametrize(
    "text, number",
    [
        ("7.88万元", PrintedNumber(D("7.88"), "万元", None)),
        ("7.88 万", PrintedNumber(D("7.88"), "万", None)),
        ("22（其中修订16件）", PrintedNumber(D(22), None, "(其中修订16件)")),
        ("5 件 (新)", PrintedNumber(D(5), "件", "(新)")),
        ("-5", PrintedNumber(D(-5))),
        ("- 5", PrintedNumber(D(-5))),
        ("－5", PrintedNumber(D(-5))),
        ("+5", PrintedNumber(D(5))),
        ("1,234", PrintedNumber(D(1234))),
        ("12,345,678.5", PrintedNumber(D("12345678.5"))),
        (" １２ ", PrintedNumber(D(12))),
        ("0", PrintedNumber(D(0))),
        ("0.50", PrintedNumber(D("0.50"))),
    ],
)
def test_numbers_as_printed(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["", "规章", "12,34", "1.2.3", "5 件件", "第5", "5a", ".5", "1,2345", "(5)"])
def test_not_numbers(text):
    assert parse_number(text) is None


def test_units_alone():
    assert [is_unit(t) for t in ("万元", " 件 ", "次", "万元x", "5件", "")] == [True, True, True, False, False, False]


def test_not_applicable_marks():
    assert [is_not_applicable(t) for t in ("/", " ／ ", "—", "——", "-", "--", "－", "─", "0", "", "无")] == [
        True, True, True, True, True, True, True, True, False, False, False,
    ]


def test_plain_numbers():
    assert plain(D("78800.00")) == 78800 and type(plain(D("78800.00"))) is int
    assert plain(D("7.5")) == 7.5 and type(plain(D("7.5"))) is float
    assert plain(D("-3")) == -3 and type(plain(D("-3"))) is int
