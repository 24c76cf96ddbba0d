"""Recall of the `politics` rules (issue #8): subversion, attacks on the state and its leaders,
mobilisation to protest, separatism, content said to be hidden by the state; staff everywhere,
customers in customer groups. Sentences written for these tests."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import categories

GROUP = {"chat_type": "group", "roomid": "wr1"}
CUSTOMER_GROUP = {"chat_type": "group", "roomid": "wr1", "side": "customer"}
CUSTOMER = {"side": "customer"}


POSITIVE = [
    ("这个政权迟早要垮台，早做打算吧", {}),
    ("体制已经没救了，能走就走", {}),
    ("咱们得想办法推翻这个政府", GROUP),
    ("那些当官的全是一帮吸血鬼", {}),
    ("新闻联播都是忽悠老百姓的，别当真", {}),
    ("明天上午九点都去区政府门口拉横幅，讨个说法", CUSTOMER_GROUP),
    ("有没有人周六一起去广场静坐？", CUSTOMER_GROUP),
    ("罢工的事人越多越好，帮忙转发", CUSTOMER_GROUP),
    ("下周一大家穿黑衣出门，让他们看看", CUSTOMER_GROUP),
    ("香港本来就是独立的国家", {}),
    ("我声援新疆独立", CUSTOMER_GROUP),
    ("这是政府不让老百姓知道的事，赶紧看", {}),
    ("删前速看！视频里说得很清楚", CUSTOMER_GROUP),
    ("谁有翻墙工具，想看看境外反共的网站", CUSTOMER_GROUP),
    ("这届政府真不行，下台吧", {}),
    ("我不认这个政府", {}),
    ("签名请愿，要求领导下台，转起来", CUSTOMER_GROUP),
    ("这个党把国家搞成这样", {}),
    ("这帮当官的都该死", {}),
]


@pytest.mark.parametrize(("text", "fields"), POSITIVE)
def test_political_content(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "politics" in categories(engine, text, **fields)


HARD_NEGATIVE = [
    ("这个方案被领导推翻了，我们重新做一版", {}),
    ("这家公司迟早要倒闭，还好我们没跟他们合作", {}),
    ("因为法国港口罢工，进口货要延迟一周到", {}),
    ("春节花车游行那天商场人多，建议错峰来店", {}),
    ("我们的面膜都是独立包装，出差带着方便", {}),
    ("我们有自己的独立站，也可以在那里下单", {}),
    ("政府给的消费券可以在我们店里用", {}),
    ("本群禁止讨论政治话题，请大家不要参加任何聚集活动", GROUP),
    ("去市政府门口的政务大厅就能办社保卡", {}),
    ("新闻说今年养老金又涨了，您可以关注一下", {}),
    # customers in single chats are not labelled for political talk
    ("这个政权迟早要垮台", CUSTOMER),
    ("这个经理早该下台了，业绩一塌糊涂", {}),
    ("国家马上要完成新一轮减税，对小微企业是利好", {}),
    ("防止小偷翻墙进院子，可以装这款红外报警器", {}),
    ("当官的都该死这种话不能说，群里注意", GROUP),
]


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_not_political(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "politics" not in categories(engine, text, **fields)


def test_classifier_gives_way_to_politics(engine: Engine) -> None:
    assert categories(engine, "国家领导人都是一帮骗子，别信他们说的", **GROUP) == {"politics"}
