"""The moderation ledger: cases, actions decided against people in groups, owner tasks, bans, re-join alerts, and
announcements of a group's rules.

WeCom offers no API to mute or remove a group member, so every action except a warning to a staff member becomes a
task for the group owner, who carries it out in WeCom and confirms it here (or declines with a reason); the decider
is told either way. Who may decide: the owner (recording their own actions), a supervisor or manager whose work scope
holds the owner, the director and compliance. Everything is audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.events import publish
from zhidu.core.notifications import notify
from zhidu.core.periods import local_today
from zhidu.org.models import Department, Member, Role, department_subtree_ids, work_scope_q
from zhidu.policies.models import Article, Policy, PolicyVersion, VersionStatus, version_in_force, versions_upcoming

from .models import (
    ActionKind,
    ActionStatus,
    AnnouncementMethod,
    AnnouncementStatus,
    Ban,
    BanAlert,
    CaseSource,
    CaseStatus,
    GroupChat,
    GroupMember,
    GroupRobot,
    GroupRules,
    GroupStatus,
    MemberType,
    ModerationAction,
    ModerationCase,
    RulesAnnouncement,
)

ERR_NOT_ALLOWED = gettext_noop("You may not decide moderation actions for this group.")
ERR_UNKNOWN_KIND = gettext_noop("Unknown moderation action.")
ERR_REASON_REQUIRED = gettext_noop("Give a reason.")
ERR_NOT_A_MEMBER = gettext_noop("This person has never been a member of the group.")
ERR_ARTICLE_NOT_IN_FORCE = gettext_noop("Cite an article of a regulation in force.")
ERR_NOT_YOUR_TASK = gettext_noop("Only the group owner can confirm or decline this task.")
ERR_NOT_PENDING = gettext_noop("This task is no longer open.")
ERR_ALREADY_ANNOUNCED = gettext_noop("This announcement is already done.")
ERR_RULES_TARGET = gettext_noop("Link the regulation to a group or to a department.")
ERR_NOT_PUBLISHED = gettext_noop("Only a published regulation can be a group's rules.")
ERR_WEBHOOK = gettext_noop("Enter the robot's webhook URL or key.")

ANNOUNCE_EVENT = "groups.rules_announce"
ORDER_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.COMPLIANCE)
RULES_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.COMPLIANCE)
ACTION_FIELDS = ["kind", "status", "assignee", "decline_reason", "done_by", "done_at"]


# ------------------------------------------------------------------------------------------------ access


def can_order(actor: Member | None, group: GroupChat) -> bool:
    """The owner, the director and compliance, and a supervisor or manager whose work scope holds the owner."""
    if actor is None or not actor.is_active:
        return False
    if group.owner_id is not None and group.owner_id == actor.pk:
        return True
    if actor.role in (Role.DIRECTOR, Role.COMPLIANCE):
        return True
    if actor.role in (Role.MANAGER, Role.SUPERVISOR) and group.owner_id is not None:
        return Member.objects.filter(pk=group.owner_id, pk__in=work_scope_q(actor)).exists()
    return False


def _check_visible(actor: Member, group: GroupChat) -> None:
    if not GroupChat.objects.visible_to(actor).filter(pk=group.pk).exists():
        raise NotFound


def article_in_force(article: Article) -> bool:
    """True if `article` belongs to the version of its regulation that is in force today."""
    version = article.version
    if version.status != VersionStatus.PUBLISHED:
        return False
    current = version_in_force(version.policy_id)
    return current is not None and current.pk == version.pk


def articles_in_force() -> list[Article]:
    """Every article of every regulation in force today (the order form's choice list), by regulation then order."""
    today = local_today()
    ids = [v.pk for v in (version_in_force(p, today) for p in Policy.objects.all()) if v is not None]
    return list(Article.objects.filter(version_id__in=ids).select_related("version").order_by("version_id", "order"))


def _zh() -> Any:
    return translation.override(settings.LANGUAGE_CODE)


def _tasks_url() -> str:
    return reverse("groups:moderation_tasks")


# ------------------------------------------------------------------------------------------------ cases


def moderation_case_open(
    *,
    group: GroupChat | None,
    offender_userid: str,
    offender_type: str,
    reason: str,
    category: str = "",
    msgid: str = "",
    text: str = "",
    occurred_at: dt.datetime | None = None,
    source: str = CaseSource.SCAN,
    chat_key: str = "",
    assignee_id: int | None = None,
    offender_name: str = "",
    actor: Member | None = None,
    notify_assignee: bool = True,
) -> tuple[ModerationCase, bool]:
    """A case for the group owner (or, in a single chat, the member) to look at; nobody is blamed by it.

    Idempotent per (chat, msgid, reason): the scan path and the flood check may report the same message again.
    Returns (case, created). Batch callers pass `notify_assignee=False` and call `moderation_cases_notify` once."""
    key = (group.chat_id if group is not None else chat_key)[:260]
    if msgid:
        found = ModerationCase.objects.filter(chat_key=key, msgid=msgid, reason=reason[:200]).first()
        if found is not None:
            return found, False
    if group is not None:
        assignee_id = group.owner_id
        if not offender_name:
            row = GroupMember.objects.filter(group=group, userid=offender_userid).first()
            offender_name = row.display_name if row is not None else ""
    try:
        with transaction.atomic():
            case = ModerationCase.objects.create(
                group=group,
                chat_key=key,
                assignee_id=assignee_id,
                offender_userid=offender_userid[:64],
                offender_type=offender_type,
                offender_name=offender_name[:200],
                reason=reason[:200],
                category=category[:30],
                source=source,
                msgid=msgid[:128],
                text=text,
                occurred_at=occurred_at,
                opened_by=actor,
            )
            audit_record(
                actor=actor,
                actor_label="" if actor is not None else "moderation",
                verb="moderation_case.open",
                target=case,
                after=snapshot(case, ["group", "offender_userid", "offender_type", "reason", "category", "msgid"]),
            )
    except IntegrityError:  # the same message reported concurrently
        found = ModerationCase.objects.filter(chat_key=key, msgid=msgid, reason=reason[:200]).first()
        if found is None:
            raise
        return found, False
    if notify_assignee:
        moderation_cases_notify([case])
    return case, True


def moderation_cases_notify(cases: list[ModerationCase]) -> int:
    """Tell each assignee about their new cases: one notification for a single case, one summary for several (an
    ingest batch can open dozens for one group owner). Returns the notifications queued."""
    by_assignee: dict[int, list[ModerationCase]] = {}
    for case in cases:
        if case.assignee_id is not None:
            by_assignee.setdefault(case.assignee_id, []).append(case)
    with _zh():
        for assignee_id, mine in by_assignee.items():
            if len(mine) == 1:
                case = mine[0]
                group = case.group
                where = str(group) if group is not None else _("a single chat")
                notify(
                    member_ids=[assignee_id],
                    title=_("To look at in %(group)s: %(reason)s") % {"group": where, "reason": case.reason},
                    body=f"{case.offender_name or case.offender_userid}: {case.text[:200]}",
                    url=reverse("groups:detail", args=[group.pk]) if group is not None else _tasks_url(),
                    action=_("View"),
                    dedupe_key=f"modcase:{case.pk}",
                )
                continue
            notify(
                member_ids=[assignee_id],
                title=_("%(count)d customer messages to look at") % {"count": len(mine)},
                body="\n".join(f"{c.group or _('a single chat')}: {c.reason}" for c in mine[:5]),
                url=_tasks_url(),
                action=_("View"),
                dedupe_key=f"modcases:{assignee_id}:{mine[0].pk}-{mine[-1].pk}",
            )
    return len(by_assignee)


@transaction.atomic
def moderation_case_close(*, actor: Member, case: ModerationCase, note: str = "") -> ModerationCase:
    """The owner (or someone who may order actions for the group) closes a case, with or without an action."""
    case = ModerationCase.objects.select_for_update().get(pk=case.pk)
    allowed = case.assignee_id == actor.pk or (case.group is not None and can_order(actor, case.group))
    if not allowed:
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")
    if case.status == CaseStatus.CLOSED:
        return case
    case.status = CaseStatus.CLOSED
    case.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        verb="moderation_case.close",
        target=case,
        before={"status": CaseStatus.OPEN},
        after={"status": CaseStatus.CLOSED},
        reason=note,
    )
    return case


