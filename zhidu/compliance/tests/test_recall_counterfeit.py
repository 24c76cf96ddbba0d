"""Recall of counterfeit and illegal goods (issue #8): replicas, fake certificates and receipts,
altered dates, false contents or origin, pirated courses, other brands" trademarks — from staff anywhere
and from customers in groups — and the hard negatives next to them. Sentences written for this test."""

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import finder

found = finder("counterfeit")


CUSTOMER_GROUP = {"side": "customer", "chat_type": "group"}

POSITIVE = [
    ("这双是莆田纯原，跟专柜的一比一", {}),
    ("合格证我们可以帮你做，放心卖", {}),
    ("我给你印一张检测报告，盖章的", {}),
    ("这批酸奶日期可以改一下，照样卖", {}),
    ("外包装是进口的，里面装的是国产便宜货", {}),
    ("这套网课是从别的机构录屏下来的，便宜卖你", {}),
    ("鞋子上用的是那个大牌的logo，客户看不出来", {}),
    ("出高仿手表，要的私聊", CUSTOMER_GROUP),
    ("有需要盗版网课的找我，十块一套", CUSTOMER_GROUP),
    ("外贸原单的包，跟专柜一模一样，看不出真假", {}),
    ("这批国产的我们换个包装当进口的卖", {}),
    ("鉴定证书我们这边可以出，要几张都行", {}),
    ("这本教材是复印版的，便宜一半", {}),
    ("过期的重新包装一下再卖", {}),
    ("这批是从越南那边偷运过来的", {}),
]

HARD_NEGATIVE = [
    ("我们只卖正品，谨防假货", {}),
    ("这是经典复刻款，品牌官方重新上市", {}),
    ("检测报告是第三方出具的，编号可以在官网查询", {}),
    ("这个是原厂尾货，有品牌授权清单", {}),
    ("你们这个是不是假的？网上有人说有假货", {"side": "customer"}),
    ("我在网上买到的是高仿，好气", {"side": "customer"}),  # a customer in a single chat
    ("激活码会发到您邮箱，拒绝盗版", {}),
    ("请提供原单号，我帮您查", {}),
    ("我是莆田人，老乡好", {}),
    ("一比一赔付，放心购买", {}),
    ("我们的目标是帮你做好售后服务", {}),
    ("临期商品我们会明确标注，打折出售", {}),
]


@pytest.mark.parametrize(("text", "fields"), POSITIVE)
def test_positive(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert found(engine, text, **fields)


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_hard_negative(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert not found(engine, text, **fields)
