"""Writes of meetings: schedule, reschedule, cancel, attendance, minutes with action items (each becomes a task),
and the periodic reminders. Each validates everything first, then writes in one transaction, keeping the meeting's
org `CalendarEntry` in step, with its audit record; the people who must know are notified (outbox).

A follow-up meeting with a customer writes a follow-up record on the customer (the customers app's own service)
when its minutes are first recorded, so the customer's timeline shows the meeting.
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
from django.utils import timezone, translation
from django.utils.translation import gettext

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.notifications import notify
from zhidu.core.text import clean_text, model_max_length
from zhidu.customers.development.services import followup_record
from zhidu.customers.models import Customer, FollowRelation, FollowUpKind
from zhidu.org.models import LEAD_ROLES, CalendarEntry, Member, SessionKind, work_scope_q

from . import errors as E
from .models import ActionItem, Attendance, Meeting, MeetingKind, MeetingParticipant, MeetingStatus
from .tasks_services import member_label, members_in_scope, task_create

AGENDA_MAX = 5000
MINUTES_MAX = 10000
ACTION_ITEMS_MAX = 20
FOLLOWUP_SUMMARY_MAX = 1000
AUDITED = ["title", "kind", "starts_at", "ends_at", "place", "online_url", "status"]


@dataclass(frozen=True)
class MeetingInput:
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    participant_ids: Sequence[int] = ()
    agenda: str = ""
    place: str = ""
    online_url: str = ""
    customer_id: int | None = None


@dataclass(frozen=True)
class ActionItemInput:
    title: str
    assignee_id: int
    due_at: dt.datetime


@dataclass
class _Checked:
    title: str
    agenda: str
    place: str
    participants: list[Member] = field(default_factory=list)
    customer: Customer | None = None


# --------------------------------------------------------------------------------------------- access


def invitable_members(organizer: Member) -> list[Member]:
    """The active members `organizer` may invite (their work scope, themselves included): form choices."""
    return list(Member.objects.active().filter(pk__in=work_scope_q(organizer)).order_by("department_id", "name")[:500])


def own_customers(member: Member) -> list[Customer]:
    """Customers `member` may hold a follow-up meeting with (form choices, bounded)."""
    qs = Customer.objects.visible_to(member) if member.role in LEAD_ROLES else _followed_by(member)
    return list(qs.order_by("name", "pk")[:300])


def _followed_by(member: Member) -> Any:
    ids = FollowRelation.objects.filter(member=member, deleted=False).values("customer_id")
    return Customer.objects.filter(pk__in=ids)


def can_manage(actor: Member, meeting: Meeting) -> bool:
    """The organizer, or a lead whose work scope holds the organizer."""
    if not actor.is_active:
        return False
    if meeting.organizer_id == actor.pk:
        return True
    return actor.role in LEAD_ROLES and actor.can_see_work_of(meeting.organizer)


def _check(actor: Member, data: MeetingInput, *, now: dt.datetime) -> _Checked:
    title = clean_text(data.title, field="title", max_length=model_max_length(Meeting, "title")).strip()
    agenda = clean_text(data.agenda, field="agenda", max_length=AGENDA_MAX).strip()
    place = clean_text(data.place, field="place", max_length=model_max_length(Meeting, "place")).strip()
    url = clean_text(data.online_url, field="online_url", max_length=model_max_length(Meeting, "online_url"))
    if not title:
        raise DomainError(E.ERR_MEETING_TITLE, field="title")
    if data.kind not in MeetingKind.values:
        raise DomainError(E.ERR_MEETING_KIND, field="kind")
    if not actor.is_active or (actor.role not in LEAD_ROLES and data.kind != MeetingKind.FOLLOWUP):
        raise DomainError(E.ERR_MEETING_NOT_LEAD, code="forbidden", field="kind")
    hours = settings.WORK_MEETING_MAX_HOURS
    if data.ends_at <= data.starts_at or data.ends_at - data.starts_at > dt.timedelta(hours=hours):
        raise DomainError(E.ERR_MEETING_TIMES, field="ends_at", hours=hours)
    if data.starts_at < now:
        raise DomainError(E.ERR_MEETING_START_PAST, field="starts_at")
    if data.starts_at > now + dt.timedelta(days=settings.WORK_MEETING_AHEAD_MAX_DAYS):
        raise DomainError(E.ERR_MEETING_START_FAR, field="starts_at", days=settings.WORK_MEETING_AHEAD_MAX_DAYS)
    if url and not url.startswith(("https://", "http://")):
        raise DomainError(E.ERR_MEETING_PLACE, field="online_url")
    customer = None
    if data.kind == MeetingKind.FOLLOWUP:
        qs = Customer.objects.visible_to(actor) if actor.role in LEAD_ROLES else _followed_by(actor)
        customer = qs.filter(pk=data.customer_id).first() if data.customer_id else None
        if customer is None:
            raise DomainError(E.ERR_MEETING_CUSTOMER, field="customer")
    elif data.customer_id:
        raise DomainError(E.ERR_MEETING_CUSTOMER_KIND, field="customer")
    return _Checked(title, agenda, place, _check_participants(actor, data.participant_ids), customer)


def _check_participants(actor: Member, participant_ids: Iterable[int]) -> list[Member]:
    ids = [pk for pk in dict.fromkeys(int(pk) for pk in participant_ids) if pk != actor.pk]
    if len(ids) > settings.WORK_MEETING_MAX_PARTICIPANTS:
        raise DomainError(
            E.ERR_MEETING_PARTICIPANTS_MAX, field="participants", max=settings.WORK_MEETING_MAX_PARTICIPANTS
        )
    allowed = members_in_scope(actor, ids, error=E.ERR_MEETING_PARTICIPANT_SCOPE, field="participants")
    return [actor, *(allowed[pk] for pk in ids)]


def _state(meeting: Meeting) -> dict[str, Any]:
    ids = sorted(meeting.participants.values_list("member_id", flat=True))
    return snapshot(meeting, AUDITED) | {"participants": ids, "customer": meeting.customer_id}


def _url(meeting: Meeting) -> str:
    return reverse("work:meeting", args=[meeting.pk])


def _sync_entry(meeting: Meeting, members: Sequence[Member]) -> None:
    """Write the meeting's org calendar entry: same title, times and participants (the behaviour rules read it)."""
    entry = meeting.calendar_entry
    entry.title = meeting.title
    entry.kind = SessionKind.TRAINING if meeting.kind == MeetingKind.TRAINING else SessionKind.MEETING
    entry.department_id = meeting.department_id
    entry.starts_at, entry.ends_at = meeting.starts_at, meeting.ends_at
    entry.whole_department = False
    entry.save()
    entry.participants.set(members)


