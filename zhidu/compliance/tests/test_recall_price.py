"""Recall of secret discounts and personal rebates (issue #8) and the hard negatives around them:
public promotions, refusals, official referral rewards, quoting the rule."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import categories

POSITIVE = [
    "我偷偷把价格给你降五百",
    "回头我返你两百块，算我的心意",
    "签约后我给你包个大红包",
    "这个折扣只有你有哦，不要跟其他人讲",
    "这个价你千万别跟其他同学讲，我是按老学员给你算的",
    "给你便宜了三百，别让主管知道啊",
    "合同里我还是写原价，优惠的部分我私下处理",
    "这单签下来我掏腰包给你买个小家电",
    "成交以后分你两个点的提成",
    "我的提成分给你一半，算我谢谢你",
    "差价我自己退给你，不走系统",
    "每推荐一个朋友来报名，我给你三百块介绍费",
    "你私下给我点好处费，我把价格再往下压压",
    "今天经理不在，我自己做主给你按八五折算",
    "员工价借你用一次，下单写我的名字",
    "私信我的几位可以拿到比直播间还低的价格",
]

HARD_NEGATIVE = [
    "价格我不能私下改，您可以等下周的官方活动",
    "我给你打个九折吧，这是会员日的官方活动价",
    "买东西别跟别人比价，适合自己最重要",
    "推荐好友报名双方各得一百元券，由公司统一发放",
    "我们没有内部价，所有客户价格都一样",
    "公司规定不能私下返现，我这边真的做不到",
    "这份资料别外传，是公司下周培训用的",
    "老客户续费享八折，这是官网公开的政策",
    "退差价请走售后流程，钱会原路返回",
]


@pytest.mark.parametrize("text", POSITIVE)
def test_price_found(engine: Engine, text: str) -> None:
    assert "price" in categories(engine, text)


@pytest.mark.parametrize("text", HARD_NEGATIVE)
def test_price_hard_negative(engine: Engine, text: str) -> None:
    assert "price" not in categories(engine, text)


def test_customer_bargaining_is_not_flagged(engine: Engine) -> None:
    assert "price" not in categories(engine, "你私下给我打个七折呗，我不告诉别人", side="customer")
