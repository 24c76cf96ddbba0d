"""Tasks on a phone (390×844, zh-CN): the supervisor gives `sales` a task with a checklist item, `sales` finds it
under My work, ticks the item and marks the task done, and the supervisor's board shows it done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from zhidu.org.tests.factories import PASSWORD
from zhidu.work.models import Task, TaskStatus

from .conftest import fits
from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_task_given_ticked_and_done_on_a_phone(live_server, phone, actors):  # type: ignore[no-untyped-def]
    context, page, errors = phone.context, phone.page, phone.errors
    log_in(page, live_server.url, "supervisor", PASSWORD)
    page.goto(live_server.url + reverse("work:task_new"))
    assert "新建任务" in page.inner_text("h1") and fits(page)
    assert actors.sales_b.name not in page.inner_text("[data-testid=field-assignees]")
    page.fill("input[name=title]", "回访上周签约客户")
    page.check(f"input[name=assignees][value='{actors.sales.pk}']")
    due = timezone.localtime(timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT18:00")
    page.fill("input[name=due_at]", due)
    page.fill("textarea[name=checklist]", "确认收货情况")
    with page.expect_navigation():
        page.click("[data-testid=task-submit]")
    assert "未开始" in page.inner_text("[data-testid=task-status]") and fits(page)

    context.clear_cookies()
    log_in(page, live_server.url, "sales", PASSWORD)
    page.goto(live_server.url + reverse("work:my_work"))
    assert "我的工作" in page.inner_text("h1") and fits(page)
    with page.expect_navigation():
        page.click("[data-testid=my-tasks] >> text=回访上周签约客户")
    assert "确认收货情况" in page.inner_text("[data-testid=task-checklist]") and fits(page)
    with page.expect_navigation():
        page.click("[data-testid=check-toggle]")
    assert page.get_attribute("[data-testid=check-toggle]", "aria-pressed") == "true"
    with page.expect_navigation():
        page.click("[data-testid=task-done]")
    assert "已完成" in page.inner_text("[data-testid=task-status]") and fits(page)
    task = Task.objects.get()
    assert task.status == TaskStatus.DONE and task.done_on_time is True
    assert task.checklist.get().done_by == actors.sales

    context.clear_cookies()
    log_in(page, live_server.url, "supervisor", PASSWORD)
    page.goto(live_server.url + reverse("work:board"))
    assert "回访上周签约客户" in page.inner_text("[data-testid=board-col-done]")
    assert "回访上周签约客户" not in page.inner_text("[data-testid=board-col-open]") and fits(page)
    page.goto(live_server.url + reverse("work:plans"))
    page.click("[data-testid=plan-new] summary")
    page.fill("input[name=title]", "本月团队计划")
    page.fill("textarea[name=goals]", "每人每周新增有效客户五个。")
    with page.expect_navigation():
        page.click("[data-testid=plan-submit]")
    assert "本月团队计划" in page.inner_text("h1") and fits(page)
    assert errors == []
