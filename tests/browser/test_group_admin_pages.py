"""The group pages no other browser test opens, on a phone (390×844): the ban re-join alerts an owner reads, and the
per-department conventions a manager edits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhidu.groups import moderation
from zhidu.groups.models import GroupConvention, GroupMember
from zhidu.groups.tests.moderation_fixtures import CUSTOMER, build_world
from zhidu.org.tests.factories import PASSWORD

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth") <= 390)


def test_owner_reads_a_rejoin_alert_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    world = build_world(actors)
    action = moderation.moderation_action_order(
        actor=actors.supervisor, group=world.group, kind="ban", target_userid=CUSTOMER, article=world.article,
        reason="在群里发广告",
    )  # fmt: skip
    moderation.moderation_action_confirm(actor=actors.sales, action_id=action.pk)
    GroupMember.objects.filter(pk=world.customer.pk).update(left_at=timezone.now())
    moderation.bans_check(group=world.group)
    rejoined = timezone.now() + dt.timedelta(seconds=5)
    GroupMember.objects.filter(pk=world.customer.pk).update(left_at=None, join_time=rejoined)
    assert len(moderation.bans_check(group=world.group)) == 1
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, live_server.url, "sales", PASSWORD)
        page.goto(f"{live_server.url}/groups/moderation/alerts/")
        assert "禁入人员重新入群提醒" in page.inner_text("h1")
        body = page.inner_text("main")
        assert "客户群A" in body and "发广告的客户" in body and _fits(page)
    finally:
        context.close()


def test_manager_edits_department_conventions_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, live_server.url, "manager", PASSWORD)
        page.goto(f"{live_server.url}/groups/conventions/departments/")
        assert "各部门群规范" in page.inner_text("h1") and _fits(page)
        page.goto(f"{live_server.url}/groups/conventions/departments/{actors.dept1.pk}/")
        assert actors.dept1.name in page.inner_text("h1") and _fits(page)
        page.fill("input[name=name_template]", "{部门}工作群")
        with page.expect_navigation():
            page.click("[data-testid=save]")
        assert _fits(page)
        assert GroupConvention.objects.get(department=actors.dept1).name_template == "{部门}工作群"
    finally:
        context.close()
