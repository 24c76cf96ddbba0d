"""A group's rules: a new version is announced ahead of its effective date, as a task for the owner when the group
has no robot (the robot path runs against the simulator in test_moderation_sim.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent, Notification
from zhidu.groups import moderation
from zhidu.groups.models import AnnouncementMethod, AnnouncementStatus, RulesAnnouncement
from zhidu.groups.tasks import rules_announce_task
from zhidu.policies import services as policy_services

from .moderation_fixtures import announced_next_version, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(actors):  # type: ignore[no-untyped-def]
    return build_world(actors)


def test_owner_posts_the_new_rules_and_confirms(actors, world, login):  # type: ignore[no-untyped-def]
    moderation.group_rules_link(actor=actors.manager, policy=world.version.policy, group=world.group)
    assert rules_announce_task() == 0  # nothing upcoming yet
    v2 = announced_next_version()
    assert rules_announce_task() == 1
    assert rules_announce_task() == 0  # idempotent
    ann = RulesAnnouncement.objects.get()
    assert (ann.group, ann.version, ann.method, ann.status) == (
        world.group,
        v2,
        AnnouncementMethod.OWNER,
        AnnouncementStatus.PENDING,
    )
    assert v2.effective_date is not None and v2.effective_date.isoformat() in ann.text
    assert Notification.objects.filter(recipient=actors.sales, dedupe_key=f"rulesann:{ann.pk}").exists()
    with pytest.raises(DomainError):
        moderation.rules_announcement_confirm(actor=actors.sales_b, announcement_id=ann.pk)
    c = login(actors.sales)
    assert ann.text in c.get(reverse("groups:moderation_tasks")).content.decode()
    c.post(reverse("groups:announcement_confirm", args=[ann.pk]))
    ann.refresh_from_db()
    assert (ann.status, ann.done_by) == (AnnouncementStatus.CONFIRMED, actors.sales)
    assert AuditEvent.objects.filter(verb="rules_announcement.confirm", actor=actors.sales).exists()
    page = c.get(reverse("groups:detail", args=[world.group.pk])).content.decode()
    assert 'data-testid="rules-announcements"' in page and str(v2) in page


def test_department_link_covers_groups_owned_in_its_subtree(actors, world, settings):  # type: ignore[no-untyped-def]
    moderation.group_rules_link(actor=actors.director, policy=world.version.policy, department=actors.dept1)
    settings.RULES_ANNOUNCE_DAYS = 3
    announced_next_version()  # effective in 7 days: not yet within 3 days
    assert moderation.rules_announcements_due() == 0
    later = policy_services.today_local() + dt.timedelta(days=5)
    assert moderation.rules_announcements_due(today=later) == 1


def test_linking_needs_a_published_regulation_and_a_role(actors, world):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError):
        moderation.group_rules_link(actor=actors.sales_b, policy=world.version.policy, group=world.group)
    with pytest.raises(DomainError):
        moderation.group_rules_link(actor=actors.director, policy=world.version.policy)


def test_group_page_links_rules_and_sets_the_robot(actors, world, login):  # type: ignore[no-untyped-def]
    c = login(actors.manager)
    c.post(reverse("groups:rules_link", args=[world.group.pk]), {"policy": world.version.policy_id})
    c.post(reverse("groups:robot_set", args=[world.group.pk]), {"webhook": "robot-key-1"})
    page = c.get(reverse("groups:detail", args=[world.group.pk])).content.decode()
    assert "《测试管理制度》" in page.split('data-testid="group-rules"')[1][:200]
    assert "robot-key-1" not in page  # the webhook is a secret: never shown
    assert AuditEvent.objects.filter(verb="group_rules.link", actor=actors.manager).exists()
    assert AuditEvent.objects.filter(verb="group_robot.set", actor=actors.manager).exists()
    announced_next_version()
    moderation.rules_announcements_due()
    assert RulesAnnouncement.objects.get().method == AnnouncementMethod.ROBOT


def test_robot_is_set_only_by_who_may_order(actors, world, login):  # type: ignore[no-untyped-def]
    login(actors.sales_b).post(reverse("groups:robot_set", args=[world.group.pk]), {"webhook": "k"})
    assert not AuditEvent.objects.filter(verb="group_robot.set").exists()
    assert (
        login(actors.outsider).post(reverse("groups:robot_set", args=[world.group.pk]), {"webhook": "k"}).status_code
        == 404
    )


def test_api_links_a_department(actors, world, login):  # type: ignore[no-untyped-def]
    c = login(actors.director)
    body = {"policy_id": world.version.policy_id, "department_id": actors.dept1.pk}
    response = c.post("/api/moderation/rules", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["department_id"] == actors.dept1.pk
    c.logout()
    denied = login(actors.sales_b).post("/api/moderation/rules", body, content_type="application/json")
    assert denied.status_code in (403, 404)
