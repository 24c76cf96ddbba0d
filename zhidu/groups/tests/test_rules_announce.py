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