# --------------------------------------------------------------------------------------------- schedule


def meeting_create(*, actor: Member, data: MeetingInput, now: dt.datetime | None = None) -> Meeting:
    now = now or timezone.now()
    c = _check(actor, data, now=now)
    with transaction.atomic():
        entry = CalendarEntry(
            title=c.title,
            department_id=actor.department_id,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            created_by=actor,
        )
        entry.save()
        meeting = Meeting.objects.create(
            title=c.title,
            kind=data.kind,
            agenda=c.agenda,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            place=c.place,
            online_url=data.online_url.strip(),
            organizer=actor,
            department_id=actor.department_id,
            customer=c.customer,
            calendar_entry=entry,
        )
        MeetingParticipant.objects.bulk_create([MeetingParticipant(meeting=meeting, member=m) for m in c.participants])
        _sync_entry(meeting, c.participants)
        audit_record(actor=actor, verb="meeting.create", target=meeting, after=_state(meeting))
        notify(
            member_ids=[m.pk for m in c.participants if m.pk != actor.pk],
            title=gettext("You are invited to a meeting"),
            body=f"{c.title} · {timezone.localtime(data.starts_at):%Y-%m-%d %H:%M}",
            url=_url(meeting),
            dedupe_key=f"meeting:{meeting.pk}:invite",
        )
    return meeting


