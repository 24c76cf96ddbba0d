"""Moderation pages and API: the group page's sections, the order form, the owner's tasks, alerts; scope answers 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhidu.groups import moderation
from zhidu.groups.models import ActionStatus, ModerationAction

from .moderation_fixtures import CUSTOMER, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(actors):  # type: ignore[no-untyped-def]
    return build_world(actors)


def test_supervisor_orders_a_mute_on_the_page_and_the_owner_confirms(actors, world, login, client):  # type: ignore[no-untyped-def]
    c = login(actors.supervisor)
    url = reverse("groups:moderation_order", args=[world.group.pk])
    form = c.get(url)
    assert form.status_code == 200 and "发广告的客户" in form.content.decode()
    response = c.post(url, {"kind": "mute", "target": CUSTOMER, "article": world.article.pk, "reason": "在群里发广告"})
    assert response.status_code == 302
    action = ModerationAction.objects.get()
    detail = c.get(reverse("groups:detail", args=[world.group.pk])).content.decode()
    assert "在群里发广告" in detail and "《测试管理制度》第三条" in detail
    c.logout()
    owner = login(actors.sales)
    tasks = owner.get(reverse("groups:moderation_tasks")).content.decode()
    assert f'data-testid="task-{action.pk}"' in tasks
    assert owner.post(reverse("groups:moderation_confirm", args=[action.pk])).status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_order_form_refuses_a_reason_left_empty(actors, world, login):  # type: ignore[no-untyped-def]
    c = login(actors.supervisor)
    url = reverse("groups:moderation_order", args=[world.group.pk])
    response = c.post(url, {"kind": "mute", "target": CUSTOMER, "article": world.article.pk, "reason": ""})
    assert response.status_code == 200 and not ModerationAction.objects.exists()


@pytest.mark.parametrize("actor_name", ["outsider", "supervisor_b", "sales_b"])
def test_order_page_is_missing_for_who_may_not_order(actors, world, login, actor_name):  # type: ignore[no-untyped-def]
    c = login(actors.by_name(actor_name))
    url = reverse("groups:moderation_order", args=[world.group.pk])
    assert c.get(url).status_code == 404
    c.post(url, {"kind": "mute", "target": CUSTOMER, "article": world.article.pk, "reason": "x"})
    assert not ModerationAction.objects.exists()


def test_decline_on_the_tasks_page(actors, world, login):  # type: ignore[no-untyped-def]
    action = moderation.moderation_action_order(
        actor=actors.manager,
        group=world.group,
        kind="remove",
        target_userid=CUSTOMER,
        article=world.article,
        reason="r",
    )
    c = login(actors.sales)
    c.post(reverse("groups:moderation_decline", args=[action.pk]), {"reason": "误会，已澄清"})
    action.refresh_from_db()
    assert (action.status, action.decline_reason) == (ActionStatus.DECLINED, "误会，已澄清")


def test_someone_else_cannot_confirm_the_owners_task(actors, world, login):  # type: ignore[no-untyped-def]
    action = moderation.moderation_action_order(
        actor=actors.manager, group=world.group, kind="mute", target_userid=CUSTOMER, article=world.article, reason="r"
    )
    login(actors.sales_b).post(reverse("groups:moderation_confirm", args=[action.pk]))
    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING


def test_tasks_page_query_count(actors, world, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    for _ in range(5):
        moderation.moderation_action_order(
            actor=actors.supervisor, group=world.group, kind="mute", target_userid=CUSTOMER, article=world.article,
            reason="r",
        )  # fmt: skip
    c = login(actors.sales)
    with django_assert_max_num_queries(15):
        body = c.get(reverse("groups:moderation_tasks")).content.decode()
    assert body.count('data-testid="task-') == 5
    with django_assert_max_num_queries(15):
        assert c.get(reverse("groups:moderation_alerts")).status_code == 200


def test_api_order_confirm_and_scope(actors, world, login):  # type: ignore[no-untyped-def]
    c = login(actors.supervisor)
    payload = {"kind": "mute", "target_userid": CUSTOMER, "article_id": world.article.pk, "reason": "广告"}
    response = c.post(f"/api/moderation/groups/{world.group.pk}/actions", payload, content_type="application/json")
    assert response.status_code == 200, response.content
    action_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    denied = c.post(f"/api/moderation/actions/{action_id}/confirm")
    assert denied.status_code == 403
    c.logout()
    outsider = login(actors.outsider)
    assert outsider.get("/api/moderation/actions").json() == []
    assert outsider.post(f"/api/moderation/actions/{action_id}/confirm").status_code == 404
    assert (
        outsider.post(
            f"/api/moderation/groups/{world.group.pk}/actions", payload, content_type="application/json"
        ).status_code
        == 404
    )
    outsider.logout()
    owner = login(actors.sales)
    assert [a["id"] for a in owner.get("/api/moderation/actions?status=pending").json()] == [action_id]
    done = owner.post(f"/api/moderation/actions/{action_id}/confirm")
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = owner.post(f"/api/moderation/actions/{action_id}/decline", {"reason": "x"}, content_type="application/json")
    assert again.status_code == 409
