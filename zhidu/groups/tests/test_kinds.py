"""Customer and internal groups side by side: the kind filter and badge, keyset paging with a bounded number
of queries, internal-group scope (members in scope, owner from the creator), the checks each kind allows, and
the detail page's section registry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhidu.groups.checks import CHECKS, allows, checks_for
from zhidu.groups.models import GroupChat, GroupKind, MemberType
from zhidu.groups.sections import _SECTIONS, register_group_section
from zhidu.groups.tests.factories import GroupChatFactory, GroupMemberFactory

JOINED = dt.datetime(2025, 3, 4, 5, 6, tzinfo=dt.UTC)


def internal_group(name, creator, members, **kw):  # type: ignore[no-untyped-def]
    group = GroupChatFactory(
        name=name,
        kind=GroupKind.INTERNAL,
        creator_userid=creator.wecom_userid,
        owner=creator if creator in members else None,
        owner_userid=creator.wecom_userid if creator in members else "",
        **kw,
    )
    for m in members:
        GroupMemberFactory(group=group, userid=m.wecom_userid, type=MemberType.STAFF, member=m, join_time=JOINED)
    return group


@pytest.fixture
def world(actors):  # type: ignore[no-untyped-def]
    customer = GroupChatFactory(name="客户服务群", owner=actors.sales, owner_userid=actors.sales.wecom_userid)
    GroupMemberFactory(group=customer, name="顾客甲")
    department = internal_group("销售一部群", actors.manager, [actors.manager, actors.supervisor, actors.sales])
    other = internal_group("摸鱼小分队", actors.sales_b, [actors.sales_b, actors.outsider])
    return {"customer": customer, "department": department, "other": other}


def test_checks_per_kind() -> None:
    customer = {c.code for c in checks_for(GroupKind.CUSTOMER)}
    internal = {c.code for c in checks_for(GroupKind.INTERNAL)}
    assert {"staff_nicknames", "admins_vs_wecom", "reply_timeliness", "customer_moderation", "flooding"} == customer
    assert {"group_name", "designated_admins", "unanswered_questions", "repeats", "staff_ads", "meetings"} <= internal
    assert "flooding" in internal and "staff_nicknames" not in internal and "designated_admins" not in customer
    assert allows("internal", "meetings") and not allows("customer", "meetings") and not allows("internal", "nope")
    assert len({c.code for c in CHECKS}) == len(CHECKS)


def test_internal_scope(actors, world, login):  # type: ignore[no-untyped-def]
    department, other = world["department"], world["other"]
    expected = {
        "sales": {"客户服务群", "销售一部群"},
        "sales_b": {"摸鱼小分队"},
        "supervisor": {"客户服务群", "销售一部群"},  # sales_b reports to supervisor_b
        "supervisor_b": {"摸鱼小分队"},
        "director": {"客户服务群", "销售一部群", "摸鱼小分队"},
        "compliance": {"客户服务群", "销售一部群", "摸鱼小分队"},
    }
    for name, groups in expected.items():
        viewer = actors.by_name(name)
        assert set(GroupChat.objects.visible_to(viewer).values_list("name", flat=True)) == groups, name
    client = login(actors.sales_b)
    assert client.get(reverse("groups:detail", args=[department.pk])).status_code == 404
    assert client.get(f"/api/groups/{department.pk}").status_code == 404
    assert client.get(reverse("groups:detail", args=[other.pk])).status_code == 200


def test_list_kind_filter_and_badge(actors, world, login):  # type: ignore[no-untyped-def]
    client = login(actors.director)
    body = client.get(reverse("groups:list")).content.decode()
    assert "客户服务群" in body and "销售一部群" in body and "内部群" in body and "客户群" in body
    internal = client.get(reverse("groups:list"), {"kind": "internal"}).context["rows"]
    assert {g.name for g in internal} == {"销售一部群", "摸鱼小分队"}
    customer = client.get(reverse("groups:list"), {"kind": "customer"}).context["rows"]
    assert {g.name for g in customer} == {"客户服务群"}
    assert "哪些检查适用于哪类群" in body  # the help panel, in Chinese
    api = client.get("/api/groups/", {"kind": "internal"}).json()
    assert {g["name"] for g in api} == {"销售一部群", "摸鱼小分队"}
    assert {g["kind"] for g in api} == {"internal"}
    assert {g["creator_userid"] for g in api} == {actors.manager.wecom_userid, actors.sales_b.wecom_userid}
    assert client.get("/api/groups/", {"kind": "bogus"}).status_code == 422


def test_list_is_keyset_paged_with_bounded_queries(actors, login, settings, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    settings.GROUP_LIST_PAGE_SIZE = 5
    for k in range(8):
        internal_group(f"内部{k}", actors.manager, [actors.manager, actors.sales])
        GroupChatFactory(name=f"客户{k}", owner=actors.sales, owner_userid=actors.sales.wecom_userid)
    client = login(actors.director)
    client.get(reverse("groups:list"))  # warm the session and caches
    with django_assert_max_num_queries(8):
        first = client.get(reverse("groups:list"), {"kind": "internal"})
    rows = first.context["rows"]
    assert [g.name for g in rows] == [f"内部{k}" for k in (7, 6, 5, 4, 3)]
    after = first.context["next_after"]
    assert after == rows[-1].pk and f"after={after}" in first.content.decode()
    with django_assert_max_num_queries(8):
        second = client.get(reverse("groups:list"), {"kind": "internal", "after": after})
    assert [g.name for g in second.context["rows"]] == ["内部2", "内部1", "内部0"]
    assert second.context["next_after"] is None
    assert client.get(reverse("groups:list"), {"after": "abc"}).status_code == 200


def _checks_card(body: str) -> str:
    """The "checks for this group" card of a detail page (the navigation names other pages with the same words)."""
    start = body.index('data-testid="group-checks"')
    return body[start : body.index("</section>", start)]


def test_detail_shows_members_checks_and_sections(actors, world, login):  # type: ignore[no-untyped-def]
    group = world["department"]
    register_group_section("test-section", "groups/tests/section.html", order=5, context=_only_internal)
    try:
        client = login(actors.supervisor)
        body = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
        customer_body = client.get(reverse("groups:detail", args=[world["customer"].pk])).content.decode()
    finally:
        _SECTIONS.pop("test-section")
    assert "内部群" in body and actors.manager.name in body and actors.sales.name in body
    assert "2025-03-04 13:06" in body  # join time, shown in Asia/Shanghai
    checks, customer_checks = _checks_card(body), _checks_card(customer_body)
    assert "会议与培训" in checks and "群昵称规范" not in checks  # the internal group's checks, in Chinese
    assert "群昵称规范" in customer_checks and "会议与培训" not in customer_checks
    assert "SECTION-FOR 销售一部群" in body and "SECTION-FOR" not in customer_body


def _only_internal(viewer, group):  # type: ignore[no-untyped-def]
    return {"title": group.name} if group.kind == GroupKind.INTERNAL else None
