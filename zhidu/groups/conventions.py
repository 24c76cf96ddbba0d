"""Group conventions (S6 第四–六条): which convention applies, designated admins, convention issues, reminders.

- `convention_effective` — a department's convention: its own row, else the nearest ancestor's, else the
  built-in defaults (`models.DEFAULT_*`).
- `convention_save` — a manager (own subtree) or the director (any department) sets a department's row; audited.
- `group_admin_designate` / `group_admin_revoke` — the head of the group's department (a manager whose subtree
  holds it) or the director designates admins; audited.
- `conventions_check` / `conventions_check_all` — compute each group's issues, store new ones, resolve fixed ones
  (bounded batches, a few queries per batch). Run after each WeCom group sync and periodically.
- `issue_remind` / `group_remind_all` — a WeCom reminder to the responsible member, at most once per issue per
  GROUP_CONVENTION_REMIND_HOURS; audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.models import AuditEvent
from zhidu.core.notifications import notify
from zhidu.customers.services import audit_event
from zhidu.org.models import Department, Member, MemberStatus, Role, department_subtree_ids

from . import errors, naming
from .models import (
    DEFAULT_CUSTOMER_NAME_TEMPLATE,
    DEFAULT_NAME_TEMPLATE,
    DEFAULT_NICKNAME_TEMPLATE,
    DEFAULT_SEPARATORS,
    ConventionIssue,
    GroupAdminDesignation,
    GroupChat,
    GroupConvention,
    GroupKind,
    GroupMember,
    GroupStatus,
    IssueKind,
    MemberType,
)

CHECK_ACTOR = "group-conventions"
CONVENTION_FIELDS = [
    "name_template",
    "customer_name_template",
    "nickname_template",
    "separators",
    "check_name",
    "check_nickname",
    "check_admins",
    "require_admin",
]
REMINDER_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.COMPLIANCE)


@dataclass(frozen=True, slots=True)
class Effective:
    """The convention that applies to a department; `source_id` is the department whose row it is (None: defaults)."""

    source_id: int | None
    name_template: str = DEFAULT_NAME_TEMPLATE
    customer_name_template: str = DEFAULT_CUSTOMER_NAME_TEMPLATE
    nickname_template: str = DEFAULT_NICKNAME_TEMPLATE
    separators: str = DEFAULT_SEPARATORS
    check_name: bool = True
    check_nickname: bool = True
    check_admins: bool = True
    require_admin: bool = True


@dataclass
class Context:
    """Everything a check batch needs that is not per group (loaded once)."""

    departments: dict[int, naming.DepartmentInfo] = field(default_factory=dict)
    conventions: dict[int, GroupConvention] = field(default_factory=dict)
    heads: dict[int, int] = field(default_factory=dict)  # department id -> an active manager's member id
    director_id: int | None = None
    _effective: dict[int | None, Effective] = field(default_factory=dict)
    _labels: dict[int | None, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Context:
        ctx = cls()
        for pk, name, parent_id in Department.objects.values_list("id", "name", "parent_id"):
            ctx.departments[pk] = naming.DepartmentInfo(pk, name, parent_id)
        ctx.conventions = {c.department_id: c for c in GroupConvention.objects.all()}
        active = Member.objects.filter(status=MemberStatus.ACTIVE)
        for pk, dept_id in active.filter(role=Role.MANAGER).order_by("-id").values_list("id", "department_id"):
            ctx.heads[dept_id] = pk
        ctx.director_id = active.filter(role=Role.DIRECTOR).order_by("id").values_list("id", flat=True).first()
        return ctx

    def chain(self, department_id: int | None) -> list[int]:
        out: list[int] = []
        current = department_id
        while current is not None and current not in out and len(out) < 32:
            out.append(current)
            info = self.departments.get(current)
            current = info.parent_id if info else None
        return out

    def effective(self, department_id: int | None) -> Effective:
        if department_id not in self._effective:
            found = Effective(None)
            for pk in self.chain(department_id):
                row = self.conventions.get(pk)
                if row is not None:
                    found = Effective(pk, **{f: getattr(row, f) for f in CONVENTION_FIELDS})
                    break
            self._effective[department_id] = found
        return self._effective[department_id]

    def head(self, department_id: int | None) -> int | None:
        for pk in self.chain(department_id):
            if pk in self.heads:
                return self.heads[pk]
        return self.director_id

    def labels(self, department_id: int | None) -> list[str]:
        if department_id not in self._labels:
            self._labels[department_id] = naming.department_labels(department_id, self.departments)
        return self._labels[department_id]


def convention_effective(*, department_id: int | None) -> Effective:
    return Context.load().effective(department_id)


# --- editing conventions -----------------------------------------------------------------------------------------


def can_edit_convention(member: Member, department_id: int) -> bool:
    if member.role == Role.DIRECTOR and member.is_active:
        return True
    return (
        member.role == Role.MANAGER
        and member.is_active
        and department_id in department_subtree_ids(member.department_id)
    )


def _check_template(value: str, *, required: Sequence[str]) -> None:
    for placeholder in required:
        if placeholder not in value:
            raise DomainError(errors.ERR_TEMPLATE_PLACEHOLDER, field="template", placeholder=placeholder)
    if naming.PLACEHOLDER.sub("", value).count("{") or naming.PLACEHOLDER.sub("", value).count("}"):
        raise DomainError(errors.ERR_TEMPLATE_UNKNOWN, field="template")


@transaction.atomic
def convention_save(
    *,
    actor: Member,
    department_id: int,
    name_template: str,
    customer_name_template: str,
    nickname_template: str,
    separators: str,
    check_name: bool,
    check_nickname: bool,
    check_admins: bool,
    require_admin: bool,
) -> GroupConvention:
    """Set a department's own convention (its subdepartments without their own inherit it). Audited."""
    if not Department.objects.filter(pk=department_id).exists():
        raise NotFound
    if not can_edit_convention(actor, department_id):
        raise DomainError(errors.ERR_CANNOT_EDIT_CONVENTION, code="forbidden")
    _check_template(name_template, required=["{部门}"])
    _check_template(customer_name_template, required=["{部门}"])
    _check_template(nickname_template, required=["{部门}", "{姓名}"])
    row = GroupConvention.objects.select_for_update().filter(department_id=department_id).first()
    before = {f: getattr(row, f) for f in CONVENTION_FIELDS} if row else None
    values: dict[str, Any] = {
        "name_template": name_template.strip(),
        "customer_name_template": customer_name_template.strip(),
        "nickname_template": nickname_template.strip(),
        "separators": separators,
        "check_name": check_name,
        "check_nickname": check_nickname,
        "check_admins": check_admins,
        "require_admin": require_admin,
    }
    if row is None:
        row = GroupConvention.objects.create(department_id=department_id, updated_by=actor, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by = actor
        row.save()
    audit_record(actor=actor, verb="group_convention.save", target=row, before=before, after=values)
    return row


@transaction.atomic
def convention_reset(*, actor: Member, department_id: int) -> bool:
    """Remove a department's own convention, so it inherits again. Audited; False when it had none."""
    if not can_edit_convention(actor, department_id):
        raise DomainError(errors.ERR_CANNOT_EDIT_CONVENTION, code="forbidden")
    row = GroupConvention.objects.select_for_update().filter(department_id=department_id).first()
    if row is None:
        return False
    before = {f: getattr(row, f) for f in CONVENTION_FIELDS}
    audit_record(actor=actor, verb="group_convention.reset", target=row, before=before, after=None)
    row.delete()
    return True


# --- the group's department and its head ------------------------------------------------------------------------


def group_department_id(group: GroupChat) -> int | None:
    """Customer groups: the owner's department; internal groups: the creator's (else the owner's)."""
    if group.kind == GroupKind.INTERNAL and group.creator_userid:
        dept = Member.objects.filter(wecom_userid=group.creator_userid).values_list("department_id", flat=True).first()
        if dept is not None:
            return dept
    return group.owner.department_id if group.owner is not None else None


def can_designate(member: Member, group: GroupChat) -> bool:
    if not member.is_active:
        return False
    if member.role == Role.DIRECTOR:
        return True
    dept = group_department_id(group)
    return member.role == Role.MANAGER and dept is not None and dept in department_subtree_ids(member.department_id)


def _designatable(actor: Member, group_id: int) -> GroupChat:
    group = GroupChat.objects.visible_to(actor).select_related("owner").filter(pk=group_id).first()
    if group is None:
        raise NotFound
    if not can_designate(actor, group):
        raise DomainError(errors.ERR_NOT_HEAD, code="forbidden")
    return group


@transaction.atomic
def group_admin_designate(*, actor: Member, group_id: int, member_id: int) -> GroupAdminDesignation:
    group = _designatable(actor, group_id)
    member = Member.objects.filter(pk=member_id).first()
    in_group = (
        member is not None
        and GroupMember.objects.filter(group=group, member=member, type=MemberType.STAFF, left_at=None).exists()
    )
    if member is None or not in_group:
        raise DomainError(errors.ERR_NOT_IN_GROUP, field="member")
    if GroupAdminDesignation.objects.filter(group=group, member=member, revoked_at=None).exists():
        raise DomainError(errors.ERR_ALREADY_DESIGNATED, code="conflict")
    row = GroupAdminDesignation.objects.create(group=group, member=member, designated_by=actor)
    audit_record(
        actor=actor, verb="group.admin_designate", target=group, after={"member": member.pk, "name": member.name}
    )
    conventions_check(group_ids=[group.pk])  # the designation changes this group's issues at once
    return row


@transaction.atomic
def group_admin_revoke(*, actor: Member, group_id: int, member_id: int) -> GroupAdminDesignation:
    group = _designatable(actor, group_id)
    row = GroupAdminDesignation.objects.select_for_update().filter(group=group, member_id=member_id, revoked_at=None)
    designation = row.first()
    if designation is None:
        raise DomainError(errors.ERR_NOT_DESIGNATED, field="member")
    designation.revoked_at, designation.revoked_by = timezone.now(), actor
    designation.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(actor=actor, verb="group.admin_revoke", target=group, before={"member": member_id})
    conventions_check(group_ids=[group.pk])  # the designation changes this group's issues at once
    return designation


# --- computing issues --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Found:
    kind: str
    userid: str
    member_id: int | None
    responsible_id: int | None
    expected: str
    actual: str


def _group_issues(
    group: GroupChat,
    ctx: Context,
    staff: list[GroupMember],
    designated: dict[str, int],
    members: dict[str, tuple[int, str, int]],
) -> list[Found]:
    """The issues of one group. `staff`: present staff rows; `designated`: userid -> member id;
    `members`: userid -> (member id, name, department id)."""
    if group.status == GroupStatus.DISMISSED:
        return []
    customer = group.kind == GroupKind.CUSTOMER
    lead_userid = group.owner_userid if customer or not group.creator_userid else group.creator_userid
    lead = members.get(lead_userid)
    dept_id = lead[2] if lead else None
    conv = ctx.effective(dept_id)
    head = ctx.head(dept_id)
    out: list[Found] = []
    if conv.check_name and dept_id is not None:
        template = conv.customer_name_template if customer else conv.name_template
        if not naming.follows(group.name, template, labels=ctx.labels(dept_id), separators=conv.separators):
            expected = naming.render(template, department=ctx.departments[dept_id].name)
            out.append(Found(IssueKind.GROUP_NAME, "", None, lead[0] if lead else None, expected, group.name))
    if customer and conv.check_nickname:
        for row in staff:
            known = members.get(row.userid)
            if known is None:
                continue
            member_id, name, member_dept = known
            nick_conv = ctx.effective(member_dept)
            if not nick_conv.check_nickname:
                continue
            ok = naming.follows(
                row.group_nickname,
                nick_conv.nickname_template,
                labels=ctx.labels(member_dept),
                name=name,
                separators=nick_conv.separators,
            )
            if not ok:
                dept_name = ctx.departments[member_dept].name if member_dept in ctx.departments else ""
                expected = naming.render(nick_conv.nickname_template, department=dept_name, name=name)
                out.append(Found(IssueKind.NICKNAME, row.userid, member_id, member_id, expected, row.group_nickname))
    if customer and conv.check_admins:
        wecom_admins = {r.userid for r in staff if r.is_admin} | {group.owner_userid}
        owner_id = lead[0] if lead else None
        for userid, member_id in sorted(designated.items()):
            if userid not in wecom_admins:
                out.append(Found(IssueKind.ADMIN_NOT_SET, userid, member_id, owner_id, "", ""))
        for r in staff:
            if r.is_admin and r.userid not in designated:
                out.append(Found(IssueKind.ADMIN_UNDESIGNATED, r.userid, r.member_id, head, "", ""))
    if conv.require_admin and not designated:
        out.append(Found(IssueKind.NO_ADMIN, "", None, head, "", ""))
    return out


def conventions_check(*, group_ids: Iterable[int], ctx: Context | None = None) -> dict[str, int]:
    """Recompute the issues of these groups: new ones are stored, fixed ones resolved. Audited per changed group."""
    ids = sorted(set(group_ids))
    counts = {"groups": 0, "opened": 0, "resolved": 0, "updated": 0}
    if not ids:
        return counts
    ctx = ctx or Context.load()
    batch = max(settings.GROUP_CONVENTION_CHECK_BATCH, 1)
    for start in range(0, len(ids), batch):
        _check_batch(ids[start : start + batch], ctx, counts)
    return counts


@transaction.atomic
def _check_batch(ids: list[int], ctx: Context, counts: dict[str, int]) -> None:
    now = timezone.now()
    groups = list(GroupChat.objects.filter(pk__in=ids))
    staff: dict[int, list[GroupMember]] = {}
    for row in GroupMember.objects.filter(group_id__in=ids, type=MemberType.STAFF, left_at=None).order_by("id"):
        staff.setdefault(row.group_id, []).append(row)
    userids = {g.owner_userid for g in groups} | {g.creator_userid for g in groups}
    userids |= {r.userid for rows in staff.values() for r in rows}
    members: dict[str, tuple[int, str, int]] = {
        u: (pk, name, dept)
        for u, pk, name, dept in Member.objects.filter(wecom_userid__in=[u for u in userids if u]).values_list(
            "wecom_userid", "id", "name", "department_id"
        )
        if u
    }
    designated: dict[int, dict[str, int]] = {}
    rows = GroupAdminDesignation.objects.filter(group_id__in=ids, revoked_at=None).values_list(
        "group_id", "member_id", "member__wecom_userid"
    )
    for group_id, member_id, userid in rows:
        designated.setdefault(group_id, {})[userid or f"member:{member_id}"] = member_id
    open_rows: dict[int, dict[tuple[str, str], ConventionIssue]] = {}
    for issue in ConventionIssue.objects.select_for_update().filter(group_id__in=ids, resolved_at=None):
        open_rows.setdefault(issue.group_id, {})[(issue.kind, issue.userid)] = issue
    to_create: list[ConventionIssue] = []
    to_update: list[ConventionIssue] = []
    audits: list[AuditEvent] = []
    for group in groups:
        counts["groups"] += 1
        found = _group_issues(group, ctx, staff.get(group.pk, []), designated.get(group.pk, {}), members)
        existing = open_rows.get(group.pk, {})
        wanted = {(f.kind, f.userid): f for f in found}
        opened: list[str] = []
        resolved: list[str] = []
        for key, f in wanted.items():
            current = existing.get(key)
            if current is None:
                to_create.append(
                    ConventionIssue(
                        group_id=group.pk,
                        kind=f.kind,
                        userid=f.userid,
                        member_id=f.member_id,
                        responsible_id=f.responsible_id,
                        expected=f.expected[:200],
                        actual=f.actual[:200],
                        first_seen=now,
                    )
                )
                opened.append(f"{f.kind}:{f.userid}")
            elif (current.expected, current.actual, current.responsible_id, current.member_id) != (
                f.expected[:200],
                f.actual[:200],
                f.responsible_id,
                f.member_id,
            ):
                current.expected, current.actual = f.expected[:200], f.actual[:200]
                current.responsible_id, current.member_id, current.updated_at = f.responsible_id, f.member_id, now
                to_update.append(current)
                counts["updated"] += 1
        for key, issue in existing.items():
            if key not in wanted:
                issue.resolved_at, issue.updated_at = now, now
                to_update.append(issue)
                resolved.append(f"{issue.kind}:{issue.userid}")
        if opened or resolved:
            counts["opened"] += len(opened)
            counts["resolved"] += len(resolved)
            audits.append(
                audit_event(
                    verb="group.conventions_check",
                    obj=group,
                    before=None,
                    after={"opened": opened, "resolved": resolved},
                    actor_label=CHECK_ACTOR,
                    label=group.name or group.chat_id,
                )
            )
    # Resolve first: a fixed issue and a new one of the same key never meet (the open key is unique).
    ConventionIssue.objects.bulk_update(
        to_update, ["expected", "actual", "responsible_id", "member_id", "resolved_at", "updated_at"], batch_size=500
    )
    # A concurrent check (the periodic task and a sync callback) may have opened the same issue: keep theirs.
    ConventionIssue.objects.bulk_create(to_create, batch_size=500, ignore_conflicts=True)
    AuditEvent.objects.bulk_create(audits, batch_size=500)


def conventions_check_all() -> dict[str, int]:
    """Every group, in batches of GROUP_CONVENTION_CHECK_BATCH ids (keyset by id). Idempotent."""
    ctx = Context.load()
    batch = max(settings.GROUP_CONVENTION_CHECK_BATCH, 1)
    totals = {"groups": 0, "opened": 0, "resolved": 0, "updated": 0}
    last = 0
    while True:
        ids = list(GroupChat.objects.filter(pk__gt=last).order_by("id").values_list("id", flat=True)[:batch])
        if not ids:
            break
        for key, value in conventions_check(group_ids=ids, ctx=ctx).items():
            totals[key] += value
        last = ids[-1]
    return totals


def conventions_check_chats(*, chat_ids: Iterable[str]) -> dict[str, int]:
    """After a WeCom sync or callback wrote these groups (by chat id)."""
    chat_ids = [c for c in chat_ids if c]
    ids: list[int] = []
    for start in range(0, len(chat_ids), 500):
        ids += GroupChat.objects.filter(chat_id__in=chat_ids[start : start + 500]).values_list("id", flat=True)
    return conventions_check(group_ids=ids)


# --- reminders ---------------------------------------------------------------------------------------------------

REMINDER_TITLE = gettext_noop("Group convention reminder")
REMINDER_BODY = {
    IssueKind.GROUP_NAME: gettext_noop(
        "The group “{group}” does not follow the naming rule. Please rename it, for example to “{expected}”."
    ),
    IssueKind.NICKNAME: gettext_noop(
        "Your nickname in the group “{group}” is “{actual}”. Please change it to department + name: “{expected}”."
    ),
    IssueKind.ADMIN_NOT_SET: gettext_noop(
        "{member} was designated as an admin of the group “{group}” but is not an admin in WeCom. Please add them "
        "as a group admin."
    ),
    IssueKind.ADMIN_UNDESIGNATED: gettext_noop(
        "{member} is an admin of the group “{group}” in WeCom but was not designated by the department head. "
        "Please designate them in zhidu or remove the admin in WeCom."
    ),
    IssueKind.NO_ADMIN: gettext_noop("The group “{group}” has no designated admin. Please designate one in zhidu."),
}


def reminder_text(issue: ConventionIssue) -> str:
    """The reminder for this issue, in the active language."""
    who = issue.member.name if issue.member is not None else issue.userid
    return gettext(REMINDER_BODY[IssueKind(issue.kind)]).format(
        group=issue.group.name or issue.group.chat_id,
        expected=issue.expected,
        actual=issue.actual or gettext("(not set)"),
        member=who,
    )


def can_remind(member: Member) -> bool:
    return member.is_active and member.role in REMINDER_ROLES


def _remind(actor: Member, issue: ConventionIssue, now: dt.datetime) -> bool:
    """Claim the issue's reminder slot atomically and queue the notification; False when throttled."""
    hours = settings.GROUP_CONVENTION_REMIND_HOURS
    cutoff = now - dt.timedelta(hours=hours)
    claimed = (
        ConventionIssue.objects.filter(pk=issue.pk, resolved_at=None)
        .filter(Q(reminded_at=None) | Q(reminded_at__lte=cutoff))
        .update(reminded_at=now, reminders=F("reminders") + 1, updated_at=now)
    )
    if not claimed:
        return False
    assert issue.responsible_id is not None
    notify(
        member_ids=[issue.responsible_id],
        title=gettext(REMINDER_TITLE),
        body=reminder_text(issue),
        url=reverse("groups:detail", args=[issue.group_id]),
        action=gettext("Open the group"),
    )
    audit_record(
        actor=actor,
        verb="convention_issue.remind",
        target=issue.group,
        after={"issue": issue.pk, "kind": issue.kind, "to": issue.responsible_id},
    )
    return True


@transaction.atomic
def issue_remind(*, actor: Member, issue_id: int) -> ConventionIssue:
    """Remind the member responsible for one open issue (at most once per GROUP_CONVENTION_REMIND_HOURS)."""
    issue = ConventionIssue.objects.visible_to(actor).select_related("group", "member").filter(pk=issue_id).first()
    if issue is None:
        raise NotFound
    if not can_remind(actor):
        raise DomainError(errors.ERR_CANNOT_REMIND, code="forbidden")
    if issue.resolved_at is not None:
        raise DomainError(errors.ERR_ISSUE_RESOLVED, code="conflict")
    if issue.responsible_id is None:
        raise DomainError(errors.ERR_NO_RECIPIENT, code="conflict")
    if not _remind(actor, issue, timezone.now()):
        raise DomainError(errors.ERR_REMINDED_RECENTLY, code="conflict", hours=settings.GROUP_CONVENTION_REMIND_HOURS)
    issue.refresh_from_db()
    return issue


@transaction.atomic
def group_remind_all(*, actor: Member, group_id: int) -> int:
    """Remind for every open issue of the group that has a recipient and was not reminded recently. Returns how
    many reminders were queued."""
    group = GroupChat.objects.visible_to(actor).filter(pk=group_id).first()
    if group is None:
        raise NotFound
    if not can_remind(actor):
        raise DomainError(errors.ERR_CANNOT_REMIND, code="forbidden")
    now = timezone.now()
    issues = ConventionIssue.objects.open().filter(group=group, responsible__isnull=False).select_related("member")
    sent = 0
    for issue in issues.order_by("id")[: settings.GROUP_CONVENTION_PAGE_SIZE]:
        issue.group = group
        sent += _remind(actor, issue, now)
    return sent
