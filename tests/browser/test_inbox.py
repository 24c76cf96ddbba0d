"""The notification inbox on a phone: no sideways scroll at 390 px, opening a notification lands on its page
and the unread badge drops."""

from __future__ import annotations

import pytest

from zhidu.core.notifications import notify
from zhidu.org.tests.factories import PASSWORD

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_salesperson_reads_inbox_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    for i in range(3):
        notify(
            member_ids=[actors.sales.pk],
            title=f"新制度《客户信息保护管理办法（2026年修订版）》请签收 {i}",
            body="请在生效日前阅读并签收。" * 6,
            url="/policies/",
            action="签收",
        )
    notify(member_ids=[actors.sales.pk], title="外部链接", url="https://evil.example/")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        csp: list[str] = []
        page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)
        log_in(page, live_server.url, "sales", PASSWORD)
        assert page.inner_text("[data-testid=unread]") == "4"

        page.click("nav.mainnav a[href='/notifications/']")
        page.wait_for_selector("[data-testid=inbox]")
        assert page.locator("li.note.unread").count() == 4
        assert page.locator("a[href*='evil.example']").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        with page.expect_navigation():
            page.locator("[data-testid=open]").first.click()
        assert page.url == f"{live_server.url}/policies/"
        assert page.inner_text("[data-testid=unread]") == "3"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.goto(f"{live_server.url}/notifications/")
        assert page.locator("li.note.unread").count() == 3
        assert csp == []
    finally:
        context.close()
