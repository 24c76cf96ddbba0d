"""Recall of false claims (issue #8): rankings in any script, guaranteed outcomes with numbers, medical
claims for ordinary goods — and the hard negatives next to them. Sentences written for this test."""

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import finder

found = finder("false_claim")


POSITIVE = [
    "这款吸尘器全國銷量第一，放心买",
    "我们的防晒霜行业ＮＯ．１",
    "这个品牌在国内市场排名Top 1",
    "本款电饭煲同类产品第①",
    "跟着我们学直播，包你三个月回本",
    "报我们的训练营，保证涨粉一万",
    "这套课程学完，孩子成绩至少提高二十分",
    "投这个项目，两年后翻一倍没问题",
    "减肥茶喝一个月瘦十斤，不瘦退款",
    "做不到月销十万，我们全额退",
    "这款理财年化稳稳的6%，亏不了",
    "这床乳胶枕能治颈椎病，睡两周就好了",
    "喝我们的黑芝麻糊可以降血压",
    "这个足浴盆能预防糖尿病",
    "这款空调除菌率100%",
    "报我们的冲刺班通过率百分百",
    "这款精华用完斑点全部消失",
    "我们的扫地机器人销量No.1",
    "这款奶粉口碑全国前三",
    "保你一个月瘦二十斤",
    "用了我们的软件，一定能多出三成订单",
    "这款鞋垫可以根除脚气",
    "这款沐浴露是全世界最温和的",
    "这个课程全网独家，排行第壹",
    "我们的学员100%都拿到了offer",
    "跟着我们做，每月稳定收入五千以上",
    "存满一年利息稳拿八个点",
]

HARD_NEGATIVE = [
    ("排名第一的那款太贵，这款性价比更好", {}),
    ("他在班里考了第一名", {}),
    ("今天第1个下单的客户有礼品", {}),
    ("我们没法保证涨粉，只能保证每周两次直播指导", {}),
    ("收益率是浮动的，去年是4%，前年是负1%", {}),
    ("这款枕头不能治病，颈椎不舒服请去医院", {}),
    ("根治这种说法我们不能用，它只是辅助护理", {}),
    ("押金是500元，保证金退还需要三个工作日", {}),
    ("广告法规定不能使用国家级、最高级等用语", {}),
    ("您想要最便宜那款的话是这个型号", {}),
    ("包您满意的话我不敢说，试用七天不满意可以无理由退款", {}),
    ("这家店是全国第一吗？", {"side": "customer"}),
    ("检测报告显示含水量提升了25%，报告编号在盒子上", {}),
    ("全国第一家门店在上海开业了", {}),
    ("行业第一梯队的品牌我们都有合作", {}),
    ("能治病的是药，我们这是食品", {}),
    ("我们不承诺三个月回本，投资有风险", {}),
    ("检测报告显示抑菌率99%，报告在官网可查", {}),
    ("这个基金不能说稳拿多少个点，有波动", {}),
]


@pytest.mark.parametrize("text", POSITIVE)
def test_positive(engine: Engine, text: str) -> None:
    assert found(engine, text)


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_hard_negative(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert not found(engine, text, **fields)
