"""A salesperson on a phone (390×844) opens a customer, records a follow-up and moves the stage; the page never
scrolls sideways and shows the record, the chat timeline and the history."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhidu.customers.development.services import development_update
from zhidu.customers.tests.factories import FollowFactory, TagFactory
from zhidu.org.tests.factories import PASSWORD

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_salesperson_records_a_followup_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    follow = FollowFactory(
        member=actors.sales,
        customer__name="华润万家（深圳南山科技园旗舰店采购部）",
        customer__corp_name="华润万家有限公司",
        createtime=timezone.now(),
    )
    follow.tags.add(TagFactory(name="重点客户"))
    development_update(actor=actors.sales, follow_id=follow.pk, budget="十万以内", need="收银系统升级，" * 8)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        csp: list[str] = []
        page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)
        log_in(page, live_server.url, "sales", PASSWORD)
        page.goto(f"{live_server.url}/customers/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        with page.expect_navigation():
            page.click(f"a[href='/customers/{follow.customer_id}/']")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.inner_text(f"[data-testid=follow-{follow.pk}] [data-testid=stage]") == "待跟进"

        page.click("[data-testid=followup-entry] summary")
        page.select_option("[data-testid=followup-entry] select[name=kind]", "visit")
        page.fill("[data-testid=followup-entry] textarea[name=summary]", "上门拜访采购经理，确认预算和上线时间")
        page.fill("[data-testid=followup-entry] input[name=next_step]", "周五前发送报价")
        page.fill("[data-testid=followup-entry] input[name=next_action_on]", "2026-12-31")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        with page.expect_navigation():
            page.click("[data-testid=followup-entry] button")
        assert "上门拜访采购经理" in page.inner_text("[data-testid=followups]")
        assert "周五前发送报价" in page.inner_text("[data-testid=next-action]")
        assert "跟进已记录" in page.inner_text("body")

        page.click(f"[data-testid=follow-{follow.pk}] details:not([data-testid]) summary >> nth=0")
        page.select_option(f"[data-testid=follow-{follow.pk}] select[name=stage]", "proposal")
        with page.expect_navigation():
            page.click(f"[data-testid=follow-{follow.pk}] details[open] button")
        assert page.inner_text(f"[data-testid=follow-{follow.pk}] [data-testid=stage]") == "方案/报价"
        assert "客户开发信息已修改" in page.inner_text("[data-testid=history]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert csp == []
    finally:
        context.close()
