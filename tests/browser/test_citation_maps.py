"""A compliance officer confirms a suggested clause on a phone: no sideways scroll at 390 px, Chinese labels, and
the rule then cites the company's own regulation."""

from __future__ import annotations

import pytest

from zhidu.compliance.models import CitationStatus, RuleCitation
from zhidu.compliance.services import rules_seed_default
from zhidu.compliance.tests.test_citation_maps import ONLINE, publish_in_force
from zhidu.org.tests.factories import PASSWORD

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_confirms_a_suggestion_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    version = publish_in_force(ONLINE, "online-rules")
    rules_seed_default(actor=None)
    row = (
        RuleCitation.objects.filter(rule__code="privacy.customer_data", version=version, status="suggested")
        .order_by("-score")
        .first()
    )
    assert row is not None
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, live_server.url, "compliance", PASSWORD)
        page.goto(f"{live_server.url}/compliance/citations/?version={version.pk}&category=privacy")
        page.wait_for_selector("[data-testid=map-privacy\\.customer_data]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        card = page.locator("[data-testid=map-privacy\\.customer_data]")
        assert "没有制度依据" in card.inner_text() and "建议条款" in card.inner_text()
        with page.expect_navigation():
            page.click(f"[data-testid=confirm-{row.pk}]")
        card = page.locator("[data-testid=map-privacy\\.customer_data]")
        assert "《线上团队规章制度》第四条" in card.locator("[data-testid=confirmed]").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        row.refresh_from_db()
        assert row.status == CitationStatus.CONFIRMED and row.confirmed_by == actors.compliance
    finally:
        context.close()
