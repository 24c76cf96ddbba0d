"""Reply timeliness over the archive: each ingest batch feeds the tracker (`behaviour/reply.py`) with the open waits
of its chats, persists new and answered waits, then checks deadlines up to the batch's last message; a periodic task
checks deadlines that pass with no new message. A late customer wait becomes a `late_reply` violation and tells the
member; still unanswered REPLY_ESCALATE_MINUTES later, the member's supervisor is told (once). An unanswered
internal-group question is flagged to the group's admins.

Everything runs inside the caller's transaction (the ingest batch): a crash rolls the waits back with the messages,
and a re-run of the same batch finds its messages stored already (they are never fed twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError
from zhidu.core.notifications import notify
from zhidu.org.calendars import CalendarResolver, calendar_resolver
from zhidu.org.models import Member

from ..behaviour import behaviour_rule
from ..behaviour.reply import INTERNAL, ReplyTracker, Room, Wait
from ..models import (
    ArchiveMessage,
    Category,
    ReplyResponder,
    ReplyWait,
    Severity,
    Violation,
    WaitKind,
    ms_to_datetime,
)
from .scan import _Batch, _Row

LATE_REPLY_CODE = "behaviour.late_reply"
# stored untranslated like the pack's names; pages show rule names through {% translate %}
LATE_REPLY_NAME = gettext_noop("Customer message not answered in time")
CHECK_BATCH = 500  # waits claimed per round of the deadline check

ERR_RESPONDER_NOT_IN_GROUP = gettext_noop("The responder must be a staff member of the group.")


def late_reply_rule() -> tuple[int, bool]:
    rule = behaviour_rule(
        code=LATE_REPLY_CODE, name=LATE_REPLY_NAME, category=Category.LATE_REPLY, severity=Severity.MEDIUM
    )
    return rule.pk, rule.enabled


@dataclass
class ReplyReport:
    opened: int = 0
    answered: int = 0
    late: int = 0
    escalated: int = 0
    flagged: int = 0


def _rooms(roomids: set[str]) -> dict[str, Room]:
    if not roomids:
        return {}
    from zhidu.groups.models import GroupChat

    groups = list(
        GroupChat.objects.filter(chat_id__in=roomids).values_list("pk", "chat_id", "kind", "owner__wecom_userid")
    )
    responders = dict(
        ReplyResponder.objects.filter(group_id__in=[g[0] for g in groups]).values_list(
            "group_id", "member__wecom_userid"
        )
    )
    return {chat_id: Room(kind, responders.get(pk) or owner or "") for pk, chat_id, kind, owner in groups}


def _deadlines(
    w: Wait, dept_id: int | None, resolver: CalendarResolver
) -> tuple[dt.datetime, dt.datetime, dt.datetime | None]:
    cal = resolver.for_department(dept_id)
    asked = ms_to_datetime(w.asked_ms)
    if w.kind == INTERNAL:
        return asked, cal.add_minutes(asked, settings.INTERNAL_QUESTION_MINUTES), None
    deadline = cal.add_minutes(asked, settings.REPLY_SLA_MINUTES)
    return asked, deadline, cal.add_minutes(deadline, settings.REPLY_ESCALATE_MINUTES)


def reply_track_batch(*, rows: Sequence[_Row], batch: _Batch) -> ReplyReport:
    """Feed one ingest batch (stored rows) to the tracker and persist the waits; then check deadlines up to the
    batch's last message. Call inside the batch's transaction."""
    report = ReplyReport()
    sent = sorted((r for r in rows if r.action == "send" and r.msgtype not in ("revoke", "switch")), key=_msgtime)
    if not sent:
        return report
    keys = {r.chat_key for r in sent}
    loaded = list(ReplyWait.objects.filter(answered_at=None, chat_key__in=keys))
    rooms = {r.roomid for r in sent if r.roomid}
    names: dict[str, str] = {}
    if rooms:
        names = {
            name: uid
            for name, uid in Member.objects.exclude(wecom_userid=None).values_list("name", "wecom_userid")
            if uid
        }
    tracker = ReplyTracker(
        is_staff=batch.is_staff,
        rooms=_rooms(rooms),
        names=names,
        open_waits=[_wait_of(w) for w in loaded],
    )
    tracker.feed_rows(sent)
    resolver = calendar_resolver()
    by_pk = {w.pk: w for w in loaded}
    # waits answered now that were open before this batch
    answered = []
    for w in tracker.closed:
        assert w.pk is not None
        row = by_pk[w.pk]
        _answer(row, w, resolver, batch)
        answered.append(row)
    ReplyWait.objects.bulk_update(answered, ["answered_at", "reply_msgid", "reply_minutes"], batch_size=500)
    report.answered += len(answered)
    if tracker.opened:
        pks = dict(
            ArchiveMessage.objects.filter(msgid__in=[w.msgid for w in tracker.opened]).values_list("msgid", "pk")
        )
        new = []
        for w in tracker.opened:
            uid = w.asker if w.kind == INTERNAL else w.responsible
            staff = batch.staff.get(uid)
            asked, deadline, escalate_at = _deadlines(w, staff.department_id if staff else None, resolver)
            row = ReplyWait(
                slot=w.slot[:300],
                kind=w.kind,
                chat_key=w.chat_key[:260],
                roomid=w.roomid,
                msgid=w.msgid,
                message_id=pks.get(w.msgid),
                asker=w.asker[:128],
                responsible=w.responsible[:128],
                member_id=staff.pk if staff else None,
                asked_at=asked,
                deadline=deadline,
                escalate_at=escalate_at,
            )
            if w.reply_msgid:
                _answer(row, w, resolver, batch)
                report.answered += 1
            new.append(row)
        ReplyWait.objects.bulk_create(new, batch_size=500)
        report.opened += len(new)
    horizon = ms_to_datetime(max(r.msgtime for r in sent))
    deadlines = reply_check_deadlines(now=min(horizon, timezone.now()))
    report.late, report.escalated, report.flagged = deadlines.late, deadlines.escalated, deadlines.flagged
    return report


def _msgtime(r: _Row) -> int:
    return r.msgtime


def _wait_of(row: ReplyWait) -> Wait:
    return Wait(
        slot=row.slot,
        kind=row.kind,
        chat_key=row.chat_key,
        roomid=row.roomid,
        msgid=row.msgid,
        asked_ms=int(row.asked_at.timestamp() * 1000),
        asker=row.asker,
        responsible=row.responsible,
        pk=row.pk,
    )


def _answer(row: ReplyWait, w: Wait, resolver: CalendarResolver, batch: _Batch) -> None:
    staff = batch.staff.get(w.asker if w.kind == INTERNAL else w.responsible)
    cal = resolver.for_department(staff.department_id if staff else None)
    row.answered_at = ms_to_datetime(w.reply_ms)
    row.reply_msgid = w.reply_msgid
    row.reply_minutes = round(cal.working_minutes(ms_to_datetime(w.asked_ms), row.answered_at), 2)


# ---------------------------------------------------------------------------------------------- deadlines


def reply_deadlines_run(*, now: dt.datetime | None = None) -> ReplyReport:
    """The periodic check: deadlines older than the archive's delay (REPLY_ARCHIVE_LAG_SECONDS)."""
    now = now or timezone.now()
    return reply_check_deadlines(now=now - dt.timedelta(seconds=settings.REPLY_ARCHIVE_LAG_SECONDS))


