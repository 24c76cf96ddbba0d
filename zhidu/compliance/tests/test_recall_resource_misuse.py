"""Recall of company resources used for personal business (issue #8): the company's account, mass
sending, groups and customers used for the salesperson's own sales or favours. Hard negatives:
quoting the rule, approved company mass sends, proper handovers, company events."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import categories

GROUP = {"chat_type": "group", "roomid": "wr1"}


POSITIVE = [
    ("帮我在客户群里发一下我家狗狗的领养信息", {}),
    ("用你的企业微信帮我加一下这些人，我要卖保健品", {}),
    ("我周末在做家教，有需要的家长找我", GROUP),
    ("我在卖自己做的蛋糕，群里的家长可以订", GROUP),
    ("借公司的公众号推一下我自己做的手工皂", {}),
    ("用企微群发帮我把我姐的民宿房源发给所有客户", {}),
    ("等我跳槽了，这些客户我都带过去", {}),
    ("公司客户名单我导到我私人的表格里了，以后自己联系", {}),
    ("我业余在卖茶叶，老客户买给你们便宜", {}),
    ("我平时也在做代购，日本的化妆品都能带", {}),
    ("老家自己晒的笋干，公司客户价五十一斤", {}),
    ("各位家长麻烦给我儿子的绘画作品点个赞，谢谢", GROUP),
    ("给大家介绍一下我表哥开的装修公司，做工很细", GROUP),
    ("我下班后自己在卖手工皂，您要不要试试", {}),
    ("我爸种的橙子熟了，您要的话我给您寄一箱", {}),
]

HARD_NEGATIVE = [
    ("帮我在群里发一下下周的课程通知", {}),
    ("用你的企业微信帮我加一下这位客户，他要续费", {}),
    ("这款蛋糕是门店自己做的，需要的可以在小程序订", GROUP),
    ("企业微信只能用于工作，请勿用公司账号发个人信息", GROUP),
    ("这次群发的新品介绍已经过主管审核", {}),
    ("我离职后客户会统一转给新的顾问跟进", {}),
    ("公司年会投票在OA里，大家帮忙投一下", GROUP),
    ("不用报公司的名字，直接报您手机号就能查", {}),
    ("我们公司的客户群只发课程通知", GROUP),
    ("我自己也在用这款面霜，效果不错", {}),
    ("我自己做的方案PPT，您要不要看看", {}),
    ("我妈做的饺子特别好吃", {}),
    ("我家孩子也在学这个课，您要不要一起报", {}),
]


@pytest.mark.parametrize(("text", "fields"), POSITIVE)
def test_resource_misuse_found(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "resource_misuse" in categories(engine, text, **fields)


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_resource_misuse_hard_negative(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "resource_misuse" not in categories(engine, text, **fields)


def test_family_shop_in_single_chat_is_not_group_promotion(engine: Engine) -> None:
    # a family member's shop named in a single chat is no use of a group (private_deal may apply)
    found = {f.rule for f in engine.scan_text("扫这个码就行，是我姐开的店")}
    assert "resource_misuse.group_favours" not in found


def test_customer_vote_request_is_not_resource_misuse(engine: Engine) -> None:
    assert "resource_misuse" not in categories(engine, "麻烦大家帮我女儿投个票", side="customer", **GROUP)
