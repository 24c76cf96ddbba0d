"""The suggestion box on a phone (390×844): a salesperson writes an anonymous suggestion, the manager finds it in
their inbox without the author's name and accepts it, and the author reads the answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhidu.org.tests.factories import PASSWORD
from zhidu.work.models import Suggestion, SuggestionStatus

from .conftest import fits
from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_suggestion_answered_on_a_phone(live_server, phone, actors):  # type: ignore[no-untyped-def]
    context, page, errors = phone.context, phone.page, phone.errors
    log_in(page, live_server.url, "sales", PASSWORD)
    page.goto(live_server.url + reverse("work:suggestions"))
    assert "建议箱" in page.inner_text("h1") and fits(page)
    page.click("[data-testid=suggestion-new] summary")
    page.fill("input[name=title]", "报价单加上有效期")
    page.select_option("select[name=topic]", "sales")
    page.fill("textarea[name=body]", "客户常问报价多久有效，建议模板里写明。")
    page.check("input[name=anonymous]")
    with page.expect_navigation():
        page.click("[data-testid=suggestion-submit]")
    assert "已提交" in page.inner_text(".messages")
    assert "您匿名提交" in page.inner_text("main") and fits(page)

    context.clear_cookies()
    log_in(page, live_server.url, "manager", PASSWORD)
    page.goto(live_server.url + reverse("work:suggestions"))
    table = page.inner_text("[data-testid=suggestion-list]")
    assert "报价单加上有效期" in table and "匿名" in table and actors.sales.name not in table and fits(page)
    with page.expect_navigation():
        page.click("text=报价单加上有效期")
    assert actors.sales.name not in page.inner_text("main")
    page.select_option("select[name=decision]", "accept")
    page.fill("textarea[name=text]", "下月起执行。")
    with page.expect_navigation():
        page.click("[data-testid=decision-submit]")
    assert "已采纳" in page.inner_text("[data-testid=suggestion-status]") and fits(page)
    assert Suggestion.objects.get().status == SuggestionStatus.ACCEPTED

    context.clear_cookies()
    log_in(page, live_server.url, "sales", PASSWORD)
    page.goto(live_server.url + reverse("work:suggestions"))
    with page.expect_navigation():
        page.click("text=报价单加上有效期")
    assert "下月起执行。" in page.inner_text("main") and actors.manager.name in page.inner_text("main")
    assert errors == []
