"""Recall of the `ethnic` rules (issue #8): contempt of a region, ethnic group, nation or race,
discriminatory treatment of its customers, contempt for customs and faith; such attacks on a group
are `ethnic`, and the offensive-language classifier does not report them as `abuse` as well.
Sentences written for these tests."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import categories

GROUP = {"chat_type": "group", "roomid": "wr1"}
CUSTOMER_GROUP = {"chat_type": "group", "roomid": "wr1", "side": "customer"}
CUSTOMER = {"side": "customer"}


POSITIVE = [
    ("湖南人都是一帮骗子，合同要看紧", {}),
    ("江西来的个个都爱占便宜", {}),
    ("福建客户全都抠得要死", {}),
    ("那个彝族客户素质太差了", {}),
    ("贵州的人天生就懒，别指望他们续费", {}),
    ("甘肃客户的单子一律不接", {}),
    ("越南人的订单随便应付一下就行", {}),
    ("跟温州人谈合作要多留个心眼", {}),
    ("以后别卖给那些印度人", {}),
    ("他们不吃猪肉真是穷讲究，订个餐那么麻烦", {}),
    ("什么破习俗，过个节还要请假三天", {}),
    ("给回族客户推的那款有猪油，别告诉他就行", {}),
    ("那个阿三又来问价了", {}),
    ("韩国人都不是好东西，别买他们的货", CUSTOMER_GROUP),
    ("东北人就是一群混混", GROUP),
    ("浙江人最会算计，合同要卡死", {}),
    ("老外都是冤大头，价格翻倍报", {}),
    ("少数民族的节日有什么好过的", {}),
    ("东北来的都爱吹牛", {}),
    ("黑人别加群", CUSTOMER_GROUP),
]


@pytest.mark.parametrize(("text", "fields"), POSITIVE)
def test_contempt_of_groups(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "ethnic" in categories(engine, text, **fields)


HARD_NEGATIVE = [
    ("我是湖南人，我们那边的米粉特别好吃", CUSTOMER_GROUP),
    ("四川人都爱吃辣，这款火锅底料很受欢迎", {}),
    ("东北人都很热情，上次去哈尔滨玩得很开心", {}),
    ("上海的客户被骗子冒充客服骗了，大家提高警惕", {}),
    ("新疆的客户暂时不发货，物流停了，恢复后第一时间通知", {}),
    ("新疆西藏偏远地区不包邮，运费到付", {}),
    ("我们尊重回族客户的饮食习惯，可以推荐清真款", {}),
    ("您是藏族的话，我们课程有藏语字幕版", {}),
    ("广东那边的客户一般喜欢上午沟通", {}),
    ("公司倡导民族团结，反对地域歧视", GROUP),
    ("外国客户要用英文合同，我来准备", {}),
    # the same content in a customer's single chat is not labelled
    ("你们这里的福建客户都抠得很吧", CUSTOMER),
]


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_mentions_of_groups_are_not_ethnic(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "ethnic" not in categories(engine, text, **fields)


def test_classifier_gives_way_to_ethnic(engine: Engine) -> None:
    # the classifier alone scores this as offensive; only the specific rule reports
    assert categories(engine, "河南人都是骗子，他们的单你别接") == {"ethnic"}
    # an insult found by an abuse pattern stays abuse as well
    assert categories(engine, "你们江西人怎么这么笨，说了三遍还不懂") == {"abuse", "ethnic"}