# ------------------------------------------------------------------------------------------------ actions


@transaction.atomic
def moderation_action_order(
    *,
    actor: Member,
    group: GroupChat,
    kind: str,
    target_userid: str,
    article: Article | None,
    reason: str,
    msgid: str = "",
    message_text: str = "",
    case: ModerationCase | None = None,
    company_wide: bool = False,
) -> ModerationAction:
    """Decide an action against a person of the group. It becomes a task for the owner (a warning to a staff member
    is sent to them directly; the owner recording their own action records it as done)."""
    _check_visible(actor, group)
    if not can_order(actor, group):
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")
    if kind not in ActionKind.values:
        raise DomainError(ERR_UNKNOWN_KIND, field="kind")
    reason = reason.strip()
    if not reason:
        raise DomainError(ERR_REASON_REQUIRED, field="reason")
    person = GroupMember.objects.filter(group=group, userid=target_userid).select_related("member").first()
    if person is None:
        raise DomainError(ERR_NOT_A_MEMBER, field="target_userid")
    if article is None or not article_in_force(article):
        raise DomainError(ERR_ARTICLE_NOT_IN_FORCE, field="article")
    if case is not None and case.group_id != group.pk:
        raise NotFound
    now = timezone.now()
    owner_records = group.owner_id == actor.pk
    direct_warning = kind == ActionKind.WARN and person.type == MemberType.STAFF and person.member_id is not None
    done = owner_records or direct_warning
    action = ModerationAction.objects.create(
        group=group,
        case=case,
        kind=kind,
        decided_by=actor,
        reason=reason,
        article=article,
        citation=article.citation[:300],
        target_userid=person.userid,
        target_type=person.type,
        target_name=person.display_name[:200],
        msgid=msgid[:128],
        message_text=message_text,
        company_wide=company_wide and kind == ActionKind.BAN,
        assignee_id=group.owner_id,
        status=ActionStatus.DONE if done else ActionStatus.PENDING,
        done_by=actor if done else None,
        done_at=now if done else None,
    )
    if kind == ActionKind.BAN:
        Ban.objects.create(
            action=action,
            group=group,
            company_wide=action.company_wide,
            userid=person.userid,
            present_at_ban=person.left_at is None,
            join_time_at_ban=person.join_time if person.left_at is None else None,
        )
    audit_record(
        actor=actor,
        verb="moderation_action.order",
        target=action,
        after={
            **snapshot(action, ["group", "kind", "target_userid", "target_type", "citation", "status", "assignee"]),
            "msgid": action.msgid,
            "company_wide": action.company_wide,
        },
        reason=reason,
    )
    with _zh():
        if direct_warning and person.member_id is not None:
            notify(
                member_ids=[person.member_id],
                title=_("Warning in %(group)s") % {"group": group},
                body=f"{action.citation}\n{reason}",
                url=reverse("groups:detail", args=[group.pk]),
                action=_("View"),
                dedupe_key=f"modwarn:{action.pk}",
            )
        if action.status == ActionStatus.PENDING and group.owner_id is not None:
            notify(
                member_ids=[group.owner_id],
                title=_("Moderation task in %(group)s: %(kind)s %(person)s")
                % {"group": group, "kind": action.get_kind_display(), "person": action.target_name},
                body=f"{actor.name}: {reason}\n{action.citation}",
                url=_tasks_url(),
                action=_("Handle"),
                dedupe_key=f"modtask:{action.pk}",
            )
    return action