def reply_check_deadlines(*, now: dt.datetime) -> ReplyReport:
    """Late customer waits (answered after their deadline, or unanswered with the deadline before `now`) →
    violations; escalations; flagged
    internal questions. Each is claimed with a conditional UPDATE, so running twice never doubles anything."""
    report = ReplyReport()
    rule_pk, enabled = late_reply_rule()
    with transaction.atomic():
        if enabled:
            report.late = _late_waits(now, rule_pk)
        report.escalated = _escalations(now)
        report.flagged = _flag_questions(now)
    return report


def _late_waits(now: dt.datetime, rule_pk: int) -> int:
    total = 0
    resolver: CalendarResolver | None = None
    while True:
        late = list(
            ReplyWait.objects.customer()
            .filter(violation=None, message__isnull=False)
            .filter(Q(answered_at=None, deadline__lte=now) | Q(answered_at__gt=F("deadline")))
            .select_related("member", "message")[:CHECK_BATCH]
        )
        if not late:
            return total
        existing = dict(
            Violation.objects.filter(rule_id=rule_pk, message_id__in=[w.message_id for w in late]).values_list(
                "message_id", "pk"
            )
        )
        fresh = [w for w in late if w.message_id not in existing]
        resolver = resolver or calendar_resolver()
        created = Violation.objects.bulk_create([_violation(w, rule_pk, now, resolver) for w in fresh])
        existing.update({v.message_id: v.pk for v in created})
        for w in late:
            assert w.message_id is not None
            w.violation_id = existing[w.message_id]
        ReplyWait.objects.bulk_update(late, ["violation"], batch_size=500)
        _notify_late(fresh, created)
        if created:
            audit_record(
                actor=None,
                actor_label="reply",
                verb="compliance.late_reply",
                target_type="compliance.violation",
                target_id=created[0].pk,
                after={"violations": [v.pk for v in created[:100]], "count": len(created)},
            )
        total += len(created)


