"""An order on a phone (390×844): a salesperson submits a price beyond their authority, their supervisor may only
escalate it, the manager approves it; the order ends approved and booked today, and the month's revenue target tree
shows the achievement at the salesperson's target and every target above it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from zhidu.core.periods import local_today
from zhidu.org.tests.factories import PASSWORD
from zhidu.sales.models import Order, TargetNode
from zhidu.sales.services.targets import Part, target_company_set, target_split
from zhidu.sales.tests.factories import ProductFactory, follow

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEFAULTS = {"sales": Decimal(0), "supervisor": Decimal(5), "manager": Decimal(10), "director": Decimal(20)}


def _no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@override_settings(SALES_DISCOUNT_DEFAULTS=DEFAULTS)
def test_order_escalated_by_the_supervisor_and_approved_by_the_manager(live_server, browser, actors):  # type: ignore[no-untyped-def]
    product = ProductFactory(code="CRM-STD", name="客户管理系统", list_price=Decimal("10000.00"))
    customer = follow(actors.sales)
    root = target_company_set(
        actor=actors.director, period="month", start=local_today(), metric="revenue", amount="100000"
    )
    target_split(actor=actors.director, node=root, parts=[Part(actors.manager.pk, Decimal("100000"))])
    manager_node = TargetNode.objects.get(owner=actors.manager)
    target_split(actor=actors.manager, node=manager_node, parts=[Part(actors.supervisor.pk, Decimal("60000"))])
    supervisor_node = TargetNode.objects.get(owner=actors.supervisor)
    target_split(actor=actors.supervisor, node=supervisor_node, parts=[Part(actors.sales.pk, Decimal("40000"))])
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, live_server.url, "sales", PASSWORD)
        page.click("nav.mainnav a[href='/sales/orders/']")
        page.click("[data-testid=new-order]")
        page.select_option("select[name=customer]", str(customer.pk))
        page.select_option("select[name=line-0-product]", str(product.pk))
        page.fill("input[name=line-0-quantity]", "2")
        page.fill("input[name=line-0-unit_price]", "9200")  # 8% off: beyond a supervisor's 5%
        _no_sideways_scroll(page)
        with page.expect_navigation():
            page.click("[data-testid=submit]")
        assert page.inner_text("[data-testid=status]") == "待审批"
        assert page.inner_text("[data-testid=reviewer]") == actors.supervisor.name
        assert page.inner_text("[data-testid=required]") == "销售经理"
        _no_sideways_scroll(page)
        order = Order.objects.get()
        context.clear_cookies()

        log_in(page, live_server.url, "supervisor", PASSWORD)
        page.click("nav.mainnav a[href='/sales/approvals/']")
        page.click("[data-testid=open]")
        with page.expect_navigation():
            page.click("[data-testid=approve]")
        assert "销售经理" in page.inner_text("[data-testid=error]")  # may not approve; may only escalate
        assert page.inner_text("[data-testid=status]") == "待审批"
        _no_sideways_scroll(page)
        with page.expect_navigation():
            page.click("[data-testid=escalate]")
        context.clear_cookies()

        log_in(page, live_server.url, "manager", PASSWORD)
        page.goto(f"{live_server.url}/sales/approvals/")
        assert page.locator("[data-testid=open]").count() == 1
        page.click("[data-testid=open]")
        with page.expect_navigation():
            page.click("[data-testid=approve]")
        page.goto(f"{live_server.url}/sales/orders/{order.pk}/")
        assert page.inner_text("[data-testid=status]") == "已通过"
        _no_sideways_scroll(page)
        # The approval moved achievement on the target tree: the salesperson's target and every one above it.
        page.goto(f"{live_server.url}/sales/targets/")
        for owner in (actors.sales, actors.supervisor, actors.manager):
            actual = page.locator(f"[data-testid=node-{owner.pk}] [data-testid=actual]").inner_text()
            assert actual.replace("¥", "").replace(",", "") == "18400.00", (owner.name, actual)
        sales_percent = page.locator(f"[data-testid=node-{actors.sales.pk}] [data-testid=percent]").inner_text()
        assert sales_percent == "46.0%"
        _no_sideways_scroll(page)
    finally:
        context.close()
    order.refresh_from_db()
    assert order.status == "approved" and order.decided_by == actors.manager
    assert order.booked_on == local_today()
    assert order.total == Decimal("18400.00")
