"""Who sees which customer groups: owned by someone in scope, or joined (still) by someone in scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import ACTOR_NAMES
from zhidu.groups.models import GroupChat, GroupStatus, MemberType
from zhidu.groups.tests.factories import GroupChatFactory, GroupMemberFactory

ALL = {"g_sales", "g_b", "g_left", "g_out"}
EXPECTED = {
    "director": ALL,
    "manager": {"g_sales", "g_b"},
    "supervisor": {"g_sales", "g_b"},
    "supervisor_b": {"g_b"},
    "sales": {"g_sales"},
    "sales_b": {"g_b"},
    "compliance": ALL,
    "admin": set(),
    "outsider": {"g_left", "g_out"},
}
READERS = {"director", "manager", "supervisor", "supervisor_b", "sales", "sales_b", "compliance", "outsider"}


@pytest.fixture
def world(actors):  # type: ignore[no-untyped-def]
    g_sales = GroupChatFactory(name="g_sales", owner=actors.sales, owner_userid=actors.sales.wecom_userid)
    g_b = GroupChatFactory(name="g_b", owner=actors.sales_b, owner_userid=actors.sales_b.wecom_userid)
    GroupMemberFactory(
        group=g_b,
        userid=actors.supervisor.wecom_userid,
        type=MemberType.STAFF,
        member=actors.supervisor,
        name="孙主管",
        group_nickname="销售一部-孙主管",
    )
    GroupMemberFactory(group=g_b, name="顾客甲")
    g_left = GroupChatFactory(name="g_left", owner=actors.outsider, owner_userid=actors.outsider.wecom_userid)
    GroupMemberFactory(
        group=g_left,
        userid=actors.sales.wecom_userid,
        type=MemberType.STAFF,
        member=actors.sales,
        left_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
    g_out = GroupChatFactory(name="g_out", owner=actors.outsider, owner_userid=actors.outsider.wecom_userid)
    GroupChatFactory(name="g_dismissed", owner=actors.sales, status=GroupStatus.DISMISSED)
    return {"g_sales": g_sales, "g_b": g_b, "g_left": g_left, "g_out": g_out}


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_group_visible_to(actors, world, actor_name):  # type: ignore[no-untyped-def]
    viewer = actors.by_name(actor_name)
    names = set(
        GroupChat.objects.visible_to(viewer).exclude(status=GroupStatus.DISMISSED).values_list("name", flat=True)
    )
    assert names == EXPECTED[actor_name]


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_group_pages(actors, world, login, actor_name):  # type: ignore[no-untyped-def]
    client = login(actors.by_name(actor_name))
    response = client.get(reverse("groups:list"))
    if actor_name not in READERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert "g_dismissed" not in body
    for name, group in world.items():
        detail = client.get(reverse("groups:detail", args=[group.pk]))
        if name in EXPECTED[actor_name]:
            assert f">{name}<" in body
            assert detail.status_code == 200
        else:
            assert f">{name}<" not in body
            assert detail.status_code == 404


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_group_api(actors, world, login, actor_name):  # type: ignore[no-untyped-def]
    client = login(actors.by_name(actor_name))
    response = client.get("/api/groups/")
    assert response.status_code == 200
    assert {g["name"] for g in response.json()} == EXPECTED[actor_name]
    for name, group in world.items():
        assert client.get(f"/api/groups/{group.pk}").status_code == (200 if name in EXPECTED[actor_name] else 404)


def test_group_detail_lists_members_with_nicknames(actors, world, login):  # type: ignore[no-untyped-def]
    body = login(actors.supervisor).get(reverse("groups:detail", args=[world["g_b"].pk])).content.decode()
    assert "销售一部-孙主管" in body
    assert "顾客甲" in body


def test_errors_speak_the_request_language(actors, world, login):  # type: ignore[no-untyped-def]
    """A group outside the asker's scope is 'not found' in the request's language (Chinese by default)."""
    client = login(actors.sales)
    url = f"/api/groups/{world['g_out'].pk}"
    zh, en = client.get(url), client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 404
    assert zh.json() == {"detail": "未找到。"} and en.json() == {"detail": "Not found."}
