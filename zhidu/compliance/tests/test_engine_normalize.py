"""Normalisation: table mapping, context steps, and the offset map back to the original text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhidu.compliance.engine import Engine, Rule, normalize, normalize_text
from zhidu.compliance.engine.normalize import normalize_many
from zhidu.compliance.engine.tables import TABLE_PATH, build_table, render


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("加我ＶＸ", "加我vx"),  # full width → half width, case folding
        ("ABC", "abc"),
        ("這個產品最佳", "这个产品最佳"),  # traditional → simplified
        ("微 信", "微信"),  # separators between CJK characters
        ("微-信", "微信"),
        ("微.信", "微信"),
        ("微\u200b信", "微信"),  # zero width
        ("\u200b微信\ufeff", "微信"),
        ("微 　 信", "微信"),  # ideographic space is a space after NFKC
        ("a b", "a b"),  # separators between Latin letters stay
        ("好的，谢谢", "好的,谢谢"),  # commas are not separators (NFKC makes them ASCII)
        ("①②③④", "1234"),
        ("１３８", "138"),
        ("电话一三八一二三四五六七八", "电话13812345678"),  # numerals in a run of ≥ 4
        ("一 三 八 一", "1381"),
        ("幺三八零", "1380"),
        ("二〇二三年", "2023年"),
        ("一二三", "一二三"),  # run of 3 stays
        ("一个人", "一个人"),
        ("➊❷➌", "123"),
        ("😀微 信😀", "😀微信😀"),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_offsets_map_back_to_original() -> None:
    raw = "请\u200b加 我 微-信"
    n = normalize(raw)
    assert n.text == "请加我微信"
    start = n.text.index("微信")
    s, e = n.to_original(start, start + 2)
    assert raw[s:e] == "微-信"
    s, e = n.to_original(0, len(n.text))
    assert (s, e) == (0, len(raw))
    # a span that starts right after a removed character skips it
    s, e = n.to_original(1, 2)
    assert raw[s:e] == "加"


def test_chunk_boundaries_and_locate() -> None:
    chunk = normalize_many(["微 信号", "", "ABC", "最 佳"])
    assert [chunk.message_text(i) for i in range(4)] == ["微信号", "", "abc", "最佳"]
    assert chunk.locate(chunk.starts[2]) == 2
    i = 3
    s, e = chunk.to_original(i, chunk.starts[i], chunk.ends[i])
    assert (s, e) == (0, 3)


def test_lone_surrogates_do_not_crash() -> None:
    assert normalize_text("a\ud83db") == "a\ud83db"


def test_shipped_table_is_fresh() -> None:
    assert TABLE_PATH.read_text(encoding="utf-8") == render(build_table())


# --- properties --------------------------------------------------------------------------------

TERMS = ("微信", "加我微信", "最佳", "成本价", "私下优惠", "vx", "內部資料")
ALPHABET = st.sampled_from(
    list("微信加我最佳成本价私下优惠内部資料好的谢谢您")
    + list(" -._*/|~")
    + ["\u200b", "\u200d", "\ufeff", "\u3000", "Ｖ", "Ｘ", "V", "x", "v", "😀", "，", "①", "1", "一"]
)
texts = st.lists(st.one_of(ALPHABET, st.sampled_from(TERMS)), max_size=30).map("".join)


@pytest.fixture(scope="module")
def term_engine() -> Engine:
    rules = [Rule(code=f"t{i}", name=t, category="secret", severity="low", terms=(t,)) for i, t in enumerate(TERMS)]
    return Engine(rules)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_every_finding_span_normalises_to_its_term(term_engine: Engine, text: str) -> None:
    by_code = {r.code: r.terms[0] for r in term_engine.rules}
    for f in term_engine.scan_text(text):
        assert 0 <= f.start < f.end <= len(text)
        assert f.matched == text[f.start : f.end]
        assert normalize_text(f.matched) == normalize_text(by_code[f.rule])


@settings(max_examples=300, deadline=None)
@given(texts)
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=200, deadline=None)
@given(st.lists(texts, max_size=6))
def test_batch_equals_one_by_one(batch: list[str]) -> None:
    chunk = normalize_many(batch)
    assert [chunk.message_text(i) for i in range(len(batch))] == [normalize_text(t) for t in batch]