def _action_for_owner(actor: Member, action_id: int) -> ModerationAction:
    action = (
        ModerationAction.objects.visible_to(actor).select_for_update().select_related("group").filter(pk=action_id)
    ).first()
    if action is None:
        raise NotFound
    if action.assignee_id != actor.pk and action.group.owner_id != actor.pk:
        raise DomainError(ERR_NOT_YOUR_TASK, code="forbidden")
    if action.status != ActionStatus.PENDING:
        raise DomainError(ERR_NOT_PENDING, code="conflict")
    return action


def _tell_decider(action: ModerationAction, title: str, body: str) -> None:
    if action.decided_by_id == action.done_by_id:
        return
    notify(
        member_ids=[action.decided_by_id],
        title=title,
        body=body,
        url=reverse("groups:detail", args=[action.group_id]),
        action=_("View"),
        dedupe_key=f"moddone:{action.pk}",
    )


@transaction.atomic
def moderation_action_confirm(*, actor: Member, action_id: int) -> ModerationAction:
    """The owner carried the action out in WeCom."""
    action = _action_for_owner(actor, action_id)
    before = snapshot(action, ACTION_FIELDS)
    action.status, action.done_by, action.done_at = ActionStatus.DONE, actor, timezone.now()
    action.save(update_fields=["status", "done_by", "done_at", "updated_at"])
    if action.case_id is not None:
        ModerationCase.objects.filter(pk=action.case_id).update(status=CaseStatus.CLOSED, updated_at=timezone.now())
    audit_record(
        actor=actor,
        verb="moderation_action.confirm",
        target=action,
        before=before,
        after=snapshot(action, ACTION_FIELDS),
    )
    with _zh():
        _tell_decider(
            action,
            _("Done in %(group)s: %(kind)s %(person)s")
            % {"group": action.group, "kind": action.get_kind_display(), "person": action.target_name},
            _("Confirmed by %(name)s") % {"name": actor.name},
        )
    return action


