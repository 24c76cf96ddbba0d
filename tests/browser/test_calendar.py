"""Meetings and training on a phone (390×844): a supervisor plans a meeting, edits and cancels it; a manager turns
on flagging messages during meetings for the department."""

from __future__ import annotations

import pytest

from zhidu.org.models import CalendarEntry, MeetingFlag
from zhidu.org.tests.factories import PASSWORD

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth") <= 390)


def test_plan_edit_cancel_and_flag_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, live_server.url, "supervisor", PASSWORD)
        page.goto(f"{live_server.url}/org/calendar/")
        assert "会议与培训" in page.inner_text("h1") and _fits(page)
        with page.expect_navigation():
            page.click("[data-testid=session-new]")
        assert _fits(page)
        page.fill("input[name=title]", "周一晨会")
        page.select_option("select[name=department]", str(actors.dept1.pk))
        page.fill("input[name=starts_at]", "2026-12-07T09:00")
        page.fill("input[name=ends_at]", "2026-12-07T09:30")
        with page.expect_navigation():
            page.click("#session-form button[type=submit]")
        assert "已保存" in page.inner_text(".messages")
        row = page.locator("[data-session=周一晨会]")
        assert "整个部门" in row.inner_text() and "2026-12-07 09:00" in row.inner_text() and _fits(page)

        with page.expect_navigation():
            row.locator("a").click()
        page.fill("input[name=title]", "周一早会")
        with page.expect_navigation():
            page.click("#session-form button[type=submit]")
        entry = CalendarEntry.objects.get()
        assert entry.title == "周一早会"
        with page.expect_navigation():
            page.click(f"{'[data-session=周一早会]'} a")
        with page.expect_navigation():
            page.click("[data-testid=session-cancel]")
        assert "取消" in page.locator("[data-session=周一早会]").inner_text() and _fits(page)
        entry.refresh_from_db()
        assert entry.cancelled_at is not None

        context.clear_cookies()
        log_in(page, live_server.url, "manager", PASSWORD)
        page.goto(f"{live_server.url}/org/calendar/")
        flag = page.locator(f"[data-flag={actors.dept1.name}]")
        assert "关闭" in flag.inner_text()
        with page.expect_navigation():
            flag.locator("button").click()
        assert "开启" in page.locator(f"[data-flag={actors.dept1.name}]").inner_text() and _fits(page)
        assert MeetingFlag.objects.get(department=actors.dept1).flag_messages is True
        assert errors == []
    finally:
        context.close()
