"""A supervisor reads the reply dashboard on a phone (390×844): figures in Chinese beside WeCom's, the customer
still waiting, no sideways scroll; a manager edits the department's working calendar on a phone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from zhidu.compliance.services import archive_ingest
from zhidu.compliance.tests.factories import text_record, write_jsonl
from zhidu.org.models import WorkingCalendar
from zhidu.org.tests.factories import PASSWORD
from zhidu.wecom.archive import JsonlFileSource
from zhidu.wecom.models import BehaviorDay

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")


def _ms(t: dt.datetime) -> int:
    return int(t.timestamp() * 1000)


def test_reply_dashboard_on_a_phone(live_server, browser, actors, tmp_path):  # type: ignore[no-untyped-def]
    s, c = actors.sales.wecom_userid, "wmPhoneCustomer01"
    day = dt.datetime(2026, 9, 28, 10, tzinfo=SH)
    records = [
        text_record(c, s, "请问课程什么时候开始", msgtime=_ms(day)),
        text_record(s, c, "下周一开始", msgtime=_ms(day + dt.timedelta(minutes=12))),
        text_record(c, s, "想了解一下退费的规则和具体流程，麻烦尽快回复", msgtime=_ms(day + dt.timedelta(hours=2))),
    ]  # fmt: skip
    archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / "a.jsonl", records)))
    BehaviorDay.objects.create(member=actors.sales, day=day.date(), chat_cnt=4, reply_percentage=75.0,
                               avg_reply_time=9.0, fetched_at=timezone.now())  # fmt: skip
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, live_server.url, "supervisor", PASSWORD)
        page.goto(f"{live_server.url}/compliance/reply/?start=2026-09-28&end=2026-09-28")
        page.wait_for_selector("[data-testid=reply-members]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        members = page.locator("[data-testid=reply-members]").inner_text()
        assert actors.sales.name in members and "75.0%" in members and "12.0" in members
        labels = page.locator("[data-testid=reply-members] td[data-label]").evaluate_all(
            "cells => cells.map(c => getComputedStyle(c, '::before').content)"
        )
        assert any("企业微信回复率" in label for label in labels)  # each cell names its column on a phone
        assert "退费" in page.locator("[data-testid=reply-slowest]").inner_text()
        assert "孙主管 团队" in page.locator("[data-testid=reply-teams]").inner_text()
    finally:
        context.close()


def test_calendar_edit_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, live_server.url, "manager", PASSWORD)
        page.goto(f"{live_server.url}/org/calendars/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"{live_server.url}/org/calendars/{actors.dept1.pk}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.fill("input[name=spans]", "08:30-12:00, 13:30-17:30")
        page.fill("textarea[name=exceptions]", "2026-10-01 休 国庆\n2026-10-10 班")
        with page.expect_navigation():
            page.click("button.primary")
        assert "工作日历已保存" in page.content()
        cal = WorkingCalendar.objects.get(department=actors.dept1)
        assert cal.spans == [[510, 720], [810, 1050]] and cal.exceptions.count() == 2
    finally:
        context.close()
