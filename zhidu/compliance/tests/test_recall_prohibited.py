"""Recall of the `prohibited` rule (issue #8): gambling, fake invoices, drugs and prescription drugs
without prescription, forged documents and exam fraud, trading bank cards, fraud services,
pornography, weapons. Sentences written for these tests."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import categories

GROUP = {"chat_type": "group", "roomid": "wr1"}
CUSTOMER_GROUP = {"chat_type": "group", "roomid": "wr1", "side": "customer"}


POSITIVE = [
    ("体彩计划群每天带单，倍投三期必回血", CUSTOMER_GROUP),
    ("今晚英超跟单稳赚，要的私聊", CUSTOMER_GROUP),
    ("注册就送88元，棋牌真人随便玩", CUSTOMER_GROUP),
    ("专票普票都能开，税点三个", CUSTOMER_GROUP),
    ("安眠药我这有，不需要处方", {}),
    ("这款减肥胶囊加了西布曲明，掉秤快", {}),
    ("我有渠道弄到精神类药，价格好说", {}),
    ("要健康证吗？不用体检，给你办一个", {}),
    ("四六级不用考，直接买证", CUSTOMER_GROUP),
    ("高价收购闲置手机卡、银行卡", CUSTOMER_GROUP),
    ("逾期了没事，征信可以内部处理", {}),
    ("有黄色网站的资源，需要的加我", CUSTOMER_GROUP),
    ("出一把钢珠枪，懂的来", CUSTOMER_GROUP),
    ("仿驾照做得很逼真，两百一本", CUSTOMER_GROUP),
    ("代开各类发票，正规可查", CUSTOMER_GROUP),
    ("今晚世界杯，下注的私聊我，赔率高", CUSTOMER_GROUP),
    ("需要医院证明的找我，章都是真的", CUSTOMER_GROUP),
    ("有人要枪吗，正宗的", CUSTOMER_GROUP),
    ("收银行卡，一张三百", CUSTOMER_GROUP),
    ("晚上斗地主一百一把，来不来", CUSTOMER_GROUP),
    ("有偿捐卵，一次两万，私聊", CUSTOMER_GROUP),
    ("谁要白粉，今晚到货", CUSTOMER_GROUP),
]


@pytest.mark.parametrize(("text", "fields"), POSITIVE)
def test_prohibited_content(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "prohibited" in categories(engine, text, **fields)


HARD_NEGATIVE = [
    ("发票由财务在下单后七个工作日内开出，专票需要提供税号", {}),
    ("处方药需要凭医生处方购买，我们这边不能直接卖", {}),
    ("学历提升是和正规大学合作的，证书学信网可查", {}),
    ("外贸跟单员会跟您确认出货时间", {}),
    ("这个手枪钻扭力大，装修很好用", {}),
    ("本群严禁赌博和色情信息，发现即移出", GROUP),
    ("我家楼下彩票站中了五百万，好羡慕", CUSTOMER_GROUP),
    ("请您收好银行卡，不要借给别人", {}),
    ("记得写下注意事项再签字", {}),
    ("雅思保过班，没过全额退款", {}),
    ("我们的发票是公司财务开的，专票普票都可以开", {}),
    ("麻将机今天特价，家用款很受欢迎", {}),
    ("这款成人奶粉适合中老年人", {}),
    ("菠菜和鸡蛋一起炒很好吃", {}),
    ("新闻说禁毒宣传周开始了，请大家远离毒品", GROUP),
]


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_not_prohibited(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "prohibited" not in categories(engine, text, **fields)
