"""Convention pages and API: scoped overview (keyset paging, bounded queries), the group page section, the
department convention editor, reminders and designations through the web and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import ACTOR_NAMES
from zhidu.groups import conventions
from zhidu.groups.models import ConventionIssue, GroupAdminDesignation, GroupConvention, GroupKind
from zhidu.groups.tests.conventions_world import build_world
from zhidu.groups.tests.factories import GroupChatFactory
from zhidu.wecom.models import OutboxMessage

pytestmark = pytest.mark.django_db

VISIBLE = {
    "director": {"customer", "internal", "outside"},
    "manager": {"customer", "internal"},
    "supervisor": {"customer", "internal"},
    "supervisor_b": set(),
    "sales": {"customer", "internal"},
    "sales_b": set(),
    "compliance": {"customer", "internal", "outside"},
    "admin": set(),
    "outsider": {"outside"},
}
NAMES = {"customer": "销售一部-华为-服务群", "internal": "闲聊", "outside": "销售二部VIP群"}


@pytest.fixture
def world(actors):  # type: ignore[no-untyped-def]
    w = build_world(actors)
    conventions.conventions_check_all()
    return w


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_overview_and_api_are_scoped(actors, world, login, actor_name):  # type: ignore[no-untyped-def]
    client = login(actors.by_name(actor_name))
    response = client.get(reverse("groups:conventions"))
    if actor_name == "admin":
        assert response.status_code == 403
    else:
        body = response.content.decode()
        assert {k for k, name in NAMES.items() if f">{name}<" in body} == VISIBLE[actor_name]
    issues = client.get("/api/groups/conventions/issues").json()
    expected_ids = {getattr(world, k).pk for k in VISIBLE[actor_name]}
    assert {i["group_id"] for i in issues} == expected_ids


def test_overview_pages_by_key_with_bounded_queries(actors, world, login, settings, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    settings.GROUP_CONVENTION_PAGE_SIZE = 2
    for n in range(5):
        GroupChatFactory(
            name=f"杂{n}", kind=GroupKind.INTERNAL, owner=actors.sales, owner_userid=actors.sales.wecom_userid
        )
    conventions.conventions_check_all()
    client = login(actors.director)
    seen: list[str] = []
    url = reverse("groups:conventions")
    for _page in range(5):
        with django_assert_max_num_queries(12):
            response = client.get(url)
        groups = response.context["groups"]
        seen += [g.name for g in groups]
        if response.context["next_after"] is None or len(groups) < 2:
            break
        url = reverse("groups:conventions") + f"?after={response.context['next_after']}"
    assert len(seen) == len(set(seen)) == 8
    filtered = client.get(reverse("groups:conventions") + "?kind=nickname").context["groups"]
    assert [g.name for g in filtered] == ["销售一部-华为-服务群"]


def test_group_page_shows_issues_and_sends_a_reminder(actors, world, login):  # type: ignore[no-untyped-def]
    client = login(actors.supervisor)
    url = reverse("groups:detail", args=[world.customer.pk])
    body = client.get(url).content.decode()
    assert "销售一部孙主管" in body and 'data-testid="remind-all"' in body
    assert 'data-testid="designate"' not in body  # a supervisor is not the department head
    issue = ConventionIssue.objects.get(group=world.customer, kind="nickname")
    response = client.post(reverse("groups:remind", args=[issue.pk]), follow=True)
    assert response.redirect_chain[-1][0].startswith(url)
    assert "提醒已发送" in response.content.decode()
    assert OutboxMessage.objects.count() == 1
    again = client.post(reverse("groups:remind", args=[issue.pk]), follow=True).content.decode()
    assert "小时内已发送过提醒" in again and OutboxMessage.objects.count() == 1
    list_body = client.get(reverse("groups:list")).content.decode()
    assert f'data-testid="conventions-badge-{world.customer.pk}"' in list_body


def test_sales_sees_issues_but_cannot_remind(actors, world, login):  # type: ignore[no-untyped-def]
    client = login(actors.sales)
    body = client.get(reverse("groups:detail", args=[world.customer.pk])).content.decode()
    assert "销售一部孙主管" in body and "remind-all" not in body
    issue = ConventionIssue.objects.get(group=world.customer, kind="nickname")
    client.post(reverse("groups:remind", args=[issue.pk]))
    assert not OutboxMessage.objects.exists()
    outsider = login(actors.outsider)
    assert outsider.post(reverse("groups:remind", args=[issue.pk])).status_code == 404


def test_manager_designates_on_the_group_page(actors, world, login):  # type: ignore[no-untyped-def]
    client = login(actors.manager)
    body = client.get(reverse("groups:detail", args=[world.customer.pk])).content.decode()
    assert 'data-testid="designate"' in body
    client.post(reverse("groups:designate", args=[world.customer.pk]), {"member": actors.supervisor.pk})
    assert GroupAdminDesignation.objects.filter(group=world.customer, member=actors.supervisor).exists()
    assert not ConventionIssue.objects.open().filter(group=world.customer, kind="no_admin").exists()
    client.post(reverse("groups:revoke", args=[world.customer.pk, actors.supervisor.pk]))
    assert not GroupAdminDesignation.objects.filter(revoked_at=None).exists()
    assert (
        login(actors.supervisor)
        .post(reverse("groups:designate", args=[world.customer.pk]), {"member": actors.supervisor.pk})
        .status_code
        == 403
    )


def test_api_remind_and_designate(actors, world, login):  # type: ignore[no-untyped-def]
    client = login(actors.manager)
    issue = ConventionIssue.objects.get(group=world.customer, kind="nickname")
    first = client.post(f"/api/groups/conventions/issues/{issue.pk}/remind")
    assert first.status_code == 200 and first.json()["reminders"] == 1
    assert client.post(f"/api/groups/conventions/issues/{issue.pk}/remind").status_code == 409
    assert client.post(f"/api/groups/conventions/groups/{world.customer.pk}/remind-all").json() == {"sent": 2}
    created = client.post(
        f"/api/groups/conventions/groups/{world.customer.pk}/admins",
        {"member_id": actors.supervisor.pk},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["member_name"] == actors.supervisor.name
    listed = client.get(f"/api/groups/conventions/groups/{world.customer.pk}/admins").json()
    assert [d["member_id"] for d in listed] == [actors.supervisor.pk]
    denied = login(actors.supervisor).post(
        f"/api/groups/conventions/groups/{world.customer.pk}/admins",
        {"member_id": actors.sales.pk},
        content_type="application/json",
    )
    assert denied.status_code == 403
    assert login(actors.outsider).post(f"/api/groups/conventions/issues/{issue.pk}/remind").status_code == 404


def test_convention_editor(actors, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    client = login(actors.manager)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("groups:convention_departments")).content.decode()
    assert "销售一部" in body and "销售二部" not in body and "公司默认" in body
    url = reverse("groups:convention_edit", args=[actors.dept1.pk])
    form = client.get(url).content.decode()
    assert "{部门}{姓名}" in form
    data = {
        "name_template": "{部门}群",
        "customer_name_template": "{部门}-{*}",
        "nickname_template": "{部门}-{姓名}",
        "separators": "-",
        "check_name": "on",
        "check_nickname": "on",
        "require_admin": "on",
    }
    assert client.post(url, data).status_code == 302
    row = GroupConvention.objects.get(department=actors.dept1)
    assert (row.customer_name_template, row.check_admins, row.updated_by) == ("{部门}-{*}", False, actors.manager)
    bad = client.post(url, {**data, "nickname_template": "{姓名}"})
    assert bad.status_code == 200 and "{部门}" in bad.content.decode()
    assert client.get(reverse("groups:convention_edit", args=[actors.dept2.pk])).status_code == 404
    assert login(actors.supervisor).get(reverse("groups:convention_departments")).status_code == 403
