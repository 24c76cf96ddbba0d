"""A supervisor handles a profile review on a phone (390 px): the list, approved vs current side by side,
asking the member to restore with a reason; the member reads what to change back in their inbox."""

from __future__ import annotations

import pytest

from zhidu.org.models import ProfileReview, ReviewStatus
from zhidu.org.profiles import profile_observe
from zhidu.org.tests.factories import PASSWORD

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROFILE = {
    "name": "周销售",
    "alias": "小周",
    "avatar": "https://wework.qpic.cn/wwpic/100_1/0",
    "external_position": "销售顾问",
    "external_profile": {
        "external_corp_name": "示例科技有限公司",
        "external_attr": [
            {"type": 0, "name": "服务热线", "text": {"value": "400-100-1000"}},
            {
                "type": 1,
                "name": "官网",
                "web": {"url": "https://www.example.com/a/very/long/path/to/page", "title": "官网"},
            },
        ],
    },
}


def test_supervisor_asks_to_restore_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    profile_observe(member=actors.sales, observed=PROFILE)
    profile_observe(
        member=actors.sales,
        observed={**PROFILE, "external_position": "首席理财规划师", "avatar": "https://wework.qpic.cn/wwpic/77_7/0"},
    )
    review = ProfileReview.objects.get(member=actors.sales)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        csp: list[str] = []
        page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)
        log_in(page, live_server.url, "supervisor", PASSWORD)
        page.goto(f"{live_server.url}/org/profile-reviews/")
        page.wait_for_selector("[data-testid=profile-reviews]")
        assert "资料审核" in page.inner_text("h1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        with page.expect_navigation():
            page.click(f"li[data-review='{review.pk}'] a")
        table = page.inner_text("[data-testid=compare]")
        assert "销售顾问" in table and "首席理财规划师" in table and "对外职务" in table
        assert page.locator("tr.changed").count() == 2
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.fill("[data-testid=reason]", "对外职务须与岗位一致")
        with page.expect_navigation():
            page.click("button:has-text('要求恢复')")
        assert page.inner_text("[data-testid=status]") == "已要求恢复"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        review.refresh_from_db()
        assert review.status == ReviewStatus.RESTORE_REQUESTED

        member_page = context.new_page()
        member_page.set_default_timeout(15000)
        context.clear_cookies()
        log_in(member_page, live_server.url, "sales", PASSWORD)
        member_page.goto(f"{live_server.url}/notifications/")
        inbox = member_page.inner_text("[data-testid=inbox]")
        assert "请恢复已批准的企业微信资料" in inbox and "请改回 销售顾问" in inbox
        assert member_page.evaluate("document.documentElement.scrollWidth") <= 390
        assert csp == []
    finally:
        context.close()