@transaction.atomic
def moderation_action_decline(*, actor: Member, action_id: int, reason: str) -> ModerationAction:
    """The owner will not carry the action out; a ban it made is lifted."""
    action = _action_for_owner(actor, action_id)
    reason = reason.strip()
    if not reason:
        raise DomainError(ERR_REASON_REQUIRED, field="reason")
    before = snapshot(action, ACTION_FIELDS)
    action.status, action.done_by, action.done_at = ActionStatus.DECLINED, actor, timezone.now()
    action.decline_reason = reason
    action.save(update_fields=["status", "done_by", "done_at", "decline_reason", "updated_at"])
    Ban.objects.filter(action=action, lifted_at=None).update(lifted_at=timezone.now(), updated_at=timezone.now())
    audit_record(
        actor=actor,
        verb="moderation_action.decline",
        target=action,
        before=before,
        after=snapshot(action, ACTION_FIELDS),
        reason=reason,
    )
    with _zh():
        _tell_decider(
            action,
            _("Declined in %(group)s: %(kind)s %(person)s")
            % {"group": action.group, "kind": action.get_kind_display(), "person": action.target_name},
            f"{actor.name}: {reason}",
        )
    return action


# ------------------------------------------------------------------------------------------------ bans


def _rejoined(ban: Ban, group: GroupChat, row: GroupMember) -> bool:
    if ban.group_id != group.pk:
        return True  # a company-wide ban: present in another group at all is an alert
    return ban.left_since_ban or not (ban.present_at_ban and row.join_time == ban.join_time_at_ban)


def bans_check(*, group: GroupChat) -> list[BanAlert]:
    """Raise an alert for every banned person present in `group` who (re-)joined since the ban (once per join); a
    person banned company-wide is an alert in any other group.

    Call after writing a group's members (the `change_external_chat` callback, internal room syncs)."""
    bans = list(
        Ban.objects.filter(Q(group=group) | Q(company_wide=True), lifted_at=None).select_related("action", "group")
    )
    if not bans:
        return []
    by_userid: dict[str, list[Ban]] = {}
    for ban in bans:
        by_userid.setdefault(ban.userid, []).append(ban)
    present = list(GroupMember.objects.filter(group=group, left_at=None, userid__in=list(by_userid)))
    here = {row.userid for row in present}
    gone = [b.pk for b in bans if b.group_id == group.pk and b.userid not in here and not b.left_since_ban]
    if gone:  # out of the group now: coming back later is a re-join, whatever join time WeCom reports then
        Ban.objects.filter(pk__in=gone).update(left_since_ban=True, updated_at=timezone.now())
    alerts: list[BanAlert] = []
    for row in present:
        joined = row.join_time or row.created_at
        for ban in by_userid[row.userid]:
            if not _rejoined(ban, group, row):
                continue  # still there from before the ban: the removal task covers it
            with transaction.atomic():
                alert, created = BanAlert.objects.get_or_create(
                    ban=ban, group=group, joined_at=joined, defaults={"userid": row.userid, "name": row.display_name}
                )
                if ban.group_id == group.pk and ban.left_since_ban:
                    Ban.objects.filter(pk=ban.pk).update(
                        left_since_ban=False, join_time_at_ban=row.join_time, present_at_ban=True
                    )
                if not created:
                    continue
                audit_record(
                    actor=None,
                    actor_label="moderation",
                    verb="ban.rejoin_alert",
                    target=alert,
                    after={"group": group.pk, "userid": row.userid, "ban": ban.pk, "joined_at": joined},
                )
                recipients = [pk for pk in (group.owner_id, ban.action.decided_by_id) if pk]
                with _zh():
                    notify(
                        member_ids=recipients,
                        title=_("A banned person re-joined %(group)s: %(name)s")
                        % {"group": group, "name": row.display_name},
                        body=ban.action.citation,
                        url=reverse("groups:moderation_alerts"),
                        action=_("View"),
                        dedupe_key=f"banalert:{alert.pk}",
                    )
            alerts.append(alert)
    return alerts


