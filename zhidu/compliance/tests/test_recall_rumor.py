"""Recall of rumours (issue #8): invented policy, finance, health and disaster news from staff anywhere
and from customers in groups — and the hard negatives next to them (debunking, sourced notices,
questions). Sentences written for this test."""

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import finder

found = finder("rumor")


GROUP = {"chat_type": "group"}
CUSTOMER_GROUP = {"side": "customer", "chat_type": "group"}

POSITIVE = [
    ("听说下个月公积金要全部冻结，赶紧取出来", {}),
    ("国家明年起要征收房产税三倍，现在不买就晚了", GROUP),
    ("教育部要取消高考了，赶紧报我们的出国班", {}),
    ("我亲戚在银行上班，说这家银行快倒闭了", {}),
    ("喝了那个牌子的奶粉会导致不孕，千万别买", GROUP),
    ("网上都传了，这个小区的水被污染了", {}),
    ("紧急扩散！明天全市停电一周，赶紧买蜡烛", CUSTOMER_GROUP),
    ("转发：手机充电过夜会爆炸，已经死了好几个人", CUSTOMER_GROUP),
    ("以后微信转账超过五千要收税了", {}),
    ("医保卡里的钱月底要清零，快去药店花掉", {}),
    ("股市下周要崩盘，赶紧把钱取出来", {}),
    ("手机放枕头边睡觉会得脑瘤", {}),
    ("最近流感很严重，已经死了好多人", {}),
    ("我们公司资金链断了，老板准备跑路", GROUP),
]

HARD_NEGATIVE = [
    ("辟谣：网传公积金冻结的消息是假的，以官方公告为准", {}),
    ("根据央行公布的数据，本月利率保持不变", {}),
    ("明天停水是物业发的正式通知，请提前储水", GROUP),
    ("听说你们公司要搬家了？", {"side": "customer"}),
    ("网上说喝牛奶会致癌，是真的吗？", CUSTOMER_GROUP),
    ("请大家不要转发未经证实的消息", GROUP),
    ("这份保险对地震和洪水导致的损失是免责的", {}),
    ("明天全市停电一周，赶紧买蜡烛", {"side": "customer"}),  # a customer in a single chat
    ("请您取消订单后重新下单", {}),
    ("银行卡年费可以打电话取消", {}),
    ("听说您想取消订单，我帮您处理", {}),
    ("学校放假了，课程改成线上", {}),
    ("下个月起会员价调整，官网已发公告", {}),
]


@pytest.mark.parametrize(("text", "fields"), POSITIVE)
def test_positive(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert found(engine, text, **fields)


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_hard_negative(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert not found(engine, text, **fields)
