"""Mapping the tables to keyed values (ogi/mapping.py) where the identities decide, with exact
values. Written for mutants of scripts/mutation.py."""

from __future__ import annotations

from decimal import Decimal

from ogi.mapping import Mapped, map_requests
from ogi.model import Section
from ogi.read.plaintext import rows_from_text

TABLE_3 = """一、本年新收政府信息公开申请数量\t5\t0\t0\t0\t0\t0\t5
二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0
（一）予以公开\t3\t0\t0\t0\t0\t0\t3
（二）部分公开\t2\t0\t0\t0\t0\t0\t2
1
（七）总计\t5\t0\t0\t0\t0\t0\t5
四、结转下年度继续办理\t1\t0\t0\t0\t0\t0\t"""


def _map(text: str) -> Mapped:
    out = Mapped()
    map_requests(Section("requests", "三、收到和处理政府信息公开申请情况", rows_from_text(text)), out)
    return out


def test_a_stray_value_is_not_placed_where_the_identities_only_stay_as_they_were():
    # Placed in the blank 总计 of 结转下年度 it would make that row add up but break the balance
    # of the 总计 column: one identity fixed, one broken. It stays out.
    out = _map(TABLE_3)
    forward = {v.col_key: v for v in out.values if v.row_key == "carried_forward"}
    assert (forward["total"].value, forward["total"].raw, forward["total"].note) == (Decimal(0), "", None)
    assert [w.message for w in out.warnings if "not placed" in w.message] == [
        "requests: value '1' printed outside any row; not placed (no blank cell where it makes the identities hold)"
    ]
