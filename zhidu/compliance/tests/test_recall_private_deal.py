"""Recall of private deals (issue #8): off-book deals phrased without payment words, money routed to
family accounts, cash without invoices — and the hard negatives around them (refusals, the
company's own channels, customers talking about their own family)."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import categories

GROUP = {"chat_type": "group", "roomid": "wr1"}


POSITIVE = [
    "下次直接来我家拿，不用下单了",
    "你绕开平台，直接跟我对接就行",
    "付款的时候转我同事小李的支付宝，他帮我收",
    "尾款你v我就行",
    "定金直接给我，不用走公司账",
    "咱们线下交易，我给你开个收据",
    "下回别在商城拍了，私人帮你留一套，省得平台抽成",
    "这次不用经过门店，你直接找我买，我给你价钱算低点",
    "你不要走官网了，咱俩私下定，我明天送到",
    "定金你直接交给我表姐就行，她就在小区门口",
    "尾款打到我媳妇的支付宝上，名字叫王芳",
    "转我妈卡上吧，账号我等会儿发你",
    "付款码是我舅舅开的档口的，扫这个一样",
    "你支付宝直接转给我，我这边帮你登记",
    "你给我现金就可以了，省得走流程",
    "现金给我就行，不用开发票",
    "不用开票的话我给你再优惠三百",
    "课程我私下帮你弄一个名额，比官方划算",
    "这事咱们私下成交，别留记录",
]

HARD_NEGATIVE = [
    "不用下单了，我已经帮您在后台改好地址",
    "您不用在小程序重新下单，我这边给您补发",
    "理赔款会打到您爱人的账户上，请注意查收",
    "款项请付到公司对公账户，不要转给我个人",
    "你不用找客服，直接联系我就行，我在企业微信上",
    "不用找客服了，我直接帮您处理退款",
    "请不要用微信转账给我，一律在小程序付款",
    "公司规定不能私下交易，也不能绕过系统下单",
    "理赔款会打到您本人的银行卡上，三个工作日到账",
    "我们门店可以收现金，也可以刷卡",
    "不开票的话价格也是一样的，公司必须开票",
    "有问题可以私聊我，我在企业微信上都能看到",
    "付款请扫官方收款码，钱是进公司账户的",
    "这个群只聊课程，其他事情可以私下联系班主任",
]


@pytest.mark.parametrize("text", POSITIVE)
def test_private_deal_found(engine: Engine, text: str) -> None:
    assert "private_deal" in categories(engine, text)


@pytest.mark.parametrize("text", HARD_NEGATIVE)
def test_private_deal_hard_negative(engine: Engine, text: str) -> None:
    assert "private_deal" not in categories(engine, text)


def test_customer_offering_family_payment_is_not_flagged(engine: Engine) -> None:
    assert "private_deal" not in categories(engine, "我让我老公转到你们公司账户行吗", side="customer")


def test_staff_posting_off_book_deal_in_group(engine: Engine) -> None:
    assert "private_deal" in categories(engine, "想便宜的别走公司系统，私人找我拿货", **GROUP)
