"""Recall of the `violence` rule (issue #8): threats (direct, conditional, implicit), getting people
together to hurt someone, arson and wrecking, incitement, dangerous instructions. Sentences written
for these tests."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import categories

GROUP = {"chat_type": "group", "roomid": "wr1"}
CUSTOMER_GROUP = {"chat_type": "group", "roomid": "wr1", "side": "customer"}
CUSTOMER = {"side": "customer"}


POSITIVE = [
    ("钱再不还，我叫几个兄弟去你公司堵你", {}),
    ("你敢给差评试试，以后晚上出门小心你的腿", {}),
    ("我知道你女儿在哪个学校，别逼我", {}),
    ("谁再在群里乱说，我把他的腿给打折", GROUP),
    ("下周我带两个人过去，把那小子揍一顿", {}),
    ("惹急了我一把火烧了你们仓库", CUSTOMER),
    ("信不信我砸了你们的店", CUSTOMER),
    ("我抄把菜刀去找那个经理", CUSTOMER_GROUP),
    ("这种黑心商家就该被乱棍打死", CUSTOMER_GROUP),
    ("有谁知道他住哪，一起去收拾他", CUSTOMER_GROUP),
    ("我找人跟踪他了，跑不掉", {}),
    ("教你们做燃烧弹，材料超市都有", GROUP),
    ("再投诉一次，你在这行就混不下去了", {}),
    ("把你店给拆了信不信", {}),
    ("你再来找事，我让你爬着出去", {}),
    ("明天你要是还不发货，我就去你们公司捅人", CUSTOMER),
    ("我知道你住在哪个小区，你等着", {}),
    ("老子一刀砍了你", CUSTOMER),
    ("我手里有刀，别逼我", CUSTOMER),
]


@pytest.mark.parametrize(("text", "fields"), POSITIVE)
def test_threats_and_incitement(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "violence" in categories(engine, text, **fields)


HARD_NEGATIVE = [
    ("本保险对战争和恐怖袭击造成的损失不承担责任", {}),
    ("双十一福利炸弹来袭，全场五折", GROUP),
    ("帮我砍一刀，差一点就能免费拿了", CUSTOMER_GROUP),
    ("这家店宰客挺狠的，您还是在我们这买吧", {}),
    ("下雨了，下班路上小心点", {}),
    ("我让人把货送到您家门口", {}),
    ("我找人上门帮您安装，明天下午到", {}),
    ("修理你的手机要先备份数据", {}),
    ("这次的教训是以后早点下单", {}),
    ("笑死我了，这游戏打死我也过不去", CUSTOMER),
    ("我家车被人砸了，车险能赔吗", CUSTOMER),
    ("新闻说那边有人砍人，大家注意安全", CUSTOMER_GROUP),
    ("这道菜叫炸弹鸡排，店里招牌", {}),
    ("厨房刀具套装今天打八折，菜刀剪刀都有", {}),
    ("杀了你个措手不及，这波秒杀价太低了", {}),
]


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_not_violence(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "violence" not in categories(engine, text, **fields)


def test_classifier_gives_way_to_violence(engine: Engine) -> None:
    assert categories(engine, "谁再在群里捣乱，我让人把他腿打断", **GROUP) == {"violence"}
