"""Recall of company secrets (issue #8): cost and internal prices with figures, internal plans and
documents, credentials, company material sent to private accounts — and the hard negatives next to
them. Sentences written for this test."""

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import finder

found = finder("secret")


POSITIVE = [
    "跟你透个底，这台扫地机拿货价才四百二",
    "我们的课时费每节只有八十块，你懂的",
    "这份内部的销售话术你拿去参考",
    "公司年底要撤掉武汉分部，你们那单先缓缓",
    "下个月课程要涨价20%，还没公布，你先买",
    "明年的新品规划图我截给你看看",
    "后台管理员账号 root 密码 Abc12345，你自己登",
    "把公司的投标文件传到我自己的百度网盘",
    "今年的业绩数据还没公布，不过我看到了，挺差",
    "悄悄跟你说，我们的提成有三成，所以还能让",
    "这款进价才六十，卖你一百八已经很良心了",
    "这单公司的利润有七成",
    "我把领导群的聊天记录截图发你看看",
    "公司明年要在深圳开分公司，还没对外说，你知道就行",
    "厂家给我们的价格是五折",
    "我的工号和密码给你，你帮我登一下",
    "进货价我偷偷告诉你，每件才三十五",
    "我们下个季度的推广预算是五百万，方案还没定你别说",
]

HARD_NEGATIVE = [
    ("成本价是公司机密，实在不能告诉您", {}),
    ("内部资料禁止外发，大家注意", {}),
    ("新品的价格已经在官网公布了", {}),
    ("您的初始密码是a1b2c3d4，登录后请修改", {}),
    ("报价单我已经发到您的邮箱了，您查收", {}),
    ("原材料成本上涨了15%，所以价格调整了", {}),
    ("你们的进货价是多少？说说呗", {"side": "customer"}),
    ("培训资料发到你的公司邮箱了", {}),
    ("具体成本不方便透露，但肯定是厂家直供", {}),
    ("新款还没发布，到时候第一时间通知您", {}),
    ("我们的新品已经在官网发布了，欢迎了解", {}),
    ("我们的成本价格上涨了，所以调价", {}),
    ("成本价我不能告诉你，这是公司规定", {}),
    ("方案还没定，定了我第一时间告诉您", {}),
]


@pytest.mark.parametrize("text", POSITIVE)
def test_positive(engine: Engine, text: str) -> None:
    assert found(engine, text)


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_hard_negative(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert not found(engine, text, **fields)
