"""Label alignment (ogi/align.py) on the smallest inputs that tell its rules apart, with the
exact keys and similarities it gives. Written for mutants of scripts/mutation.py."""

from __future__ import annotations

from ogi.align import _scores, align, best_matches, fill_gaps, template_variants

XY = [("x", ("行政许可",)), ("y", ("行政处罚",))]


def test_template_variants_are_distinct_and_never_empty():
    assert template_variants(("规章",)) == ("规章",)
    assert template_variants(("规章", "规 章")) == ("规章",)
    assert template_variants(("（ ）",)) == ()
    assert template_variants(("不予公开（区分处理的，只计这一情形）",)) == ("不予公开区分处理的只计这一情形", "不予公开")


def test_a_label_at_the_floor_counts_and_one_without_numbers_needs_more():
    # 甲乙丙子丑寅 against 甲乙丙丁: 3 of 10 characters in common, similarity exactly 0.6
    template = [("k", ("甲乙丙丁",))]
    assert _scores([("甲乙丙子丑寅", True)], template) == [[0.6]]
    assert _scores([("甲乙丙子丑寅", False)], template) == [[0.0]]  # blank cells: 0.8 needed
    assert _scores([("甲乙丙丁", False)], template) == [[1.0]]


def test_the_alignment_takes_the_better_of_two_rows_that_cannot_both_match_in_order():
    # 行政处 (0.86 for y) before 行政许可 (1.0 for x): x comes before y, so only one can match.
    assert align([("行政处", True), ("行政许可", True)], XY) == [(None, 0.0), ("x", 1.0)]
    # 行政处罚 (1.0 for y) before 行政许 (0.86 for x)
    assert align([("行政处罚", True), ("行政许", True)], XY) == [("y", 1.0), (None, 0.0)]


def test_the_alignment_reports_each_matched_row_with_its_own_similarity():
    assert align([("行政许", True), ("行政处罚", True), ("其他", True)], XY) == [("x", 6 / 7), ("y", 1.0), (None, 0.0)]


def test_best_matches_gives_a_key_to_its_best_row_whatever_the_order():
    # The later row names x better: it gets x, the earlier one nothing.
    assert best_matches([("行政许", True), ("行政许可", True)], [("x", ("行政许可",))]) == [None, "x"]
    # A row goes to its best key, not to the first one it matches.
    assert best_matches([("行政许可", True)], [("y", ("行政许",)), ("x", ("行政许可",))]) == ["x"]
    assert best_matches([("规章", True)], []) == [None]


KEYS = ["a", "b", "c", "d", "e"]


def test_gaps_between_anchors_are_filled_in_order_and_not_elsewhere():
    rows = [("1.甲", 7), ("", 7), ("", 7), ("4.丁", 7), ("其他", 7)]
    aligned = [("a", 1.0), (None, 0.0), (None, 0.0), ("d", 1.0), (None, 0.0)]
    assert fill_gaps(rows, aligned, KEYS, 7) == ["a", "b", "c", "d", None]


def test_a_row_one_cell_short_still_anchors_and_fills():
    rows = [("1.甲", 6), ("", 6), ("", 6), ("4.丁", 6), ("其他", 6)]
    aligned = [("a", 1.0), (None, 0.0), (None, 0.0), ("d", 1.0), (None, 0.0)]
    assert fill_gaps(rows, aligned, KEYS, 7) == ["a", "b", "c", "d", None]


def test_a_row_two_cells_short_neither_anchors_nor_fills():
    aligned = [("a", 1.0), (None, 0.0), (None, 0.0), ("d", 1.0)]
    assert fill_gaps([("a", 5), ("", 7), ("", 7), ("d", 7)], aligned, KEYS[:4], 7) == ["a", None, None, "d"]
    assert fill_gaps([("a", 7), ("", 5), ("", 7), ("d", 7)], aligned, KEYS[:4], 7) == ["a", None, None, "d"]


def test_gaps_before_the_first_anchor_start_at_the_first_key():
    rows = [("", 7), ("", 7), ("c", 7)]
    assert fill_gaps(rows, [(None, 0.0), (None, 0.0), ("c", 1.0)], KEYS[:4], 7) == ["a", "b", "c"]


def test_glued_labels_make_a_row_free_and_one_numbered_label_does_not():
    aligned = [("a", 1.0), (None, 0.0), (None, 0.0), ("d", 1.0)]
    assert fill_gaps([("a", 7), ("1.甲2.乙", 7), ("", 7), ("d", 7)], aligned, KEYS[:4], 7) == ["a", "b", "c", "d"]
    assert fill_gaps([("a", 7), ("2.乙", 7), ("", 7), ("d", 7)], aligned, KEYS[:4], 7) == ["a", None, None, "d"]


def test_a_short_row_between_anchors_loses_its_weak_key_when_order_decides():
    rows = [("a", 7), ("x", 3), ("", 7), ("", 7), ("d", 7)]
    aligned = [("a", 1.0), ("b", 0.7), (None, 0.0), (None, 0.0), ("d", 1.0)]
    assert fill_gaps(rows, aligned, KEYS[:4], 7) == ["a", None, "b", "c", "d"]
