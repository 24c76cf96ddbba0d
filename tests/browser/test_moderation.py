"""Moderation on a phone (390 px): a supervisor orders a customer muted in a customer group, the owner confirms it
from "my moderation tasks", and the group page's ledger shows it done."""

from __future__ import annotations

import pytest

from zhidu.groups.models import ActionStatus, ModerationAction
from zhidu.groups.tests.moderation_fixtures import CUSTOMER, build_world
from zhidu.org.tests.factories import PASSWORD

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth") <= 390)


def test_supervisor_orders_a_mute_and_the_owner_confirms(live_server, browser, actors):  # type: ignore[no-untyped-def]
    world = build_world(actors)
    context, page = _phone(browser)
    try:
        log_in(page, live_server.url, "supervisor", PASSWORD)
        page.goto(f"{live_server.url}/groups/{world.group.pk}/")
        assert _fits(page)
        page.click("[data-testid=order-action]")
        page.wait_for_selector("[data-testid=order-form]")
        assert _fits(page)
        page.select_option("select[name=kind]", "mute")
        page.select_option("select[name=target]", CUSTOMER)
        page.select_option("select[name=article]", str(world.article.pk))
        page.fill("textarea[name=reason]", "在群里发广告，禁言三天")
        with page.expect_navigation():
            page.click("[data-testid=order-form] button.primary")
        assert "待执行的群管任务" in page.inner_text("[data-testid=moderation-open-tasks]")
        assert "禁言" in page.inner_text("[data-testid=moderation-open-tasks]")
        assert _fits(page)
    finally:
        context.close()

    action = ModerationAction.objects.get()
    assert action.status == ActionStatus.PENDING
    context, page = _phone(browser)
    try:
        log_in(page, live_server.url, "sales", PASSWORD)
        page.goto(f"{live_server.url}/groups/moderation/tasks/")
        task = page.locator(f"[data-testid=task-{action.pk}]")
        assert "在群里发广告" in task.inner_text()
        assert _fits(page)
        with page.expect_navigation():
            task.locator("[data-testid=confirm]").click()
        assert page.locator(f"[data-testid=task-{action.pk}]").count() == 0
        page.goto(f"{live_server.url}/groups/{world.group.pk}/")
        ledger = page.inner_text("[data-testid=moderation-ledger]")
        assert "禁言" in ledger and "已完成" in ledger and "周销售" in ledger
        assert _fits(page)
    finally:
        context.close()
    action.refresh_from_db()
    assert (action.status, action.done_by) == (ActionStatus.DONE, actors.sales)
