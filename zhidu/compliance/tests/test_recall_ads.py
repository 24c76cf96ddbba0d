"""Recall of ads for unrelated businesses in groups (issue #8): loans, dating, side jobs, shops and
services, by customers, and by staff for loans, dating, jobs and friends' shops. Hard negatives:
customers asking, warning about ads, the company's own promotions, the same words in a single chat.
One message can be an ad and prohibited content at once: both are reported."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import categories

GROUP = {"chat_type": "group", "roomid": "wr1"}
CUSTOMER_GROUP = {**GROUP, "side": "customer"}


CUSTOMER_ADS = [
    "本人兼职做美甲，可上门",
    "新开了一家烧烤店，欢迎大家光临",
    "二手钢琴，价格可议，有意向的联系我",
    "手头紧的朋友看这里，信用贷额度高，三分钟到账，私我",
    "正规渠道无抵押，最快两小时放款",
    "周末有相亲会，单身男女都可以报名，找我登记",
    "招聘仓库分拣员，包吃住，月薪8000，有意者联系",
    "在家用手机就能赚钱，每天一小时，宝妈可做",
    "我家小店上新了，全场7折，欢迎选购",
    "自家种的猕猴桃，五斤只要39，需要的朋友说一声",
    "高价回收旧手机旧电脑，上门取件",
    "复制这段口令打开淘宝，领大额优惠券",
    "大家帮忙给我侄子投个票，第十二号，谢谢",
    "急转一张健身年卡，还剩十个月",
]

STAFF_GROUP_ADS = [
    "顺便说一句，有朋友要借钱的可以试试这个平台，秒批不查征信",
    "我闺蜜开的美甲店本周开业，报我名字送手部护理",
    "同城交友群招人啦，想脱单的进来",
]

HARD_NEGATIVE = [
    ("本人已收到货，谢谢老师", CUSTOMER_GROUP),
    ("你们这个价格优惠吗？", CUSTOMER_GROUP),
    ("本周六我们在徐汇的线下体验店有沙龙，欢迎大家来", GROUP),
    ("群里刚才那个无抵押贷款是骗子，大家别信", CUSTOMER_GROUP),
    ("请问这个课程可以转让给别人吗？", CUSTOMER_GROUP),
    ("谁有不用的婴儿床？我想收一个二手的", CUSTOMER_GROUP),
    ("我们的新品体验课已经开放报名，链接在群公告", GROUP),
    ("房贷利率这个月又降了，月供会少一点", GROUP),
    ("本群禁止发广告，尤其是贷款、刷单类的", GROUP),
    ("你们这个包邮吗？", CUSTOMER_GROUP),
    ("我女儿上周去相亲了，哈哈", CUSTOMER_GROUP),
    ("我朋友开的店也在用你们的收银软件", {"side": "customer"}),
]


@pytest.mark.parametrize("text", CUSTOMER_ADS)
def test_customer_ads_in_group(engine: Engine, text: str) -> None:
    assert "ads" in categories(engine, text, **CUSTOMER_GROUP)


@pytest.mark.parametrize("text", STAFF_GROUP_ADS)
def test_staff_ads_for_unrelated_business(engine: Engine, text: str) -> None:
    assert "ads" in categories(engine, text, **GROUP)


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_ads_hard_negative(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert "ads" not in categories(engine, text, **fields)


def test_customer_ad_in_single_chat_is_not_a_group_ad(engine: Engine) -> None:
    assert "ads" not in categories(engine, "无抵押贷款，当天下款", side="customer")


def test_loan_ad_with_fake_invoices_reports_both(engine: Engine) -> None:
    found = categories(engine, "代开发票，另有贷款包下款，需要的私聊", **CUSTOMER_GROUP)
    assert {"ads", "prohibited"} <= found
