"""An order on a phone (390×844): a salesperson submits a price beyond their authority, their supervisor may only
escalate it, the manager approves it; the order ends approved and booked today."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from zhidu.core.periods import local_today
from zhidu.org.tests.factories import PASSWORD
from zhidu.sales.models import Order
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
    finally:
        context.close()
    order.refresh_from_db()
    assert order.status == "approved" and order.decided_by == actors.manager
    assert order.booked_on == local_today()
    assert order.total == Decimal("18400.00")
