"""The target tree editor on a phone (390×844): a manager splits a supervisor's target, sees the gap close and
the progress move when an order is approved."""

from __future__ import annotations

import pytest

from zhidu.core.periods import local_today
from zhidu.org.tests.factories import PASSWORD
from zhidu.sales.models import OrderStatus, TargetNode
from zhidu.sales.services.targets import Part, target_company_set, target_split
from zhidu.sales.tests.targets_helpers import make_order

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_splits_a_target_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    today = local_today()
    root = target_company_set(actor=actors.director, period="month", start=today, metric="revenue", amount="1000")
    target_split(actor=actors.director, node=root, parts=[Part(actors.manager.pk, Decimal("1000"))])
    manager = TargetNode.objects.get(owner=actors.manager)
    target_split(
        actor=actors.manager,
        node=manager,
        parts=[Part(actors.supervisor.pk, Decimal("600")), Part(actors.supervisor_b.pk, Decimal("400"))],
    )
    sup_b = TargetNode.objects.get(owner=actors.supervisor_b)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, live_server.url, "manager", PASSWORD)
        page.goto(f"{live_server.url}/sales/targets/")
        node = page.locator(f"[data-testid=node-{actors.supervisor_b.pk}]")
        assert node.locator("[data-testid=amount]").inner_text() == "¥400.00"
        assert node.locator("[data-testid=gap]").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        with page.expect_navigation():
            page.click(f"[data-testid=split-{actors.supervisor_b.pk}]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.fill(f"[data-testid=amount-{actors.sales_b.pk}]", "300")
        with page.expect_navigation():
            page.click("[data-testid=save-split]")
        assert "分解已保存" in page.inner_text(".messages")
        node = page.locator(f"[data-testid=node-{actors.supervisor_b.pk}]")
        assert "尚未分解" in node.locator("[data-testid=gap]").inner_text()
        assert "100" in node.locator("[data-testid=gap]").inner_text()
        assert TargetNode.objects.get(owner=actors.sales_b, parent=sup_b).amount == Decimal("300.00")

        # An order approved for sales_b moves achievement up the tree.
        make_order({actors.sales_b: 100}, "150.00", status=OrderStatus.APPROVED, booked_on=today)
        page.reload()
        child = page.locator(f"[data-testid=node-{actors.sales_b.pk}]")
        assert child.locator("[data-testid=actual]").inner_text() == "¥150.00"
        assert child.locator("[data-testid=percent]").inner_text() == "50.0%"
        assert child.locator("progress").get_attribute("value") == "50"
        mgr = page.locator(f"[data-testid=node-{actors.manager.pk}]")
        assert mgr.locator("[data-testid=actual]").inner_text() == "¥150.00"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert errors == []
    finally:
        context.close()
