"""The tokeniser both backends share: overlapping bigrams for Chinese, words for Latin."""

from __future__ import annotations

import pytest

from matching.query import ALL, MOST, PHRASE, TEXT, TITLE, Clause, clauses
from matching.text import token_string, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("低保边缘家庭", ["低保", "保边", "边缘", "缘家", "家庭"]),
        ("老人", ["老人"]),
        ("岁", ["岁"]),  # a lone character stays a unigram
        ("3岁儿童", ["3", "岁儿", "儿童"]),
        ("CT检查", ["ct", "检查"]),
        ("ＣＴ检查１２次", ["ct", "检查", "12", "次"]),  # full-width folds to half-width
        ("独居老人，助餐", ["独居", "居老", "老人", "助餐"]),  # punctuation breaks the run
        ("Meals for the elderly", ["meals", "elderly"]),  # English stop words dropped
        ("2型糖尿病", ["2", "型糖", "糖尿", "尿病"]),
        ("", []),
        ("！？。", []),
    ],
)
def test_tokens(text, expected):
    assert tokens(text) == expected


def test_token_string_is_what_the_database_stores():
    assert token_string("空巢老人 送餐") == "空巢 巢老 老人 送餐"


SYNONYMS = {"独居老人": ["空巢老人", "孤寡老人"], "空巢老人": ["独居老人", "孤寡老人"], "助餐": ["送餐"]}


def test_a_chunk_gives_its_phrase_all_and_most_clauses():
    got = clauses("老人助浴", synonyms={})
    assert Clause(PHRASE, ("老人", "人助", "助浴"), 2, TITLE) in got
    assert Clause(PHRASE, ("老人", "人助", "助浴"), 8) in got
    assert Clause(ALL, ("老人", "人助", "助浴"), 4) in got
    assert Clause(MOST, ("老人", "人助", "助浴"), 1) in got
    assert next(c for c in got if c.kind == MOST).required == 2


def test_synonyms_widen_a_query_and_rank_below_the_word_itself():
    got = {(c.kind, "".join(c.tokens)): c.boost for c in clauses("独居老人", synonyms=SYNONYMS) if c.target == TEXT}
    assert got[(PHRASE, "独居居老老人")] == 8
    assert got[(PHRASE, "空巢巢老老人")] == 6
    assert got[(PHRASE, "孤寡寡老老人")] == 6


def test_a_synonym_term_inside_a_longer_chunk_is_swapped():
    text_clauses = [c for c in clauses("独居老人助餐", synonyms=SYNONYMS) if c.target == TEXT]
    got = {(c.kind, " ".join(c.tokens)): c.boost for c in text_clauses}
    assert got[(PHRASE, " ".join(tokens("空巢老人助餐")))] == 6
    assert got[(PHRASE, " ".join(tokens("独居老人送餐")))] == 6
    assert got[(PHRASE, "独居 居老 老人")] == 3  # the term itself
    assert got[(PHRASE, "送餐")] == 2  # its synonym alone


@pytest.mark.parametrize("text", ["", "   ", "！？", "%00", "'; DROP TABLE needs; --", "<script>", "x" * 5000])
def test_odd_queries_give_safe_clauses(text):
    for clause in clauses(text, synonyms={}):
        assert all(t.isalnum() for t in clause.tokens)
