"""Recall of the `abuse` rules (issue #8): insults without a listed word — belittling rhetorical
questions, class and age contempt — and the classifier giving way to `ethnic`, `politics` and
`violence`. Sentences written for these tests."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine, Rule, parse_rules, rule_to_dict
from zhidu.compliance.engine.rules import RuleError, rule_from_dict
from zhidu.compliance.tests.recall import categories

GROUP = {"chat_type": "group", "roomid": "wr1"}
CUSTOMER_GROUP = {"chat_type": "group", "roomid": "wr1", "side": "customer"}


POSITIVE = [
    ("讲了两次了你还搞不清？你的脑袋被门夹了吧", {}),
    ("你这脑子是不是不够用，填个表都能填错", {}),
    ("你怕不是小学没毕业，这几个字都认不全", {}),
    ("同一个问题说了五遍了都记不住", {}),
    ("你是听不懂中文吗？我再说最后一次", {}),
    ("你们怎么这么笨，扫码都不会", {}),
    ("你算啥东西，还敢跟我讲条件", {}),
    ("就你这德行还想要折扣", {}),
    ("看你也买不起，别浪费彼此时间了", {}),
    ("您买得起吗？这套可是两万多", {}),
    ("你一个月拿那点死工资，就别想着理财了", {}),
    ("一个送外卖的也配问我们的私享课？", {}),
    ("山沟里出来的就是没见过世面", {}),
    ("上了年纪的就是啰嗦，一句话问八遍", {}),
    ("那几个大妈天天在群里瞎问，真烦", GROUP),
    ("一把年纪了还折腾什么直播带货", {}),
    ("你这种穷光蛋就别来问价了", {}),
    ("给我滚出去，别在这丢人现眼", CUSTOMER_GROUP),
    ("都跟你讲几次了，记性是被狗吃了吗", {}),
    ("连个二维码都扫不明白，还学人家炒股", {}),
    ("你这种抠抠搜搜的人就别来了", {}),
    ("这么点小事都办不好，你还能干啥", {}),
    ("您家孩子这智力，我看够呛", {}),
    ("你个土老帽懂什么叫品牌吗", {}),
    ("你们这帮韭菜就知道抱怨", CUSTOMER_GROUP),
    ("这个客服脑子有问题吧", CUSTOMER_GROUP),
]


@pytest.mark.parametrize(("text", "fields"), POSITIVE)
def test_insults_without_a_listed_word(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "abuse" in categories(engine, text, **fields)


HARD_NEGATIVE = [
    ("抱歉我说了两遍还没讲清楚，我换个方式给您解释", {}),
    ("这个游戏挺费脑子的，适合给孩子锻炼思维", {}),
    ("这款手机也配有快充，充电半小时到八成", {}),
    ("很多老年人用不惯智能手机，我们有大字版", {}),
    ("您都八十岁了还坚持学书法，真让人佩服", {}),
    ("如果预算紧觉得买不起，也可以选择分期", {}),
    ("电脑的杀毒软件先别关，我让同事远程看一下", {}),
    ("退休以后养老金有着落了，您可以考虑配置一点年金", {}),
    ("哈哈我真是个猪脑子，又忘带钥匙了", CUSTOMER_GROUP),
    ("群规：禁止人身攻击，请大家文明交流", GROUP),
    ("我买了傻子瓜子，挺好吃的", CUSTOMER_GROUP),
    ("这台冰箱是一级能效，低能耗", {}),
    ("箱子先放一边去，我来拆", {}),
    ("尼玛次仁先生的订单已经发货了", {}),
    ("这款营养素帮助预防老年痴呆", {}),
    ("耳朵不好使的老人戴这款助听器很合适", {}),
    ("这个问题有点低级，但很多人都会忽略", {}),
    ("没有傻问题，您尽管问", {}),
    ("客户送的极品茶叶我放前台了", {}),
    ("连续三天都不会下雨，适合安装", {}),
    ("这批货清仓贱卖，价格很低", {}),
]


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_hard_negatives_are_not_abuse(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "abuse" not in categories(engine, text, **fields)


def test_yield_to_drops_only_detector_findings() -> None:
    rules = parse_rules(
        """[
        {"code": "a", "category": "abuse", "terms": ["笨蛋"], "detectors": ["abuse_model"], "yield_to": ["ethnic"]},
        {"code": "e", "category": "ethnic", "terms": ["外地佬"]}
        ]"""
    )
    engine = Engine(rules)
    offensive = "外地佬都是骗子，恶心，滚出去"
    assert {f.rule for f in engine.scan_text(offensive)} == {"e"}
    assert {f.rule for f in engine.scan_text("外地佬都是笨蛋")} == {"a", "e"}
    without = Engine([rules[0].__class__(**{**_fields(rules[0]), "yield_to": ()}), rules[1]])
    assert {f.rule for f in without.scan_text(offensive)} == {"a", "e"}


def _fields(rule: Rule) -> dict[str, object]:
    return {name: getattr(rule, name) for name in rule.__slots__}


def test_yield_to_round_trips_and_is_checked() -> None:
    rule = parse_rules('{"code": "a", "category": "abuse", "terms": ["x"], "yield_to": ["ethnic"]}')[0]
    assert rule.yield_to == ("ethnic",)
    assert rule_from_dict(rule_to_dict(rule)) == rule
    with pytest.raises(RuleError, match="yield_to"):
        rule_from_dict({"code": "a", "category": "abuse", "terms": ["x"], "yield_to": ["nonsense"]})