def _lock_for_change(actor: Member, meeting: Meeting) -> Meeting:
    m = Meeting.objects.select_for_update().select_related("calendar_entry", "organizer").get(pk=meeting.pk)
    if not can_manage(actor, m):
        raise DomainError(E.ERR_MEETING_NOT_YOURS, code="forbidden")
    return m


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DomainError(E.ERR_MEETING_NOT_SCHEDULED, code="conflict", status=meeting.get_status_display())


def meeting_reschedule(
    *, actor: Member, meeting: Meeting, data: MeetingInput, now: dt.datetime | None = None
) -> Meeting:
    """Change a scheduled meeting (title, agenda, time, place, participants); its kind and customer stay."""
    now = now or timezone.now()
    with transaction.atomic():
        m = _lock_for_change(actor, meeting)
        _require_scheduled(m)
        data = MeetingInput(**{**data.__dict__, "kind": m.kind, "customer_id": m.customer_id})
        c = _check(m.organizer, data, now=now)
        before = _state(m)
        old = set(before["participants"])
        m.title, m.agenda, m.place, m.online_url = c.title, c.agenda, c.place, data.online_url.strip()
        m.starts_at, m.ends_at = data.starts_at, data.ends_at
        m.save()
        keep = {p.pk for p in c.participants}
        m.participants.exclude(member_id__in=keep).delete()
        MeetingParticipant.objects.bulk_create(
            [MeetingParticipant(meeting=m, member=p) for p in c.participants if p.pk not in old]
        )
        _sync_entry(m, c.participants)
        after = _state(m)
        audit_record(actor=actor, verb="meeting.reschedule", target=m, before=before, after=after)
        stamp = f"{timezone.localtime(m.starts_at):%Y-%m-%d %H:%M}"
        notify(
            member_ids=[pk for pk in keep if pk != actor.pk],
            title=gettext("A meeting was changed"),
            body=f"{m.title} · {stamp}",
            url=_url(m),
            dedupe_key=f"meeting:{m.pk}:change:{m.starts_at.isoformat()}:{len(keep)}:{m.updated_at.isoformat()}",
        )
    return m


def meeting_cancel(*, actor: Member, meeting: Meeting, reason: str = "") -> Meeting:
    reason = clean_text(reason, field="reason", max_length=500).strip()
    with transaction.atomic():
        m = _lock_for_change(actor, meeting)
        _require_scheduled(m)
        before = snapshot(m, ["status"])
        m.status = MeetingStatus.CANCELLED
        m.cancelled_at = timezone.now()
        m.save(update_fields=["status", "cancelled_at", "updated_at"])
        entry = m.calendar_entry
        entry.cancelled_at = m.cancelled_at
        entry.save(update_fields=["cancelled_at", "updated_at"])
        audit_record(
            actor=actor, verb="meeting.cancel", target=m, before=before, after=snapshot(m, ["status"]), reason=reason
        )
        notify(
            member_ids=[pk for pk in m.participants.values_list("member_id", flat=True) if pk != actor.pk],
            title=gettext("A meeting was cancelled"),
            body=m.title + (f" · {reason}" if reason else ""),
            url=_url(m),
            dedupe_key=f"meeting:{m.pk}:cancel",
        )
    return m


# --------------------------------------------------------------------------------------------- after the start


def _require_held_or_started(m: Meeting, now: dt.datetime) -> None:
    if m.status == MeetingStatus.CANCELLED:
        raise DomainError(E.ERR_MEETING_CANCELLED, code="conflict")
    if m.starts_at > now:
        raise DomainError(E.ERR_MEETING_NOT_STARTED, code="conflict")


