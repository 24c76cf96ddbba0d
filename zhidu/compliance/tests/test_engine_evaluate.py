"""Rules, scopes, exemptions, the default pack and rule files."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from zhidu.compliance.engine import (
    CATEGORIES,
    Engine,
    Finding,
    Message,
    Rule,
    RuleError,
    Scope,
    default_rules,
    parse_rules,
    rule_from_dict,
    rule_to_dict,
)
from zhidu.compliance.engine.match import hyperscan_available, required_literals

SHANGHAI = timezone(timedelta(hours=8))


def at(hour: int, minute: int = 0) -> int:
    return int(datetime(2024, 5, 6, hour, minute, tzinfo=SHANGHAI).timestamp() * 1000)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(default_rules())


def cats(engine: Engine, text: str, **fields: object) -> set[str]:
    return {f.category for f in engine.scan_text(text, **fields)}


def rules_of(engine: Engine, text: str, **fields: object) -> set[str]:
    return {f.rule for f in engine.scan_text(text, **fields)}


# --- the default pack --------------------------------------------------------------------------


def test_default_pack_covers_every_category_with_articles() -> None:
    rules = default_rules()
    assert {r.category for r in rules} == set(CATEGORIES)
    expected = {
        "false_claim": {"sales-conduct#17.1", "sales-conduct#17.2", "sales-conduct#17.3"},
        "privacy": {"sales-conduct#18.1", "sales-conduct#18.2"},
        "secret": {"sales-conduct#19"},
        "private_deal": {"sales-conduct#20", "sales-conduct#15"},
        "price": {"sales-conduct#14"},
        "abuse": {"sales-conduct#21"},
        "ads": {"sales-conduct#22.1", "sales-conduct#22.3"},
        "prohibited": {"sales-conduct#22.2"},
        "rumor": {"sales-conduct#23.1"},
        "resource_misuse": {"sales-conduct#23.2"},
        "malware": {"sales-conduct#23.3"},
        "unfair_competition": {"sales-conduct#23.4"},
        "counterfeit": {"sales-conduct#23.5"},
        "politics": {"sales-conduct#23.6"},
        "violence": {"sales-conduct#23.7"},
        "ethnic": {"sales-conduct#23.8"},
    }
    assert set(expected) == set(CATEGORIES)
    for category, articles in expected.items():
        assert {r.article for r in rules if r.category == category} == articles
    assert len({r.code for r in rules}) == len(rules)


@pytest.mark.parametrize(
    ("text", "fields", "category"),
    [
        ("这款是全网最好的，没有之一", {}, "false_claim"),
        ("我们是行业第一品牌", {}, "false_claim"),
        ("這款產品能根治痘痘", {}, "false_claim"),
        ("这款理财保本保收益", {}, "false_claim"),
        ("我们承诺每年收益不低于8%", {}, "false_claim"),
        ("报我们的班保过", {}, "false_claim"),
        ("客户身份证110105194912310 02X", {}, "privacy"),
        ("王姐的电话是13812345678", {"chat_type": "group"}, "privacy"),
        ("验证码发我，我帮你操作", {}, "privacy"),
        ("这款成本价才50元", {}, "secret"),
        ("这是公司内部资料", {}, "secret"),
        ("加我私人微信 wxid_abc12345", {}, "private_deal"),
        ("加 我 微 信", {}, "private_deal"),
        ("钱直接转账给我就行，不用走公司", {}, "private_deal"),
        ("我私下再给你优惠50块", {}, "price"),
        ("我自己再给你返200", {}, "price"),
        ("别走系统下单，我给你打8折", {}, "price"),
        ("[红包] 一点心意", {}, "price"),
        ("你是不是有病啊", {}, "abuse"),
        ("你个傻逼", {}, "abuse"),
        ("招代理，日赚300", {"side": "customer", "chat_type": "group"}, "ads"),
        ("大家看 www.haohuo888.xyz", {"side": "customer", "chat_type": "group"}, "ads"),
        ("来我另一个群，拉你进群", {"chat_type": "group"}, "ads"),
        ("线上赌场充值送彩金", {"side": "customer", "chat_type": "group"}, "prohibited"),
    ],
)
def test_default_pack_positives(engine: Engine, text: str, fields: dict, category: str) -> None:
    assert category in cats(engine, text, **fields)


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("这款面包的最佳保质期是7天", {}),
        ("开封后的最佳食用时间是一周内", {}),
        ("我们一直追求最好的服务", {}),
        ("这是您第一次购买吗？首单有新人礼", {}),
        ("这款产品不能治疗疾病，身体不舒服请及时就医", {}),
        ("理财有风险，这款不保本", {}),
        ("这是我们店里卖得最好的一款", {}),  # own-brand comparison
        ("您最好明天上午来", {}),
        ("我们公司的价格都是统一的，不能私下优惠哦", {}),
        ("请勿添加个人微信，所有服务都在企业微信里", {}),
        ("可以加我企业微信，方便售后", {}),
        ("公司规定不能收个人转账，请走对公账户", {}),
        ("订单号2024123456789012，您核对一下", {}),
        ("这个滚筒洗衣机是赠品", {}),
        ("USB接口的，充电很方便", {}),
        ("收货电话13812345678，地址杭州市西湖区", {"side": "customer"}),  # the customer's own phone
        ("我的身份证号是11010519491231002X", {"side": "customer"}),
        ("你们的东西太垃圾了", {"side": "customer"}),
        ("这个真的是最好的吗？", {"side": "customer"}),
        ("有问题可以打客服热线400-800-1234", {}),
        ("他今天出差了，明天回来", {}),
    ],
)
def test_default_pack_hard_negatives(engine: Engine, text: str, fields: dict) -> None:
    assert engine.scan_text(text, **fields) == []


def test_registered_name_exemption_via_allow() -> None:
    rule = Rule(code="abs", name="abs", category="false_claim", severity="medium", terms=("第一",), allow=("第一坊",))
    e = Engine([rule])
    assert e.scan_text("第一坊的糕点到货了") == []
    assert e.scan_text("我们是第一") != []
    # an allow phrase only exempts the hit it overlaps
    assert [f.matched for f in e.scan_text("第一坊也比不上我们，我们才是第一")] == ["第一"]


# --- findings ----------------------------------------------------------------------------------


def test_one_finding_per_message_and_rule_with_original_span() -> None:
    rule = Rule(
        code="r", name="r", category="secret", severity="high", terms=("成本价", "内部资料"), article="sales-conduct#19"
    )
    e = Engine([rule])
    text = "這是內部資料，成本價不能說"
    found = e.scan_text(text, msgid="m1")
    assert found == [
        Finding(
            msgid="m1",
            rule="r",
            category="secret",
            article="sales-conduct#19",
            severity="high",
            start=2,
            end=6,
            matched="內部資料",
            detector="",
            confidence=1.0,
        )
    ]


def test_strongest_detector_hit_wins() -> None:
    rule = Rule(code="pii", name="pii", category="privacy", severity="high", detectors=("bank_card", "id_number"))
    e = Engine([rule])
    text = "卡6212345678901233 身份证11010519491231002X"
    (f,) = e.scan_text(text)
    assert f.detector == "id_number" and f.matched == "11010519491231002X"


def test_batch_results_match_single_scans(engine: Engine) -> None:
    texts = ["加我微信", "你好", "", "全网最低价", "微\u200b信号 lily_2023", "成本价", "😀最佳效果😀"]
    msgs = [Message(msgid=str(i), text=t) for i, t in enumerate(texts)]
    batch = engine.scan(msgs)
    singles = [f for m in msgs for f in engine.scan([m])]
    assert batch == singles
    small = Engine(default_rules(), chunk_size=2)
    assert small.scan(msgs) == batch


# --- scope -------------------------------------------------------------------------------------


def _scoped(**scope: Any) -> Engine:
    return Engine(
        [Rule(code="s", name="s", category="secret", severity="low", terms=("底价表",), scope=Scope(**scope))]
    )


def test_scope_sides_and_chat_types() -> None:
    e = _scoped(sides=frozenset({"staff"}), chat_types=frozenset({"group"}))
    assert e.scan_text("底价表", side="staff", chat_type="group")
    assert not e.scan_text("底价表", side="customer", chat_type="group")
    assert not e.scan_text("底价表", side="staff", chat_type="single")


def test_scope_members_and_departments() -> None:
    e = _scoped(members=frozenset({"zhangsan"}))
    assert e.scan_text("底价表", sender="zhangsan")
    assert not e.scan_text("底价表", sender="lisi")
    e = _scoped(departments=frozenset({3}))
    assert e.scan_text("底价表", department_id=3)
    assert not e.scan_text("底价表", department_id=4)
    assert not e.scan_text("底价表")


def test_scope_hours_in_shanghai_time() -> None:
    day = _scoped(hours=(9, 18))
    assert day.scan_text("底价表", msgtime=at(9))
    assert day.scan_text("底价表", msgtime=at(17, 59))
    assert not day.scan_text("底价表", msgtime=at(18))
    assert not day.scan_text("底价表", msgtime=at(8, 59))
    assert not day.scan_text("底价表")  # unknown time is outside any window
    night = _scoped(hours=(22, 7))
    assert night.scan_text("底价表", msgtime=at(23))
    assert night.scan_text("底价表", msgtime=at(3))
    assert not night.scan_text("底价表", msgtime=at(12))


# --- patterns and terms ------------------------------------------------------------------------


def test_required_literals() -> None:
    assert required_literals(r"我(?:自己|私人)[^,]{0,4}给") == frozenset({"自己", "私人"})
    assert required_literals(r"我(?:自己|私人)[^,]{0,4}给你") == frozenset({"给你"})
    assert required_literals(r"(?:保证|承诺).{0,6}收益|稳赚") == frozenset({"收益", "稳赚"})
    assert required_literals(r"(?:保证|承诺).{0,6}(?:收益|回报)|稳赚") == frozenset({"保证", "承诺", "稳赚"})
    assert required_literals(r"\d+") is None


def test_gated_and_ungated_patterns() -> None:
    gated = Rule(code="g", name="g", category="price", severity="high", patterns=(r"我(?:自己|私人).{0,4}给你返",))
    ungated = Rule(code="u", name="u", category="privacy", severity="low", patterns=(r"[a-z]{3}\d{6}",))
    e = Engine([gated, ungated])
    got = {(f.rule, f.matched) for f in e.scan_text("我自己再给你返点, 编号abc123456")}
    assert got == {("g", "我自己再给你返"), ("u", "abc123456")}
    assert e.scan_text("我给你返") == []


def test_ascii_terms_need_word_boundaries() -> None:
    e = Engine([Rule(code="a", name="a", category="abuse", severity="low", terms=("sb", "加v"))])
    assert e.scan_text("你个SB")
    assert e.scan_text("sb吧")
    assert not e.scan_text("USB接口")
    assert not e.scan_text("加VIP")
    assert e.scan_text("加V聊")


@pytest.mark.skipif(not hyperscan_available(), reason="hyperscan is not installed")
def test_hyperscan_backend_gives_the_same_findings(engine: Engine) -> None:
    hs = Engine(default_rules(), backend="hyperscan")
    texts = ["加我微信 wxid_abc12345", "😀全网最低价😀", "這是內部資料", "ok", "成本价 成本价", "最佳保质期"]
    msgs = [Message(msgid=str(i), text=t) for i, t in enumerate(texts)]
    assert hs.scan(msgs) == engine.scan(msgs)


# --- rule files --------------------------------------------------------------------------------


def test_rule_round_trip() -> None:
    for rule in default_rules():
        assert rule_from_dict(json.loads(json.dumps(rule_to_dict(rule)))) == rule


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"name": "x", "category": "secret", "terms": ["a"]}, "code is required"),
        ({"code": "x", "category": "nope", "terms": ["a"]}, "category must be one of"),
        ({"code": "x", "category": "secret", "severity": "urgent", "terms": ["a"]}, "severity"),
        ({"code": "x", "category": "secret"}, "needs terms, patterns or detectors"),
        ({"code": "x", "category": "secret", "detectors": ["telepathy"]}, "unknown detector"),
        ({"code": "x", "category": "secret", "patterns": ["(unclosed"]}, "bad pattern"),
        ({"code": "x", "category": "secret", "terms": ["a"], "scope": {"sides": ["boss"]}}, "scope.sides"),
        ({"code": "x", "category": "secret", "terms": ["a"], "scope": {"hours": [9, 9]}}, "scope.hours"),
        ({"code": "x", "category": "secret", "terms": ["a"], "colour": "red"}, "unknown field"),
    ],
)
def test_rule_validation(obj: dict, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        rule_from_dict(obj)


def test_parse_rules_json_and_jsonl() -> None:
    one = {"code": "a", "category": "secret", "terms": ["底价表"]}
    two = {"code": "b", "category": "abuse", "terms": ["滚蛋"], "scope": {"sides": ["staff"], "hours": [22, 7]}}
    assert [r.code for r in parse_rules(json.dumps([one, two]))] == ["a", "b"]
    assert [r.code for r in parse_rules(json.dumps({"rules": [one]}))] == ["a"]
    assert [r.code for r in parse_rules(json.dumps(one) + "\n\n" + json.dumps(two) + "\n")] == ["a", "b"]
    with pytest.raises(RuleError, match="line 2"):
        parse_rules(json.dumps(one) + "\n{oops\n")
    with pytest.raises(RuleError, match="duplicate code"):
        parse_rules(json.dumps([one, one]))


def test_plain_term_fast_path_matches_the_general_path() -> None:
    rules = [
        Rule(code="a", name="a", category="secret", severity="low", terms=("成本价", "成本", "内部资料")),
        Rule(code="b", name="b", category="ads", severity="low", terms=("成本", "招代理")),
        *default_rules(),
    ]
    texts = [
        "成本价是多少",
        "成本 成本价",
        "招代理 内部资料 成本",
        "你好",
        "內部資料",
        "加我微信 成本价",
        "13812345678 成本",
    ]
    msgs = [Message(msgid=str(i), text=t, chat_type="group") for i, t in enumerate(texts)]
    fast = Engine(rules)
    general = Engine(rules)
    general._simple = [None] * len(general._simple)
    general._build_tables()  # every message through the general (per-message) evaluation
    assert fast.scan(msgs) == general.scan(msgs)
    assert {(f.msgid, f.rule, f.matched) for f in fast.scan(msgs) if f.rule in ("a", "b")} >= {
        ("0", "a", "成本价"),
        ("1", "a", "成本"),
        ("2", "b", "招代理"),
    }
