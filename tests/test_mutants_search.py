"""The search tokenizer with exact values: what the index stores (ogi/views.py:char_tokens and
its token characters), what a query becomes (ogi/site/plugins/ogi_site.py:escape_fts) and the passage
shown for a hit (snippet). Written for mutants of scripts/mutation.py; no server, no browser.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
import sqlite_utils

from ogi import views

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
site = importlib.import_module("ogi.site.plugins.ogi_site")  # the plugin as a module of this tree


# --- what the index stores -------------------------------------------------------------------


def test_every_character_is_a_token_and_whitespace_is_dropped():
    assert views.char_tokens("复议 诉讼\n案件") == "复 议 诉 讼 案 件 "
    assert views.char_tokens("  ") == ""
    assert views.char_tokens("") == ""


@pytest.fixture
def index():
    db = sqlite_utils.Database(memory=True)
    db["sections"].insert_all(
        [
            {"id": 1, "heading": "四、行政复议", "text": "本年度行政复议案件2件。"},
            {"id": 2, "heading": "五、问题", "text": "收到复议。诉讼材料"},  # 议 and 诉 apart by 。
            {"id": 3, "heading": "六、其他", "text": "行政复\n议决定，已履行"},  # wrapped inside 复议
        ],
        pk="id",
    )
    views._build_search_index(db)
    return db


def _hits(db, query: str) -> list[int]:
    sql = "SELECT rowid FROM sections_char_fts WHERE sections_char_fts MATCH ? ORDER BY rowid"
    return [r[0] for r in db.execute(sql, [site.escape_fts(query)]).fetchall()]


def test_a_word_is_found_as_the_phrase_of_its_characters(index):
    assert _hits(index, "复议") == [1, 2, 3]
    assert _hits(index, "行政复议") == [1, 3]
    assert _hits(index, "复议 案件") == [1]
    assert _hits(index, "履行") == [3]


def test_a_phrase_does_not_match_across_punctuation(index):
    # 。 and ， are tokens of their own: 议诉 is printed as 议。诉, 决定已 as 决定，已.
    assert _hits(index, "议诉") == []
    assert _hits(index, "决定已") == []
    assert _hits(index, "议。诉") == [2]


def test_headings_are_indexed_by_character_too(index):
    assert _hits(index, "问题") == [2]


def test_a_query_that_is_empty_matches_nothing(index):
    assert _hits(index, "") == []
    assert _hits(index, '""') == []


# --- what a query becomes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, fts",
    [
        ("复议 诉讼", '"复 议" "诉 讼"'),
        ('"行政 复议"', '"行 政 复 议"'),
        ('"行政 复议" 诉讼', '"行 政 复 议" "诉 讼"'),
        ('a"b', '"a b"'),
        ("复议\t", '"复 议"'),
        ("", '""'),
        (None, '""'),
        ('""', '""'),
        ("   ", '""'),
    ],
)
def test_escape_fts(query, fts):
    assert site.escape_fts(query) == fts


def test_the_sql_function_bounds_the_query():
    assert site._escape_fts(5) == '""'
    assert site._escape_fts("复" * 600) == '"' + " ".join("复" * site.QUERY_CHARS) + '"'


# --- the passage shown for a hit ------------------------------------------------------------


def test_terms_are_words_without_whitespace_or_quotes_lowercased():
    assert site._terms('复议 "行政 诉讼" ABC') == ["复议", "行政诉讼", "abc"]
    assert site._terms(None) == []
    assert site._terms(5) == []
    assert site._terms('"" x') == ["x"]
    assert site._terms(" ".join(f"w{n}" for n in range(20))) == [f"w{n}" for n in range(site.QUERY_TERMS)]
    assert site._terms("a" * site.QUERY_CHARS + " b") == ["a" * site.QUERY_CHARS]


def test_lowercasing_keeps_positions():
    assert site._lower("ABC") == "abc"
    assert site._lower("İx") == "İx"  # 'İ'.lower() is two characters: kept as printed


def test_the_passage_around_the_first_word_found_with_every_word_marked():
    assert site.snippet("甲乙丙丁戊己庚辛壬癸", "丁戊", before=2, after=5) == "…乙丙<mark>丁戊</mark>己庚辛…"
    assert site.snippet("甲乙丙丁戊己庚辛壬癸", "乙", before=2, after=5) == "甲<mark>乙</mark>丙丁戊己…"
    assert site.snippet("甲乙丙丁戊己庚辛壬癸", "庚", before=2, after=5) == "…戊己<mark>庚</mark>辛壬癸"
    assert site.snippet("诉讼和复议", "复议 诉讼") == "<mark>诉讼</mark>和<mark>复议</mark>"
    assert site.snippet("议议议", "议") == "<mark>议</mark><mark>议</mark><mark>议</mark>"


def test_overlapping_words_are_marked_once():
    assert site.snippet("复议案", "复议 议案") == "<mark>复议</mark>案"
    assert site.snippet("复议案", "议案 复议") == "<mark>复议</mark>案"


def test_a_word_wrapped_in_the_text_is_found_and_marked_across_the_wrap():
    assert site.snippet("行政复\n议案件", "复议") == "行政<mark>复 议</mark>案件"
    assert site.snippet("a  b\nc", "abc") == "<mark>a  b c</mark>"


def test_case_is_ignored():
    assert site.snippet("Open GOV data", "gov") == "Open <mark>GOV</mark> data"


def test_without_a_word_found_the_start_of_the_text():
    assert site.snippet("x" * 91, "复议") == "x" * 90 + "…"
    assert site.snippet("x" * 90, "复议") == "x" * 90
    assert site.snippet("x" * 10, "复议", before=3, after=4) == "xxxxxxx…"
    assert site.snippet("复议", None) == "复议"


def test_default_window_is_thirty_before_and_sixty_after():
    text = "a" * 40 + "复议" + "b" * 100
    assert site.snippet(text, "复议") == "…" + "a" * 30 + "<mark>复议</mark>" + "b" * 58 + "…"


def test_newlines_become_spaces_in_the_passage():
    assert site.snippet("第一行\n第二行复议", "复议") == "第一行 第二行<mark>复议</mark>"


def test_no_text_is_returned_as_it_is():
    assert site.snippet("", "复议") == ""
    assert site.snippet(None, "复议") is None
    assert site.snippet(5, "复议") is None


def test_only_the_searched_head_of_a_long_text_is_looked_at():
    text = "x" * site.SNIPPET_TEXT_CHARS + "复议"
    assert site.snippet(text, "复议") == "x" * 90 + "…"


def test_quotes_inside_a_word_are_dropped():
    assert site._terms('a"b') == ["ab"]
    assert site.snippet("xaby", 'a"b') == "x<mark>ab</mark>y"


def test_the_passage_is_around_the_first_place_a_word_is_found():
    text = "复议" + "x" * 100 + "复议"
    assert site.snippet(text, "复议") == "<mark>复议</mark>" + "x" * 58 + "…"


def test_after_an_overlap_the_words_further_on_are_still_marked():
    assert site.snippet("复议案复议", "复议 议案") == "<mark>复议</mark>案<mark>复议</mark>"


def test_the_index_table_has_the_name_and_columns_the_site_searches(index):
    # metadata.yml names fts_table sections_char_fts; Datasette compares names as strings.
    assert "sections_char_fts" in index.table_names()
    assert [r[1] for r in index.execute("PRAGMA table_info(sections_char_fts)").fetchall()] == ["heading", "text"]
