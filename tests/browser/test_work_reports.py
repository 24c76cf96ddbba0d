"""Periodic reports on a phone (390×844): a salesperson opens the daily report pre-filled from the day's records,
adds a line, submits it, and the supervisor finds it in the inbox and marks it reviewed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhidu.core.periods import company_tz
from zhidu.customers.tests.factories import FollowFactory
from zhidu.org.tests.factories import PASSWORD
from zhidu.work import reports_selectors as sel
from zhidu.work import reports_services as svc
from zhidu.work.models import Report, ReportStatus

from .conftest import fits
from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_daily_report_written_and_reviewed_on_a_phone(live_server, phone, actors):  # type: ignore[no-untyped-def]
    svc.template_save(
        actor=actors.director,
        department=None,
        kind="daily",
        sections=[{"label": "今日小结", "required": True}, {"label": "明日计划", "required": False}],
        roles=["sales"],
    )
    day = sel.reports_due_for(actors.sales, limit=1)[0].period_start
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=company_tz())
    FollowFactory(member=actors.sales, createtime=noon)
    FollowFactory(member=actors.sales, createtime=noon + dt.timedelta(minutes=5))
    context, page, errors = phone.context, phone.page, phone.errors
    log_in(page, live_server.url, "sales", PASSWORD)
    page.goto(live_server.url + reverse("work:reports"))
    assert "工作汇报" in page.inner_text("h1") and "日报" in page.inner_text("[data-testid=report-due]")
    assert fits(page)
    with page.expect_navigation():
        page.locator("[data-testid=report-write-daily]").first.click()
    figures = page.inner_text("[data-testid=report-figures]")
    assert "新增客户" in figures and page.inner_text("[data-testid=figure-customers_added] dd") == "2"
    assert fits(page)
    page.fill("[data-testid=section-0]", "回访两位新客户，发送了报价。")
    page.fill("[data-testid=section-1]", "跟进报价单。")
    with page.expect_navigation():
        page.click("[data-testid=report-submit]")
    assert "已提交" in page.inner_text(".messages") and "已提交" in page.inner_text("[data-testid=report-status]")
    assert "回访两位新客户" in page.inner_text("[data-testid=report-sections]") and fits(page)
    report = Report.objects.get(member=actors.sales)
    assert report.status == ReportStatus.SUBMITTED and report.figures["customers_added"] == 2

    context.clear_cookies()
    log_in(page, live_server.url, "supervisor", PASSWORD)
    page.goto(live_server.url + reverse("work:reports") + "?view=inbox")
    listing = page.inner_text("[data-testid=report-list]")
    assert actors.sales.name in listing and "日报" in listing and fits(page)
    with page.expect_navigation():
        page.click(f"a[href='{reverse('work:report', args=[report.pk])}']")
    assert "回访两位新客户" in page.inner_text("main")
    page.fill("textarea[name=text]", "报价跟进得及时，继续保持。")
    with page.expect_navigation():
        page.click("[data-testid=review-submit]")
    assert "已审阅" in page.inner_text("[data-testid=report-status]") and fits(page)
    assert "继续保持" in page.inner_text("[data-testid=report-comments]")
    page.goto(live_server.url + reverse("work:reports") + "?view=completeness")
    assert fits(page)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.REVIEWED
    assert errors == []
