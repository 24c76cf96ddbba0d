"""Detectors: positive and negative vectors for each, plus the shared PII vectors when present."""

from __future__ import annotations

import csv
import os
from decimal import Decimal
from pathlib import Path

import pytest

from zhidu.compliance.engine import Engine, Rule, Scope, money_mentions
from zhidu.compliance.engine.detect import (
    DIGIT_RUN_RE,
    classify_digit_run,
    id_number_valid,
    luhn_valid,
    mobile_valid,
    parse_cn_number,
)
from zhidu.compliance.engine.normalize import normalize_text


def _shared_dir() -> Path:
    env = os.environ.get("ZHIDU_SHARED_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[3].parent / "shared"


def _digit_hits(text: str) -> list[tuple[str, str]]:
    norm = normalize_text(text)
    out: list[tuple[str, str]] = []
    for m in DIGIT_RUN_RE.finditer(norm):
        out.extend((h.detector, h.value) for h in classify_digit_run(norm, m.start(), m.end()))
    return out


def _detect(text: str, *detectors: str) -> list[tuple[str, str]]:
    rules = [Rule(code=d, name=d, category="privacy", severity="high", detectors=(d,)) for d in detectors]
    return [(f.detector, f.matched) for f in Engine(rules).scan_text(text)]


# --- shared vectors (skip when ../shared is not there) ----------------------------------------


def test_pii_vectors_from_shared_data() -> None:
    path = _shared_dir() / "data" / "pii" / "test_vectors.tsv"
    if not path.exists():
        pytest.skip(f"{path} is missing; the shared PII vectors are not available here")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert rows
    check = {"cn_ric": id_number_valid, "luhn": luhn_valid, "cn_mobile": mobile_valid}
    for row in rows:
        expected = row["expected_valid"].startswith("true")
        assert check[row["kind"]](row["value"]) is expected, row


# --- our own vectors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("110105194912310021", False),  # check digit
        ("110105194913310020", False),  # month 13
        ("990105194912310029", False),  # no such province
        ("1101051949123100", False),
        ("440106199001015613", False),
    ],
)
def test_id_number_check_digit(value: str, valid: bool) -> None:
    assert id_number_valid(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [("6222021234567890121", False), ("6212345678901232", True), ("4111111111111112", False), ("0", False)],
)
def test_luhn(value: str, valid: bool) -> None:
    assert luhn_valid(value) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678", [("mobile", "13812345678")]),
        ("电话 138 1234 5678", [("mobile", "13812345678")]),
        ("电话138-1234-5678", [("mobile", "13812345678")]),
        ("电话１３８１２３４５６７８", [("mobile", "13812345678")]),
        ("电话一三八一二三四五六七八", [("mobile", "13812345678")]),
        ("电话①③⑧12345678", [("mobile", "13812345678")]),
        ("+86 138 1234 5678", [("mobile", "8613812345678")]),
        ("两个号13812345678 13912345678", [("mobile", "13812345678"), ("mobile", "13912345678")]),
        ("身份证11010519491231002X", [("id_number", "11010519491231002X")]),
        ("身份证 110105 19491231 002x", [("id_number", "11010519491231002X")]),
        ("卡号6212 3456 7890 1232", [("bank_card", "6212345678901232")]),
        # negatives
        ("电话15412345678", []),  # 154 is not a mobile prefix
        ("价格12345元", []),
        ("订单号2024123456789012", []),  # order numbers are not cards
        ("快递单号SF1234567890123", []),  # letters glued to the run: a code
        ("身份证110105194912310021", [("bank_card", "110105194912310021")]),  # bad check digit: no ID hit
        ("金额1234567.89", []),
        ("热线400-800-1234", []),
    ],
)
def test_digit_runs(text: str, expected: list[tuple[str, str]]) -> None:
    got = [(d, v) for d, v in _digit_hits(text) if d != "bank_card" or v in {e[1] for e in expected}]
    assert got == expected


