"""The Content-Security-Policy breaks no page: no violations reported, and the language switch still works."""

from __future__ import annotations

import pytest

from zhidu.org.tests.factories import PASSWORD

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/org/", "/org/tokens/", "/org/applications/", "/policies/", "/compliance/rules/", "/audit/audit/"]


def test_pages_raise_no_csp_violation(live_server, page, actors):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    log_in(page, live_server.url, "admin", PASSWORD)
    for url in PAGES:
        resp = page.goto(f"{live_server.url}{url}")
        assert resp is not None and "Content-Security-Policy" in {k.title() for k in resp.headers}
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector("#swagger-ui .info")
    assert violations == []


def test_language_switch_works_without_inline_script(live_server, page, actors):
    log_in(page, live_server.url, "sales", PASSWORD)
    assert "退出" in page.inner_text("header")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert "Log out" in page.inner_text("header")