def bans_check_chat(*, chat_id: str) -> list[BanAlert]:
    group = GroupChat.objects.filter(chat_id=chat_id).first()
    return bans_check(group=group) if group is not None else []


def bans_check_all() -> list[BanAlert]:
    """After a full sync: check every group where a banned person is present (one query when nobody is banned)."""
    userids = set(Ban.objects.filter(lifted_at=None).values_list("userid", flat=True))
    if not userids:
        return []
    group_ids = set(
        GroupMember.objects.filter(userid__in=userids, left_at=None).values_list("group_id", flat=True).distinct()
    )
    alerts: list[BanAlert] = []
    for group in GroupChat.objects.filter(pk__in=group_ids):
        alerts += bans_check(group=group)
    return alerts


# ------------------------------------------------------------------------------------------------ group rules


@transaction.atomic
def group_rules_link(
    *, actor: Member, policy: Policy, group: GroupChat | None = None, department: Department | None = None
) -> GroupRules:
    """Make a published regulation the rules of a group, or of every group owned in a department's subtree."""
    if actor.role not in RULES_ROLES and not (group is not None and group.owner_id == actor.pk):
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")
    if (group is None) == (department is None):
        raise DomainError(ERR_RULES_TARGET)
    if group is not None:
        _check_visible(actor, group)
    if version_in_force(policy) is None and not versions_upcoming(policy):
        raise DomainError(ERR_NOT_PUBLISHED, field="policy")
    link, created = GroupRules.objects.get_or_create(
        policy=policy, group=group, department=department, defaults={"created_by": actor}
    )
    if created:
        audit_record(
            actor=actor, verb="group_rules.link", target=link, after=snapshot(link, ["policy", "group", "department"])
        )
    return link


@transaction.atomic
def group_robot_set(*, actor: Member, group: GroupChat, webhook: str) -> GroupRobot:
    """The owner (or whoever may order actions for the group) records the group robot's webhook."""
    _check_visible(actor, group)
    if not can_order(actor, group):
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")
    webhook = webhook.strip()
    if not webhook:
        raise DomainError(ERR_WEBHOOK, field="webhook")
    robot, created = GroupRobot.objects.get_or_create(group=group, defaults={"webhook": webhook[:300]})
    if not created:
        robot.webhook = webhook[:300]
        robot.save(update_fields=["webhook", "updated_at"])
    audit_record(actor=actor, verb="group_robot.set", target=group, after={"robot": True}, reason="")
    return robot


def _rules_groups(link: GroupRules) -> list[GroupChat]:
    live = GroupChat.objects.exclude(status=GroupStatus.DISMISSED)
    if link.group_id is not None:
        return list(live.filter(pk=link.group_id))
    depts = department_subtree_ids(link.department_id)
    return list(live.filter(owner__department_id__in=depts))


def announcement_text(version: PolicyVersion) -> str:
    with _zh():
        return _("Group rules update: %(title)s takes effect on %(date)s. Please read it and follow it.") % {
            "title": f"《{version.title}》",
            "date": version.effective_date.isoformat() if version.effective_date else "",
        }