def _violation(w: ReplyWait, rule_pk: int, now: dt.datetime, resolver: CalendarResolver) -> Violation:
    assert w.message is not None and w.message_id is not None
    member = w.member
    end = w.answered_at or now
    dept = member.department_id if member else None
    waited = w.reply_minutes
    if waited is None:
        waited = resolver.for_department(dept).working_minutes(w.asked_at, end)
    text = w.message.text or ""
    return Violation(
        message_id=w.message_id,
        rule_id=rule_pk,
        category=Category.LATE_REPLY,
        severity=Severity.MEDIUM,
        start=0,
        end=min(len(text), 500),
        matched=text[:500],
        detector="behaviour",
        detail={
            "check": "late_reply",
            "waited_minutes": round(waited, 1),
            "sla_minutes": settings.REPLY_SLA_MINUTES,
            "answered": w.answered_at is not None,
            "kind": w.kind,
        },
        member_id=w.member_id,
        supervisor_id=member.reports_to_id if member else None,
        occurred_at=w.asked_at,
    )


def _link(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _notify_late(waits: list[ReplyWait], violations: list[Violation]) -> None:
    """One notification per member per check: the late wait itself, or how many there were."""
    by_member: dict[int, list[tuple[ReplyWait, Violation]]] = {}
    for w, v in zip(waits, violations, strict=True):
        if w.member_id:
            by_member.setdefault(w.member_id, []).append((w, v))
    with translation.override(settings.LANGUAGE_CODE):
        for member_id, items in by_member.items():
            w, v = items[0]
            if len(items) == 1:
                title = _("A customer waited %(minutes)s working minutes for your reply") % {
                    "minutes": v.detail.get("waited_minutes")
                }
                url, body = _link("compliance:violation_detail", v.pk), v.matched[:200]
            else:
                title = _("%(count)d customers waited too long for your reply") % {"count": len(items)}
                url, body = _link("compliance:reply"), "\n".join(x[1].matched[:60] for x in items[:5])
            notify(
                member_ids=[member_id],
                title=title,
                body=body,
                url=url,
                action=_("View"),
                dedupe_key=f"late_reply:{w.pk}-{items[-1][0].pk}",
            )


def _escalations(now: dt.datetime) -> int:
    """Still unanswered at `escalate_at`: one notification per supervisor per check (each wait escalates once)."""
    due = list(
        ReplyWait.objects.customer()
        .filter(answered_at=None, escalated_at=None, escalate_at__lte=now)
        .select_related("member", "message")
        .order_by("escalate_at", "pk")[:CHECK_BATCH]
    )
    if not due:
        return 0
    ReplyWait.objects.filter(pk__in=[w.pk for w in due], escalated_at=None).update(escalated_at=now)
    by_lead: dict[int, list[ReplyWait]] = {}
    for w in due:
        lead = w.member.reports_to_id if w.member else None
        if lead is not None:
            by_lead.setdefault(lead, []).append(w)
    with translation.override(settings.LANGUAGE_CODE):
        for lead, items in by_lead.items():
            if len(items) == 1:
                title = _("%(name)s has not answered a customer for a long time") % {"name": items[0].member}
            else:
                title = _("%(count)d customers of your team are still waiting for a reply") % {"count": len(items)}
            notify(
                member_ids=[lead],
                title=title,
                body="\n".join(f"{w.member}: {(w.message.text[:60] if w.message else '')}" for w in items[:5]),
                url=_link("compliance:reply"),
                action=_("View"),
                dedupe_key=f"reply_escalate:{items[0].pk}-{items[-1].pk}",
            )
    return len(due)


def _question_admins(roomids: set[str]) -> dict[str, list[int]]:
    """Who hears about an unanswered question per room: the admins the department head designated (internal
    groups have no WeCom admin list), else WeCom's admins, else its owner, else its creator."""
    from zhidu.groups.models import GroupAdminDesignation, GroupChat, GroupMember

    out: dict[str, list[int]] = {}
    for chat_id, member_id in GroupAdminDesignation.objects.filter(
        group__chat_id__in=roomids, revoked_at=None
    ).values_list("group__chat_id", "member_id"):
        out.setdefault(chat_id, []).append(member_id)
    for chat_id, member_id in GroupMember.objects.filter(
        group__chat_id__in=roomids, is_admin=True, left_at=None, member__isnull=False
    ).values_list("group__chat_id", "member_id"):
        if chat_id not in out or member_id not in out[chat_id]:
            out.setdefault(chat_id, []).append(member_id)
    creators: dict[str, str] = {}
    for chat_id, owner_id, creator in GroupChat.objects.filter(chat_id__in=roomids).values_list(
        "chat_id", "owner_id", "creator_userid"
    ):
        if chat_id not in out and owner_id:
            out[chat_id] = [owner_id]
        elif chat_id not in out and creator:
            creators[chat_id] = creator
    if creators:
        by_uid = dict(Member.objects.filter(wecom_userid__in=creators.values()).values_list("wecom_userid", "pk"))
        for chat_id, uid in creators.items():
            if uid in by_uid:
                out[chat_id] = [by_uid[uid]]
    return out


def _flag_questions(now: dt.datetime) -> int:
    due = list(
        ReplyWait.objects.filter(kind=WaitKind.INTERNAL, answered_at=None, flagged_at=None, deadline__lte=now)
        .select_related("member", "message")
        .order_by("deadline")[:CHECK_BATCH]
    )
    if not due:
        return 0
    admins = _question_admins({w.roomid for w in due})
    count = 0
    for w in due:
        if not ReplyWait.objects.filter(pk=w.pk, flagged_at=None).update(flagged_at=now):
            continue
        count += 1
        to = [pk for pk in admins.get(w.roomid, []) if pk != w.member_id]
        if not to:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            notify(
                member_ids=to,
                title=_("A question in an internal group has no answer"),
                body=f"{w.member or w.asker}: {(w.message.text[:200] if w.message else '')}",
                url=_link("compliance:reply"),
                action=_("View"),
                dedupe_key=f"reply_question:{w.pk}",
            )
    return count


# ---------------------------------------------------------------------------------------------- responders


@transaction.atomic
def reply_responder_set(*, actor: Member, group: object, member: Member | None) -> ReplyResponder | None:
    """Designate who answers customers in a customer group (None: back to the owner). Audited."""
    from zhidu.groups.models import GroupChat, GroupMember

    assert isinstance(group, GroupChat)
    current = ReplyResponder.objects.select_for_update().filter(group=group).first()
    before = {"member": current.member_id if current else None}
    if member is None:
        if current is not None:
            current.delete()
        result = None
    else:
        if not GroupMember.objects.filter(group=group, member=member, left_at=None).exists():
            raise DomainError(ERR_RESPONDER_NOT_IN_GROUP, field="member")
        result, _created = ReplyResponder.objects.update_or_create(group=group, defaults={"member": member})
    audit_record(
        actor=actor,
        verb="compliance.reply_responder",
        target=group,
        before=before,
        after={"member": member.pk if member else None},
    )
    return result
