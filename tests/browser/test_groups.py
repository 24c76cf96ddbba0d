"""The director looks at groups on a phone (390×844): customer and internal groups in one list with a kind
badge, the kind filter, the checks help panel in Chinese, and an internal group's members with join times;
no sideways scroll."""

from __future__ import annotations

import datetime as dt

import pytest

from zhidu.groups.models import GroupKind, MemberType
from zhidu.groups.tests.factories import GroupChatFactory, GroupMemberFactory
from zhidu.org.tests.factories import PASSWORD

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_group_list_with_both_kinds_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    customer = GroupChatFactory(name="一部一组-华宇科技-服务群", owner=actors.sales, owner_userid="sales")
    GroupMemberFactory(group=customer, name="顾客甲")
    internal = GroupChatFactory(
        name="销售一部群",
        kind=GroupKind.INTERNAL,
        creator_userid=actors.manager.wecom_userid,
        owner=actors.manager,
        owner_userid=actors.manager.wecom_userid,
    )
    for m in (actors.manager, actors.supervisor, actors.sales):
        GroupMemberFactory(
            group=internal,
            userid=m.wecom_userid,
            type=MemberType.STAFF,
            member=m,
            join_time=dt.datetime(2025, 3, 4, 2, 0, tzinfo=dt.UTC),
        )

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, live_server.url, "director", PASSWORD)
        page.goto(f"{live_server.url}/groups/")
        page.wait_for_selector("[data-testid=groups]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        table = page.locator("[data-testid=groups]").inner_text()
        assert "销售一部群" in table and "一部一组-华宇科技-服务群" in table
        assert "内部群" in table and "客户群" in table
        page.click("[data-testid=group-checks-help] summary")
        help_text = page.locator("[data-testid=group-checks-help]").inner_text()
        assert "哪些检查适用于哪类群" in help_text and "会议与培训" in help_text and "群昵称规范" in help_text
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.select_option("[data-testid=kind-filter]", "internal")
        with page.expect_navigation():
            page.click("form.filters button")
        table = page.locator("[data-testid=groups]").inner_text()
        assert "销售一部群" in table and "一部一组-华宇科技-服务群" not in table

        with page.expect_navigation():
            page.click("text=销售一部群")
        assert "内部群" in page.locator("[data-testid=group-kind]").inner_text()
        members = page.locator("[data-testid=group-members]").inner_text()
        assert actors.supervisor.name in members and "2025-03-04 10:00" in members
        assert "会议与培训" in page.locator("[data-testid=group-checks]").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