def attendance_record(
    *, actor: Member, meeting: Meeting, marks: dict[int, str], now: dt.datetime | None = None
) -> Meeting:
    """Mark participants present, late, absent or excused (only those given; others keep their mark)."""
    now = now or timezone.now()
    with transaction.atomic():
        m = _lock_for_change(actor, meeting)
        _require_held_or_started(m, now)
        rows = {p.member_id: p for p in m.participants.select_related("member")}
        for pk, mark in marks.items():
            if mark not in Attendance.values:
                raise DomainError(E.ERR_MEETING_ATTENDANCE, field="attendance")
            if int(pk) not in rows:
                raise DomainError(E.ERR_MEETING_NOT_PARTICIPANT, field="attendance", name=member_label(int(pk)))
        before = {str(pk): p.attendance for pk, p in rows.items()}
        changed = [rows[int(pk)] for pk, mark in marks.items() if rows[int(pk)].attendance != mark]
        for p in changed:
            p.attendance = marks[p.member_id]
        MeetingParticipant.objects.bulk_update(changed, ["attendance", "updated_at"])
        after = {str(pk): p.attendance for pk, p in rows.items()}
        audit_record(actor=actor, verb="meeting.attendance", target=m, before=before, after=after)
    return m


def _check_items(
    actor: Member, m: Meeting, items: Sequence[ActionItemInput], now: dt.datetime
) -> list[tuple[str, Member, dt.datetime]]:
    if len(items) > ACTION_ITEMS_MAX:
        raise DomainError(E.ERR_ACTION_MAX, field="action_items", max=ACTION_ITEMS_MAX)
    participants = {p.member_id: p.member for p in m.participants.select_related("member")}
    scope = set(
        Member.objects.filter(pk__in=work_scope_q(actor)).filter(pk__in=participants).values_list("pk", flat=True)
    )
    out = []
    for item in items:
        title = clean_text(item.title, field="action_items", max_length=model_max_length(ActionItem, "title")).strip()
        if not title:
            raise DomainError(E.ERR_ACTION_TITLE, field="action_items")
        member = participants.get(int(item.assignee_id))
        if member is None:
            other = Member.objects.filter(pk=item.assignee_id).first()
            raise DomainError(E.ERR_ACTION_ASSIGNEE, field="action_items", name=other or item.assignee_id)
        if member.pk not in scope or not member.is_active:
            raise DomainError(E.ERR_ACTION_SCOPE, field="action_items", code="forbidden", name=member)
        if item.due_at < now:
            raise DomainError(E.ERR_ACTION_DUE_PAST, field="action_items")
        out.append((title, member, item.due_at))
    return out


def _write_items(
    actor: Member, m: Meeting, checked: list[tuple[str, Member, dt.datetime]], now: dt.datetime
) -> list[ActionItem]:
    with translation.override(settings.LANGUAGE_CODE):
        description = gettext("Action item of the meeting “{title}” ({day}).").format(
            title=m.title, day=f"{timezone.localtime(m.starts_at):%Y-%m-%d}"
        )
    out = []
    for title, member, due_at in checked:
        task = task_create(
            actor=actor, title=title, assignee_ids=[member.pk], due_at=due_at, description=description, now=now
        )
        item = ActionItem.objects.create(
            meeting=m, title=title, assignee=member, due_at=due_at, task=task, created_by=actor
        )
        audit_record(
            actor=actor,
            verb="meeting.action_item",
            target=m,
            after={
                "item": item.pk,
                "title": title,
                "assignee": member.pk,
                "task": task.pk,
                "due_at": due_at.isoformat(),
            },
        )
        out.append(item)
    return out


def action_items_add(
    *, actor: Member, meeting: Meeting, items: Sequence[ActionItemInput], now: dt.datetime | None = None
) -> list[ActionItem]:
    """Record action items of a meeting; each becomes a task for its assignee (a participant in the actor's scope)."""
    now = now or timezone.now()
    with transaction.atomic():
        m = _lock_for_change(actor, meeting)
        _require_held_or_started(m, now)
        return _write_items(actor, m, _check_items(actor, m, items, now), now)


def _follow_for(actor: Member, m: Meeting) -> FollowRelation | None:
    if m.customer_id is None:
        return None
    qs = FollowRelation.objects.visible_to(actor).filter(customer_id=m.customer_id, deleted=False)
    return qs.filter(member=m.organizer).first() or qs.order_by("pk").first()