def rules_announcements_due(*, today: dt.date | None = None) -> int:
    """Announce each upcoming version of a group's rules to the group, `RULES_ANNOUNCE_DAYS` ahead of its effective
    date: through the group robot when one is set, else as a task for the owner. Idempotent per (group, version)."""
    day = today or local_today()
    horizon = day + dt.timedelta(days=settings.RULES_ANNOUNCE_DAYS)
    made = 0
    for link in GroupRules.objects.select_related("policy"):
        versions = [
            v for v in versions_upcoming(link.policy_id, day) if v.effective_date and v.effective_date <= horizon
        ]
        if not versions:
            continue
        for group in _rules_groups(link):
            for version in versions:
                made += _announce(group, version)
    return made


@transaction.atomic
def _announce(group: GroupChat, version: PolicyVersion) -> int:
    if RulesAnnouncement.objects.filter(group=group, version=version).exists():
        return 0
    robot = GroupRobot.objects.filter(group=group).first()
    method = AnnouncementMethod.ROBOT if robot is not None else AnnouncementMethod.OWNER
    ann = RulesAnnouncement.objects.create(
        group=group, version=version, method=method, text=announcement_text(version), assignee_id=group.owner_id
    )
    audit_record(
        actor=None,
        actor_label="moderation",
        verb="rules_announcement.create",
        target=ann,
        after=snapshot(ann, ["group", "version", "method", "assignee"]),
    )
    if method == AnnouncementMethod.ROBOT:
        publish(ANNOUNCE_EVENT, id=ann.pk)
    elif group.owner_id is not None:
        with _zh():
            notify(
                member_ids=[group.owner_id],
                title=_("Post the new group rules in %(group)s") % {"group": group},
                body=ann.text,
                url=_tasks_url(),
                action=_("Handle"),
                dedupe_key=f"rulesann:{ann.pk}",
            )
    return 1


def rules_announcement_webhook(announcement_id: int) -> tuple[RulesAnnouncement, str] | None:
    """For the sender (wecom): the pending robot announcement and its webhook, or None when there is nothing to do."""
    ann = RulesAnnouncement.objects.filter(
        pk=announcement_id, method=AnnouncementMethod.ROBOT, status__in=[AnnouncementStatus.PENDING]
    ).first()
    robot = GroupRobot.objects.filter(group_id=ann.group_id).first() if ann is not None else None
    if ann is None or robot is None:
        return None
    return ann, robot.webhook


@transaction.atomic
def rules_announcement_sent(*, announcement_id: int, error: str = "") -> RulesAnnouncement:
    """The robot accepted the announcement (or refused it for good: `error`)."""
    ann = RulesAnnouncement.objects.select_for_update().get(pk=announcement_id)
    before = {"status": ann.status}
    ann.status = AnnouncementStatus.FAILED if error else AnnouncementStatus.SENT
    ann.error = error[:300]
    ann.done_at = timezone.now()
    ann.save(update_fields=["status", "error", "done_at", "updated_at"])
    audit_record(
        actor=None,
        actor_label="wecom",
        verb="rules_announcement.sent",
        target=ann,
        before=before,
        after={"status": ann.status, "error": ann.error},
    )
    return ann


@transaction.atomic
def rules_announcement_confirm(*, actor: Member, announcement_id: int) -> RulesAnnouncement:
    """The owner posted the rules announcement in the group."""
    ann = RulesAnnouncement.objects.select_for_update().select_related("group").filter(pk=announcement_id).first()
    if ann is None or not GroupChat.objects.visible_to(actor).filter(pk=ann.group_id).exists():
        raise NotFound
    if ann.assignee_id != actor.pk and ann.group.owner_id != actor.pk:
        raise DomainError(ERR_NOT_YOUR_TASK, code="forbidden")
    if ann.status != AnnouncementStatus.PENDING or ann.method != AnnouncementMethod.OWNER:
        raise DomainError(ERR_ALREADY_ANNOUNCED, code="conflict")
    ann.status, ann.done_by, ann.done_at = AnnouncementStatus.CONFIRMED, actor, timezone.now()
    ann.save(update_fields=["status", "done_by", "done_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="rules_announcement.confirm",
        target=ann,
        before={"status": AnnouncementStatus.PENDING},
        after={"status": ann.status},
    )
    return ann
