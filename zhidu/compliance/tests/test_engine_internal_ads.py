"""Staff ads in internal groups (S6 第七条(四), rule `ads.internal`): personal selling, side jobs and favours are
flagged; a colleague sharing the company's own products, promotions or material is work."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine

INTERNAL = {"chat_type": "group", "roomid": "wrStaff01", "internal": True}

ADS = [
    "周末老家寄来的自家果园脐橙，10斤80包邮，要的私我",
    "我表姐做微商卖面膜，大家支持一下我朋友",
    "出闲置：九成新电动车，1200低价转让",
    "兼职做保险，保险了解一下，给家人配一份",
    "我朋友在卖茶叶，正宗明前龙井，需要的私聊",
    "拼单买水果吗？满减的，有要的接龙",
    "代购日本化妆品，有需要的找我",
    "自家做的辣酱，有需要的私聊我",
    "邻居家养的土鸡蛋，需要的接龙",
]

WORK = [
    "公司本月新品年卡上线，大家有需要的客户私聊我拿海报",
    "咱们新出的团购链接在群公告里，大家转给客户",
    "这次公司活动价比上月低，客户有需要的找我拿报价单",
    "各位注意：不要在群里发广告，兼职信息一律不准发",
    "本周主推公司的VIP课程，老客户续费八折",
    "培训资料我发群里了，有需要的私聊我",
    "客户问代购的正品怎么保证，我们统一回复：本公司不做代购",
    "分享一下咱们公司官方商城的链接，客户下单送赠品",
    "大家帮客户拼单的时候注意核对地址",
    "产品部刚发的新品介绍，需要的私聊我要PPT",
]


def internal_rules(engine: Engine, text: str, **fields: object) -> set[str]:
    return {f.rule for f in engine.scan_text(text, **(INTERNAL | fields))}


@pytest.mark.parametrize("text", ADS)
def test_personal_selling_in_an_internal_group_is_an_ad(engine: Engine, text: str) -> None:
    assert "ads.internal" in internal_rules(engine, text)


@pytest.mark.parametrize("text", WORK)
def test_the_companys_own_offers_and_work_talk_are_not(engine: Engine, text: str) -> None:
    assert "ads.internal" not in internal_rules(engine, text)


@pytest.mark.parametrize("text", ADS[:3])
def test_only_staff_in_internal_groups(engine: Engine, text: str) -> None:
    assert "ads.internal" not in internal_rules(engine, text, internal=False)
    assert "ads.internal" not in internal_rules(engine, text, side="customer")