def minutes_record(
    *,
    actor: Member,
    meeting: Meeting,
    minutes: str,
    items: Sequence[ActionItemInput] = (),
    now: dt.datetime | None = None,
) -> Meeting:
    """Record (or correct) the minutes; the meeting is then held. Action items become tasks. A follow-up meeting's
    first minutes become a follow-up record on its customer."""
    now = now or timezone.now()
    text = clean_text(minutes, field="minutes", max_length=MINUTES_MAX).strip()
    if not text:
        raise DomainError(E.ERR_MEETING_MINUTES, field="minutes")
    with transaction.atomic():
        m = _lock_for_change(actor, meeting)
        _require_held_or_started(m, now)
        checked = _check_items(actor, m, items, now)
        before = snapshot(m, ["status", "minutes"])
        m.minutes, m.minutes_by, m.minutes_at, m.status = text, actor, now, MeetingStatus.HELD
        follow = _follow_for(actor, m) if m.customer_id and m.followup_id is None else None
        if follow is not None:
            summary = f"{m.title}\n{text}"[:FOLLOWUP_SUMMARY_MAX]
            record = followup_record(
                actor=actor, follow_id=follow.pk, kind=FollowUpKind.MEETING, summary=summary, happened_at=m.starts_at
            )
            m.followup = record
        m.save()
        audit_record(
            actor=actor, verb="meeting.minutes", target=m, before=before, after=snapshot(m, ["status", "minutes"])
        )
        _write_items(actor, m, checked, now)
        notify(
            member_ids=[pk for pk in m.participants.values_list("member_id", flat=True) if pk != actor.pk],
            title=gettext("Meeting minutes are recorded"),
            body=m.title,
            url=_url(m),
            dedupe_key=f"meeting:{m.pk}:minutes:{now.isoformat()}",
        )
    return m


# --------------------------------------------------------------------------------------------- reminders


@dataclass
class ReminderResult:
    start: int = 0
    minutes: int = 0


def meeting_reminders(*, now: dt.datetime | None = None) -> ReminderResult:
    """Remind participants `WORK_MEETING_REMIND_MINUTES` before a scheduled meeting starts, and the organizer once
    when the minutes are still missing `WORK_MINUTES_DUE_HOURS` after the end. Idempotent (dedupe keys)."""
    now = now or timezone.now()
    result = ReminderResult()
    ahead = now + dt.timedelta(minutes=settings.WORK_MEETING_REMIND_MINUTES)
    batch = settings.WORK_MEETING_REMIND_BATCH
    soon = Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=ahead).filter(
        Q(reminded_start__isnull=True) | ~Q(reminded_start=F("starts_at"))
    )
    for m in soon.prefetch_related("participants").order_by("starts_at", "pk")[:batch]:
        with transaction.atomic():
            sent = notify(
                member_ids=[p.member_id for p in m.participants.all()],
                title=gettext("A meeting starts soon"),
                body=f"{m.title} · {timezone.localtime(m.starts_at):%H:%M}" + (f" · {m.place}" if m.place else ""),
                url=_url(m),
                dedupe_key=f"meeting:{m.pk}:remind:{m.starts_at.isoformat()}",
            )
            Meeting.objects.filter(pk=m.pk).update(reminded_start=m.starts_at)
        result.start += len(sent)
    due = now - dt.timedelta(hours=settings.WORK_MINUTES_DUE_HOURS)
    oldest = due - dt.timedelta(days=settings.WORK_MINUTES_LOOKBACK_DAYS)
    late = Meeting.objects.filter(
        ~Q(status=MeetingStatus.CANCELLED),
        minutes_at__isnull=True,
        minutes_reminded_at__isnull=True,
        ends_at__lte=due,
        ends_at__gt=oldest,
    )
    for m in late.order_by("ends_at", "pk")[:batch]:
        with transaction.atomic():
            sent = notify(
                member_ids=[m.organizer_id],
                title=gettext("The minutes of a meeting are missing"),
                body=m.title,
                url=_url(m),
                dedupe_key=f"meeting:{m.pk}:minutes-due",
            )
            Meeting.objects.filter(pk=m.pk).update(minutes_reminded_at=now)
        result.minutes += len(sent)
    return result
