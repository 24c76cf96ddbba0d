"""Reads of the moderation ledger, always through the asking member's scope; lists are bounded and paged by key."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from zhidu.org.models import Member
from zhidu.policies.models import Policy

from .models import (
    ActionStatus,
    AnnouncementMethod,
    AnnouncementStatus,
    Ban,
    BanAlert,
    CaseStatus,
    GroupChat,
    GroupRobot,
    GroupRules,
    ModerationAction,
    ModerationCase,
    RulesAnnouncement,
)
from .moderation import RULES_ROLES, can_order

LEDGER_LIMIT = 50
PAGE = 50


@dataclass
class Ledger:
    actions: list[ModerationAction]
    open_tasks: list[ModerationAction]
    cases: list[ModerationCase]
    bans: list[Ban]
    announcements: list[RulesAnnouncement]
    can_order: bool
    rules: list[str]
    has_robot: bool
    policies: list[Policy]


def ledger_for(*, viewer: Member, group: GroupChat) -> Ledger:
    """The group page's moderation sections (the group was read through `group_get_for`, so it is in scope)."""
    actions = list(
        ModerationAction.objects.filter(group=group)
        .select_related("decided_by", "done_by")
        .order_by("-id")[:LEDGER_LIMIT]
    )
    return Ledger(
        actions=actions,
        open_tasks=[a for a in actions if a.status == ActionStatus.PENDING],
        cases=list(ModerationCase.objects.filter(group=group, status=CaseStatus.OPEN).order_by("-id")[:LEDGER_LIMIT]),
        bans=list(
            Ban.objects.filter(group=group, lifted_at=None).select_related("action").order_by("-id")[:LEDGER_LIMIT]
        ),
        announcements=list(
            RulesAnnouncement.objects.filter(group=group)
            .select_related("version", "done_by")
            .order_by("-id")[:LEDGER_LIMIT]
        ),
        can_order=can_order(viewer, group),
        rules=rules_of(group),
        has_robot=GroupRobot.objects.filter(group=group).exists(),
        policies=list(Policy.objects.exclude(current_version=None).order_by("code")[:LEDGER_LIMIT])
        if viewer.role in RULES_ROLES or group.owner_id == viewer.pk
        else [],
    )


def rules_of(group: GroupChat) -> list[str]:
    """Titles of the regulations that are this group's rules (linked to it or to its owner's departments)."""
    depts: list[int] = []
    if group.owner is not None:
        depts = [group.owner.department_id, *group.owner.department.ancestor_ids()]
    links = GroupRules.objects.filter(Q(group=group) | Q(department_id__in=depts)).select_related("policy")
    return sorted({str(link.policy) for link in links})


@dataclass
class MyTasks:
    actions: list[ModerationAction]
    announcements: list[RulesAnnouncement]
    cases: list[ModerationCase]


def my_tasks(*, member: Member, before: int | None = None) -> MyTasks:
    """What the member, as a group owner, has to do: ordered actions, rules to post, cases to look at."""
    actions = ModerationAction.objects.visible_to(member).filter(assignee=member, status=ActionStatus.PENDING)
    if before:
        actions = actions.filter(pk__lt=before)
    return MyTasks(
        actions=list(actions.select_related("group", "decided_by").order_by("-id")[:PAGE]),
        announcements=list(
            RulesAnnouncement.objects.filter(
                assignee=member, method=AnnouncementMethod.OWNER, status=AnnouncementStatus.PENDING
            )
            .select_related("group", "version")
            .order_by("-id")[:PAGE]
        ),
        cases=list(
            ModerationCase.objects.visible_to(member)
            .filter(assignee=member, status=CaseStatus.OPEN)
            .select_related("group")
            .order_by("-id")[:PAGE]
        ),
    )


def alerts_for(*, member: Member, before: int | None = None) -> list[BanAlert]:
    qs = BanAlert.objects.visible_to(member).select_related("group", "ban__action")
    if before:
        qs = qs.filter(pk__lt=before)
    return list(qs.order_by("-id")[:PAGE])


def actions_for(*, member: Member, before: int | None = None, status: str = "") -> list[ModerationAction]:
    qs = ModerationAction.objects.visible_to(member).select_related("group", "decided_by")
    if status:
        qs = qs.filter(status=status)
    if before:
        qs = qs.filter(pk__lt=before)
    return list(qs.order_by("-id")[:PAGE])
