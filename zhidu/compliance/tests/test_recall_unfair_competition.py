"""Recall of unfair competition (issue #8): false disparagement of competitors, fake reviews, bribing
the customer"s decision makers, obtaining competitors" or former employers" secrets, look-alike
packaging — and the hard negatives next to them. Sentences written for this test."""

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import finder

found = finder("unfair_competition")


POSITIVE = [
    "别去隔壁那家报名，他们的老师都是无证上岗",
    "某某家居的床垫用的是翻新棉，睡了长痘",
    "竞品那款App偷用户数据，装了就完了",
    "帮我在平台上写几条好评，每条返你五块",
    "给对面那家刷差评，我出钱",
    "跟采购主管说好了，签完给他一张购物卡",
    "你想办法把竞争对手的底价套出来，事成有好处",
    "我从老东家把客户名单都带过来了",
    "瓶子的设计跟那个大牌做得一模一样",
    "对面那家老板人品不行，欠了一屁股债",
    "另一家机构的课就是割韭菜，交了钱就不管了",
    "找几个水军去他们直播间带节奏",
    "把他们的价目表偷偷拍下来发我",
    "这次投标我们几家商量好了，轮流中标，陪标的给补偿",
    "给他们领导送两瓶茅台，这个项目就是我们的",
    "让亲戚朋友都去给我们打五星",
]

HARD_NEGATIVE = [
    ("别家的产品我不好评价，您可以对比一下参数", {}),
    ("两家的数据都在第三方评测报告里，是公开的", {}),
    ("刷好评这种事我们不做，您如实评价就好", {}),
    ("他们家的售后太慢了", {"side": "customer"}),
    ("听说XX银行要倒闭？是真的吗", {"side": "customer"}),
    ("公司规定不得诋毁同行，请实事求是介绍产品", {}),
    ("我们收购别家的二手设备，价格公道", {}),
    ("同行都在降价，我们也有活动", {}),
    ("据说吃了某品牌的保健品会过敏，是真的吗", {"side": "customer"}),
]


@pytest.mark.parametrize("text", POSITIVE)
def test_positive(engine: Engine, text: str) -> None:
    assert found(engine, text)


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_hard_negative(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert not found(engine, text, **fields)