def test_bank_card_without_luhn_needs_a_card_word() -> None:
    norm = normalize_text("6212345678901233")
    hits = classify_digit_run(norm, 0, len(norm))
    assert hits[0].detector == "bank_card" and hits[0].confidence < 0.5
    norm = normalize_text("银行卡号6212345678901233")
    m = DIGIT_RUN_RE.search(norm)
    assert m is not None
    assert classify_digit_run(norm, m.start(), m.end())[0].confidence >= 0.5


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("我微信号：lily_2023，加我", True),
        ("vx: wxid_abcd1234", True),
        ("wxid_k2j3h4g5f6 这是我", True),
        ("威信 tom8888", True),
        ("加我qq 12345678", True),
        ("微信13812345678", True),
        ("WX：Sunny-520", True),
        ("企业微信号 lily_2023", False),  # WeCom is allowed
        ("微信支付就可以", False),
        ("微信 payment", False),  # a plain word is not an id without "号/:"
        ("usb接口 wx", False),
        ("不要加微信 abc123", False),  # negated
    ],
)
def test_wechat_id(text: str, found: bool) -> None:
    assert bool(_detect(text, "wechat_id")) is found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("加我微信吧，方便聊", True),
        ("加 我 微 信", True),
        ("加ＶＸ详聊", True),
        ("加V聊", True),
        ("私聊我，有好东西", True),
        ("加我个人微信，这边不常上", True),
        ("薇信同号", False),
        ("加我企业微信，方便售后", False),
        ("请勿加个人微信", False),
        ("加vip会员享折扣", False),
        ("我私聊您", False),
    ],
)
def test_diversion(text: str, found: bool) -> None:
    assert bool(_detect(text, "diversion")) is found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("扫我的收款码付款", True),
        ("钱直接转账给我就行", True),
        ("货款打到我个人账户", True),
        ("请走对公账户，公司账户信息发您", False),
        ("公司规定不能转账给我个人", False),
        ("请不要转账到个人账户", False),
    ],
)
def test_payment(text: str, found: bool) -> None:
    assert bool(_detect(text, "payment")) is found


@pytest.mark.parametrize(
    ("text", "found"),
    [("[红包] 恭喜发财", True), ("我给你发个红包", True), ("不能给客户发红包", False), ("红色包装", False)],
)
def test_redpacket(text: str, found: bool) -> None:
    assert bool(_detect(text, "redpacket")) is found


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("看这个 https://Example.com/a?b=1 吧", "https://Example.com/a?b=1"),
        ("www.haohuo888.xyz 特价", "www.haohuo888.xyz"),
        ("打开 shop.zhidu-demo.cn/item/1 下单", "shop.zhidu-demo.cn/item/1"),
        ("邮箱a@b.com", None),
        ("价格1.5元", None),
        ("版本v2.0", None),
    ],
)
def test_link(text: str, url: str | None) -> None:
    got = _detect(text, "link")
    assert (got[0][1] if got else None) == url


def test_money_mentions_parse_amounts_and_discounts() -> None:
    text = "活动价399元，打八五折，再返现50元，满300减30，¥1,299，两千五块，8.5折，半价，1.2w"
    got = [(m.kind, m.value, m.unit, m.text) for m in money_mentions(text)]
    assert got == [
        ("amount", Decimal("399"), "yuan", "399元"),
        ("discount", Decimal("0.85"), "ratio", "八五折"),
        ("cashback", Decimal("50"), "yuan", "返现50元"),
        ("reduction", Decimal("30"), "yuan", "满300减30"),
        ("amount", Decimal("1299"), "yuan", "¥1,299"),
        ("amount", Decimal("2500"), "yuan", "两千五块"),
        ("discount", Decimal("0.85"), "ratio", "8.5折"),
        ("discount", Decimal("0.5"), "ratio", "半价"),
    ]
    for m in money_mentions(text):
        assert text[m.start : m.end] == m.text


def test_money_spans_are_in_the_original_text() -> None:
    text = "原價３９９元，私下給你便宜５０塊"
    got = money_mentions(text)
    assert [(m.kind, m.value, m.text) for m in got] == [
        ("amount", Decimal("399"), "３９９元"),
        ("reduction", Decimal("50"), "便宜５０塊"),
    ]


def test_money_negatives() -> None:
    assert money_mentions("折叠椅很好用，我们一块去吧") == [] or all(
        m.kind != "discount" for m in money_mentions("折叠椅")
    )
    assert [m.kind for m in money_mentions("减3")] == []


@pytest.mark.parametrize(
    ("raw", "value"),
    [("三百", 300), ("两千五", 2500), ("一万二", 12000), ("十五", 15), ("一百零五", 105), ("五十", 50), ("一二", None)],
)
def test_parse_cn_number(raw: str, value: int | None) -> None:
    assert parse_cn_number(raw) == value


def test_detectors_respect_scope() -> None:
    rule = Rule(
        code="m",
        name="m",
        category="privacy",
        severity="high",
        detectors=("mobile",),
        scope=Scope(sides=frozenset({"staff"})),
    )
    engine = Engine([rule])
    assert engine.scan_text("13812345678", side="staff")
    assert not engine.scan_text("13812345678", side="customer")
