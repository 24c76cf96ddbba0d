"""Meetings on a phone (390×844, zh-CN): a supervisor records the minutes of a team meeting with an action item
for `sales`, and `sales` sees the new task on the meeting page and opens it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from zhidu.org.tests.factories import PASSWORD
from zhidu.work import meetings_services as svc
from zhidu.work.models import ActionItem, Meeting, MeetingStatus, TaskStatus

from .conftest import fits
from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_minutes_with_an_action_item_become_a_task_for_sales(live_server, phone, actors):  # type: ignore[no-untyped-def]
    now = timezone.now()
    start = now - dt.timedelta(minutes=50)
    m = svc.meeting_create(
        actor=actors.supervisor,
        data=svc.MeetingInput(
            title="周例会：重点客户复盘",
            kind="team",
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=40),
            participant_ids=[actors.sales.pk],
            agenda="1. 上周业绩\n2. 重点客户",
            place="三楼会议室",
        ),
        now=start - dt.timedelta(hours=1),
    )
    due = timezone.localtime(now + dt.timedelta(days=2)).strftime("%Y-%m-%dT18:00")
    context, page, errors = phone.context, phone.page, phone.errors
    log_in(page, live_server.url, "supervisor", PASSWORD)
    page.goto(live_server.url + reverse("work:meeting_new"))
    assert page.is_visible("[data-testid=meeting-form]") and fits(page)
    page.goto(live_server.url + reverse("work:meetings") + "?when=past")
    assert "会议" in page.inner_text("h1") and fits(page)
    with page.expect_navigation():
        page.click("text=周例会：重点客户复盘")
    assert "三楼会议室" in page.inner_text("[data-testid=meeting-info]") and fits(page)
    page.fill("[data-testid=minutes-form] textarea[name=minutes]", "上周成交 3 单；华润便利需要上门拜访。")
    page.fill("input[name=item_title_0]", "上门拜访华润便利")
    page.select_option("select[name=item_assignee_0]", str(actors.sales.pk))
    page.fill("input[name=item_due_0]", due)
    with page.expect_navigation():
        page.click("[data-testid=minutes-submit]")
    assert "已举行" in page.inner_text("[data-testid=meeting-status]")
    assert "上门拜访华润便利" in page.inner_text("[data-testid=action-items]") and fits(page)
    item = ActionItem.objects.get()
    assert item.task is not None and list(item.task.assignees.all()) == [actors.sales]
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.HELD

    context.clear_cookies()
    log_in(page, live_server.url, "sales", PASSWORD)
    page.goto(live_server.url + reverse("work:meeting", args=[m.pk]))
    assert "上周成交 3 单" in page.inner_text("[data-testid=meeting-minutes]") and fits(page)
    with translation.override("zh-hans"):
        open_label = str(TaskStatus.OPEN.label)
    assert page.inner_text("[data-testid=action-item-task]").strip() == open_label
    with page.expect_navigation():
        page.click("[data-testid=action-item-task]")
    assert "上门拜访华润便利" in page.inner_text("main") and fits(page)
    assert errors == []
