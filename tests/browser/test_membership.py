from __future__ import annotations

import pytest

from zhidu.org import services
from zhidu.org.models import Member
from zhidu.org.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=who]")


def test_supervisor_approves_application_and_member_joins_team(live_server, page, actors):
    services.application_submit(
        name="林新人",
        username="linxin",
        password="long-enough-1",
        department=actors.dept1,
        lead=actors.supervisor,
        note="有三年电销经验",
    )
    log_in(page, live_server.url, "supervisor", PASSWORD)
    page.goto(f"{live_server.url}/org/applications/")
    row = page.locator("tr[data-applicant='林新人']")
    row.locator("input[name=reason]").fill("面试通过")
    row.locator("button.primary").click()
    page.wait_for_selector(".messages")
    assert "林新人" in page.inner_text(".messages")

    page.goto(f"{live_server.url}/org/")
    new_row = page.locator("#members tr[data-member='林新人']")
    assert new_row.count() == 1
    assert actors.supervisor.name in new_row.inner_text()
    member = Member.objects.get(name="林新人")
    assert member.reports_to == actors.supervisor and member.status == "active"

    # The new member can log in and sees themselves.
    page.context.clear_cookies()
    log_in(page, live_server.url, "linxin", "long-enough-1")
    assert "林新人" in page.inner_text("[data-testid=who]")


def test_language_switch(live_server, page, actors):
    log_in(page, live_server.url, "director", PASSWORD)
    assert "组织架构" in page.inner_text("nav.mainnav")  # Simplified Chinese first
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert "Organisation" in page.inner_text("nav.mainnav")
