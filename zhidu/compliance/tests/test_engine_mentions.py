"""Quoted mentions and rule notices (engine/mentions.py): a message that reports, forbids or debunks a
phrase is not a finding of it, while the same phrase said plainly, a quoted slogan, an urgent "alert"
and personal data in quotes still are. Sentences written for this test."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine, Message, default_rules
from zhidu.compliance.engine.mentions import is_rule_notice, quoted_spans


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(default_rules())


def categories(engine: Engine, text: str, **fields: object) -> set[str]:
    return {f.category for f in engine.scan_text(text, **fields)}


@pytest.mark.parametrize(
    ("text", "category", "fields"),
    [
        ("周会提醒：跟客户不要说“稳赚不赔”这种话", "false_claim", {}),
        ('有个家长在群里骂老师"你是白痴吗"，我已经截图报给校长了', "abuse", {}),
        ("客户转来一句“公司资金链断了”，问是不是真的，我说这是谣言", "rumor", {}),
        ("「高仿包包」这种说法以后别写在朋友圈", "counterfeit", {}),
    ],
)
def test_quoted_phrase_that_is_reported_or_forbidden_is_not_a_finding(
    engine: Engine, text: str, category: str, fields: dict[str, object]
) -> None:
    assert category not in categories(engine, text, **fields)


@pytest.mark.parametrize(
    ("text", "category", "fields"),
    [
        ("这款理财稳赚不赔，放心买", "false_claim", {}),  # said, not quoted
        ("本店“全网销量第一”，今天下单送礼品", "false_claim", {}),  # a quoted slogan with no cue is a claim
        ("你是白痴吗，说了三遍还不懂", "abuse", {}),
    ],
)
def test_the_same_phrase_said_or_used_as_a_slogan_is_a_finding(
    engine: Engine, text: str, category: str, fields: dict[str, object]
) -> None:
    assert category in categories(engine, text, **fields)


def test_a_phone_number_in_quotes_is_still_personal_data(engine: Engine) -> None:
    text = "群里别说“王老师电话13912345678”这种话了"
    found = engine.scan_text(text, chat_type="group")
    assert any(f.category == "privacy" and f.detector == "mobile" for f in found)


@pytest.mark.parametrize(
    "text",
    [
        "提醒：私下给客户返现属于违规，一经发现扣绩效",
        "【培训】不得对客户承诺稳赚不赔，违者处罚",
        "温馨提示各位家长：群里禁止发布代写代考广告",
    ],
)
def test_a_rule_notice_is_not_a_finding(engine: Engine, text: str) -> None:
    assert is_rule_notice(text)
    assert engine.scan_text(text, chat_type="group") == []


def test_an_urgent_alert_is_not_a_notice(engine: Engine) -> None:
    text = "紧急通知：明天起全市停水一周，不要喝自来水，赶紧囤水"
    assert not is_rule_notice(text)
    assert "rumor" in categories(engine, text, side="customer", chat_type="group")


def test_a_notice_without_a_prohibition_is_read_as_usual(engine: Engine) -> None:
    text = "提醒：下周产品要涨价30%，内部通知刚下来，别外传"
    assert not is_rule_notice(text)
    assert "secret" in categories(engine, text)


def test_quoted_spans_pairs_each_kind_of_quote() -> None:
    text = 'a“bc”d「e」f"gh"'
    assert [text[a:b] for a, b in quoted_spans(text)] == ["bc", "e", "gh"]


def test_engine_can_keep_quoted_mentions() -> None:
    rules = default_rules()
    text = "周会提醒：跟客户不要说“稳赚不赔”这种话"
    kept = Engine(rules, quoted_mentions=False).scan([Message("m", text)])
    assert any(f.category == "false_claim" for f in kept)
