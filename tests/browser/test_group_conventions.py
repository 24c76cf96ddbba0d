"""A manager on a phone (390×844) finds a group breaking conventions, designates an admin and sends a reminder
for a nickname that is not '部门+姓名'."""

from __future__ import annotations

import pytest

from zhidu.groups import conventions
from zhidu.groups.models import ConventionIssue, GroupAdminDesignation
from zhidu.groups.tests.conventions_world import build_world
from zhidu.org.tests.factories import PASSWORD
from zhidu.wecom.models import OutboxMessage

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_fixes_conventions_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    world = build_world(actors)
    conventions.conventions_check_all()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
        log_in(page, live_server.url, "manager", PASSWORD)
        page.goto(f"{live_server.url}/groups/conventions/")
        assert "不符合群规范的群" in page.inner_text("h1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        with page.expect_navigation():
            page.click("text=销售一部-华为-服务群")
        section = page.locator("[data-testid=conventions]")
        assert "群昵称不是“部门+姓名”" in section.inner_text() and "销售一部孙主管" in section.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.select_option("[data-testid=designate-member]", label=actors.supervisor.name)
        with page.expect_navigation():
            page.click("[data-testid=designate]")
        assert "已指定管理员" in page.inner_text(".messages")
        assert GroupAdminDesignation.objects.filter(group=world.customer, member=actors.supervisor).exists()
        assert "没有指定管理员" not in page.inner_text("[data-testid=convention-issues]")

        issue = ConventionIssue.objects.get(group=world.customer, kind="nickname", resolved_at=None)
        with page.expect_navigation():
            page.click(f"[data-testid=remind-{issue.pk}]")
        assert "提醒已发送" in page.inner_text(".messages")
        assert OutboxMessage.objects.filter(to_userids=[actors.supervisor.wecom_userid]).count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert errors == []
    finally:
        context.close()
