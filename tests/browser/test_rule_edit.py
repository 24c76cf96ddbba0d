"""A compliance officer edits a rule on a phone (390×844): changes its terms, tries a sample in the test box
(HTMX) and sees the hit, saves, and finds the new revision with its diff."""

from __future__ import annotations

import pytest

from zhidu.compliance.models import RuleRevision, RuleTerm
from zhidu.compliance.tests.factories import make_rule
from zhidu.org.tests.factories import PASSWORD

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compliance_officer_edits_a_rule_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    rule = make_rule()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
        log_in(page, live_server.url, "compliance", PASSWORD)
        page.goto(f"{live_server.url}/compliance/rules/")
        assert page.inner_text(f"[data-testid=hits-{rule.code}]").strip() == "0"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        with page.expect_navigation():
            page.click(f"[data-testid=edit-{rule.code}]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.fill("[data-testid=terms]", "全网最低价\n史上最强")
        page.fill("[data-testid=sample]", "我们这款是史上最强的")
        page.click("[data-testid=run-test]")
        page.wait_for_selector("[data-testid=own-hits]")
        own = page.inner_text("[data-testid=own-hits]")
        assert "史上最强" in own and "虚假或夸大宣传" in own
        assert page.locator("[data-testid=own-hits] mark").first.inner_text() == "史上最强"
        assert list(RuleTerm.objects.filter(rule=rule).values_list("term", flat=True)) == ["全网最低价"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        with page.expect_navigation():
            page.click("[data-testid=save]")
        assert "规则已保存" in page.inner_text(".messages")
        assert RuleRevision.objects.filter(rule=rule).count() == 2
        revisions = page.locator("[data-testid=revisions]")
        assert revisions.locator("[data-revision='2']").count() == 1

        with page.expect_navigation():
            revisions.locator("[data-revision='2'] a").click()
        diff = page.inner_text("[data-testid=diff]")
        assert "+ 史上最强" in diff and "词条" in diff
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert errors == []
    finally:
        context.close()


def test_compliance_officer_creates_a_rule_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, live_server.url, "compliance", PASSWORD)
        page.goto(f"{live_server.url}/compliance/rules/new/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.fill("input[name=code]", "custom-vx")
        page.select_option("select[name=category]", "private_deal")
        page.fill("input[name=name]", "私加微信")
        page.fill("[data-testid=terms]", "加我vx")
        with page.expect_navigation():
            page.click("[data-testid=save]")
        assert page.url.endswith("/edit/")
        assert list(RuleTerm.objects.filter(rule__code="custom-vx").values_list("term", flat=True)) == ["加我vx"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
