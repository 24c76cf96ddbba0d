"""Reads of meetings, always through the asking member's scope (`Meeting.objects.visible_to`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from zhidu.core.errors import NotFound
from zhidu.customers.models import Customer, FollowUp
from zhidu.org.models import CalendarEntry, Department, Member

from .models import ActionItem, Meeting, MeetingParticipant, MeetingStatus

WHEN = ("upcoming", "past")


def page_size() -> int:
    return int(settings.WORK_MEETINGS_PAGE_SIZE)


def meeting_page(
    member: Member, *, when: str = "upcoming", cursor: int | None = None, limit: int | None = None
) -> list[Meeting]:
    """One page of the meetings `member` may read: upcoming (not yet ended, soonest first) or past (latest first),
    paged by key: `cursor` is the id of the last meeting of the previous page."""
    limit = limit or page_size()
    now = timezone.now()
    qs = Meeting.objects.visible_to(member).select_related("organizer", "customer")
    if when == "past":
        qs, order = qs.filter(ends_at__lte=now), ("-starts_at", "-pk")
    else:
        qs, order = qs.filter(ends_at__gt=now), ("starts_at", "pk")
    if cursor is not None:
        last = Meeting.objects.filter(pk=cursor).values_list("starts_at", flat=True).first()
        if last is not None:
            if when == "past":
                qs = qs.filter(Q(starts_at__lt=last) | Q(starts_at=last, pk__lt=cursor))
            else:
                qs = qs.filter(Q(starts_at__gt=last) | Q(starts_at=last, pk__gt=cursor))
    return list(qs.order_by(*order)[:limit])


def meetings_upcoming_for(member: Member, *, limit: int = 5) -> list[Meeting]:
    """The next scheduled meetings `member` takes part in (organizer or participant), soonest first: for "My work"."""
    if not member.is_active:
        return []
    qs = Meeting.objects.of(member).filter(status=MeetingStatus.SCHEDULED, ends_at__gt=timezone.now())
    return list(qs.select_related("organizer", "customer").order_by("starts_at", "pk")[:limit])


def meeting_get_for(member: Member, meeting_id: int) -> Meeting:
    m = (
        Meeting.objects.visible_to(member)
        .select_related("organizer", "customer", "minutes_by", "calendar_entry", "followup")
        .filter(pk=meeting_id)
        .first()
    )
    if m is None:
        raise NotFound
    return m


def participants_of(meeting: Meeting) -> list[MeetingParticipant]:
    return list(meeting.participants.select_related("member").order_by("pk"))


def action_items_of(meeting: Meeting) -> list[ActionItem]:
    return list(meeting.action_items.select_related("assignee", "task").order_by("pk")[:200])


def meeting_customer(member: Member, meeting: Meeting) -> Customer | None:
    """The meeting's customer if `member` may read it (a participant outside the customer's scope sees none)."""
    if meeting.customer_id is None:
        return None
    return Customer.objects.visible_to(member).filter(pk=meeting.customer_id).first()


def customer_followups(member: Member, meeting: Meeting, *, limit: int = 10) -> list[FollowUp]:
    """The latest follow-up records of the meeting's customer that `member` may read."""
    if meeting.customer_id is None:
        return []
    qs = FollowUp.objects.visible_to(member).filter(follow__customer_id=meeting.customer_id)
    return list(qs.select_related("author").order_by("-happened_at", "-pk")[:limit])


# --------------------------------------------------------------------------------------------- calendar feed


@dataclass(frozen=True)
class FeedItem:
    uid: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    cancelled: bool
    updated_at: dt.datetime
    description: str = ""
    location: str = ""
    url: str = ""


def _ancestor_ids(department_id: int | None) -> set[int]:
    parents = dict(Department.objects.values_list("id", "parent_id"))
    out: set[int] = set()
    current = department_id
    while current is not None and current not in out:
        out.add(current)
        current = parents.get(current)
    return out


def meeting_feed_item(meeting: Meeting) -> FeedItem:
    return FeedItem(
        uid=f"meeting-{meeting.pk}@zhidu",
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        updated_at=meeting.updated_at,
        description=meeting.agenda,
        location=meeting.place or meeting.online_url,
        url=meeting.online_url,
    )


def calendar_feed(member: Member, *, now: dt.datetime | None = None) -> list[FeedItem]:
    """The member's meetings and the org sessions they take part in, from `WORK_ICS_PAST_DAYS` back to
    `WORK_ICS_FUTURE_DAYS` ahead, at most `WORK_ICS_MAX_EVENTS` (soonest first)."""
    if not member.is_active:
        return []
    now = now or timezone.now()
    start = now - dt.timedelta(days=settings.WORK_ICS_PAST_DAYS)
    end = now + dt.timedelta(days=settings.WORK_ICS_FUTURE_DAYS)
    cap = settings.WORK_ICS_MAX_EVENTS
    meetings = Meeting.objects.of(member).filter(ends_at__gte=start, starts_at__lte=end).order_by("starts_at", "pk")
    items = [meeting_feed_item(m) for m in meetings[:cap]]
    entries = (
        CalendarEntry.objects.filter(ends_at__gte=start, starts_at__lte=end, work_meeting__isnull=True)
        .filter(
            Q(whole_department=True, department_id__in=_ancestor_ids(member.department_id))
            | Q(whole_department=False, participants=member)
        )
        .distinct()
        .order_by("starts_at", "pk")
    )
    items += [
        FeedItem(
            uid=f"session-{e.pk}@zhidu",
            title=e.title,
            starts_at=e.starts_at,
            ends_at=e.ends_at,
            cancelled=e.cancelled_at is not None,
            updated_at=e.updated_at,
        )
        for e in entries[:cap]
    ]
    return sorted(items, key=lambda i: (i.starts_at, i.uid))[:cap]
