"""Discipline on a phone (390×844): a supervisor confirms a violation with a loss on the violation review page,
approves the proposed fine in the inbox, the member appeals, the manager upholds the appeal, and the fine shows
as reversed (the violation overturned). Across apps: the confirmed violation lowers the member's scorecard
(performance recomputes it on `violation.confirmed`), and the upheld appeal brings it back to its previous score,
which the member reads on their scorecard page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhidu.compliance.models import ViolationStatus
from zhidu.compliance.tests.factories import make_violation
from zhidu.discipline.models import Sanction, Status
from zhidu.discipline.services import policy_defaults
from zhidu.org.tests.factories import PASSWORD
from zhidu.performance.models import Scorecard
from zhidu.performance.services import scorecard_compute
from zhidu.performance.tests.helpers import followups_set, this_month

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


def _phone(browser, live_server, username):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, live_server.url, username, PASSWORD)
    return context, page


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def _card(member):  # type: ignore[no-untyped-def]
    return Scorecard.objects.get(member=member, period_kind="month", start=this_month())


def test_fine_approved_appealed_and_reversed_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    policy_defaults()
    followups_set(actors.director)  # follow-ups 60 %, confirmed violations 40 % (full marks at none)
    v = make_violation(actors.sales)
    v.citation = "《销售行为规范》第十七条"
    v.occurred_at = timezone.now()
    v.save(update_fields=["citation", "occurred_at"])
    scorecard_compute(actor=None, member=actors.sales, kind="month", start=this_month())
    before = _card(actors.sales).total

    context, page = _phone(browser, live_server, "supervisor")
    try:
        page.goto(f"{live_server.url}/compliance/violations/{v.pk}/")
        page.fill("[data-testid=loss-amount]", "500")
        page.click("button[name=decision][value=confirm]")
        page.wait_for_selector("[data-testid=review-status]")
        s = Sanction.objects.get(violation=v)
        page.goto(f"{live_server.url}/discipline/inbox/")
        _fits(page)
        with page.expect_navigation():
            page.click(f"[data-testid=sanction-{s.pk}] [data-testid=open]")
        assert page.inner_text("[data-testid=kind]") == "罚款"
        assert "《销售行为规范》第十七条" in page.inner_text("[data-testid=citation]")
        assert "损失" in page.inner_text("[data-testid=reasons]")
        _fits(page)
        with page.expect_navigation():
            page.click("[data-testid=approve]")
        assert page.inner_text("[data-testid=status]") == "已通过"
    finally:
        context.close()
    s.refresh_from_db()
    assert s.status == Status.APPROVED
    assert _card(actors.sales).total < before  # the confirmed violation counts against the member

    context, page = _phone(browser, live_server, "sales")
    try:
        page.goto(f"{live_server.url}/discipline/{s.pk}/")
        _fits(page)
        page.fill("[data-testid=appeal-text]", "客户已撤回投诉，损失已追回")
        with page.expect_navigation():
            page.click("[data-testid=appeal-send]")
        assert page.locator("[data-testid=appeal-status]").count() == 1
    finally:
        context.close()

    context, page = _phone(browser, live_server, "manager")
    try:
        page.goto(f"{live_server.url}/discipline/inbox/")
        with page.expect_navigation():
            page.click(f"[data-testid=appeals] [data-testid=sanction-{s.pk}] [data-testid=open]")
        _fits(page)
        page.fill("[data-testid=appeal-reason]", "损失已追回，撤销罚款")
        with page.expect_navigation():
            page.click("[data-testid=uphold]")
        assert page.inner_text("[data-testid=status]") == "申诉后撤销"
        assert page.inner_text("[data-testid=appeal-status]") == "申诉成立"
        _fits(page)
    finally:
        context.close()
    v.refresh_from_db()
    assert v.status == ViolationStatus.OVERTURNED
    assert _card(actors.sales).total == before

    context, page = _phone(browser, live_server, "compliance")  # the records list and the policy pages
    try:
        page.goto(f"{live_server.url}/discipline/")
        assert "《销售行为规范》第十七条" in page.inner_text("main")
        _fits(page)
        page.goto(f"{live_server.url}/discipline/policies/")
        _fits(page)
        with page.expect_navigation():
            page.locator("main a[href^='/discipline/policies/']").first.click()
        assert page.locator("form").count() >= 1
        _fits(page)
    finally:
        context.close()

    context, page = _phone(browser, live_server, "sales")
    try:
        page.goto(f"{live_server.url}/performance/")
        assert page.inner_text("[data-testid=total]") == str(before)
        _fits(page)
    finally:
        context.close()
