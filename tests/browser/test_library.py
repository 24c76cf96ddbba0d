"""Adopting a library template on a phone (390×844): the library page, the adopt button, the draft, its editor."""

from __future__ import annotations

import pytest

from zhidu.org.tests.factories import PASSWORD
from zhidu.policies.models import PolicyVersion

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_adopts_a_template_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        csp: list[str] = []
        page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)
        log_in(page, live_server.url, "director", PASSWORD)
        page.goto(f"{live_server.url}/policies/")
        page.click("[data-testid=library-link]")
        page.wait_for_selector("[data-template=sales-group-rules]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        card = page.locator("[data-template=sales-group-rules]")
        card.locator("summary").click()
        assert "发言规范" in card.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        with page.expect_navigation():
            card.locator("[data-testid=adopt]").click()

        version = PolicyVersion.objects.get(template="sales-group-rules")
        assert page.url == f"{live_server.url}/policies/versions/{version.pk}/"
        assert page.inner_text("[data-testid=status]") == "草稿"
        assert "已采用为草稿" in page.inner_text(".messages")
        assert "第三条" in page.inner_text("#art-3")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.click("[data-testid=edit-link]")
        page.wait_for_selector("textarea[name=text]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        text = page.input_value("textarea[name=text]")
        page.fill("textarea[name=text]", text.replace("6.1 本规章制度", "6.1 本群规章制度"))
        with page.expect_navigation():
            page.click("[data-testid=save]")
        assert "已保存" in page.inner_text(".messages") and "识别为" in page.inner_text("[data-testid=shape]")
        version.refresh_from_db()
        assert "本群规章制度" in version.articles.get(number=6).items.get().text
        assert csp == []
    finally:
        context.close()
