"""Performance pages on a phone (390×844): the salesperson's scorecard breakdown and acknowledgement, the
supervisor's team ranking with its history chart (ECharts draws without script errors), the KPI form."""

from __future__ import annotations

import pytest

from zhidu.org.tests.factories import PASSWORD
from zhidu.performance.models import Scorecard
from zhidu.performance.services import ranking_freeze, scorecards_compute
from zhidu.performance.tests.helpers import followups_set, last_month, this_month
from zhidu.performance.tests.test_compute import add_followups, in_last_month

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scorecard_and_ranking_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    followups_set(actors.admin)
    add_followups(actors.sales, 4, when=in_last_month())
    add_followups(actors.sales, 6)
    ranking_freeze(actor=actors.director, kind="month", start=last_month())
    scorecards_compute(actor=None, kind="month", start=this_month())
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, live_server.url, "sales", PASSWORD)
        page.goto(f"{live_server.url}/performance/")
        assert page.inner_text("[data-testid=total]") == "76.00"  # 6/10 × 60 % + 40 %
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        with page.expect_navigation():
            page.click("[data-testid=acknowledge]")
        assert "已确认" in page.inner_text(".messages")
        assert Scorecard.objects.get(member=actors.sales, start=this_month()).acknowledged_at is not None
        context.clear_cookies()

        log_in(page, live_server.url, "supervisor", PASSWORD)
        page.goto(f"{live_server.url}/performance/rankings/")
        assert page.inner_text(f"[data-testid=row-{actors.sales.pk}] [data-testid=rank]") == "1"
        page.wait_for_selector("#ranking-chart canvas")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        context.clear_cookies()

        log_in(page, live_server.url, "admin", PASSWORD)
        page.goto(f"{live_server.url}/performance/kpis/new/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"{live_server.url}/performance/kpis/")
        assert "考核" in page.inner_text("h1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert errors == []
    finally:
        context.close()
