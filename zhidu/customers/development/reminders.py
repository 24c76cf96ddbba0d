"""Follow-up reminders: an overdue next action, or a customer with no follow-up and no chat for
FOLLOWUP_STALE_DAYS, tells the owner; FOLLOWUP_ESCALATE_DAYS later also the owner's supervisor.

Each reminder is recorded (`ReminderSent`, one row per relation, kind, level and occasion), so running the task
again, or every hour, sends nothing twice; a new contact or a new next-action date is a new occasion. One
notification per recipient and run lists their customers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhidu.core.notifications import notify
from zhidu.core.periods import company_tz
from zhidu.org.models import MemberStatus

from ..models import CLOSED_STAGES, FollowRelation, ReminderKind, ReminderLevel, ReminderSent

CHUNK = 1000
LISTED = 10  # customers named in one notification


@dataclass(frozen=True)
class _Due:
    follow: FollowRelation
    kind: str
    level: str
    anchor: str
    recipient_id: int


def _occasions(follow: FollowRelation, now: dt.datetime, today: dt.date) -> list[_Due]:
    stale = dt.timedelta(days=settings.FOLLOWUP_STALE_DAYS)
    escalate = dt.timedelta(days=settings.FOLLOWUP_ESCALATE_DAYS)
    owner = follow.member
    supervisor_id = owner.reports_to_id if owner.reports_to and owner.reports_to.is_active else None
    out: list[_Due] = []

    def add(kind: str, anchor: str, escalated: bool) -> None:
        out.append(_Due(follow, kind, ReminderLevel.OWNER, anchor, owner.pk))
        if escalated and supervisor_id:
            out.append(_Due(follow, kind, ReminderLevel.SUPERVISOR, anchor, supervisor_id))

    dev = getattr(follow, "development", None)
    due_on = dev.next_action_on if dev is not None else None
    if due_on is not None and due_on < today:
        add(ReminderKind.OVERDUE, due_on.isoformat(), (today - due_on).days >= escalate.days)
    last = follow.last_contact  # type: ignore[attr-defined]
    if last is not None and last <= now - stale:
        add(ReminderKind.STALE, last.isoformat()[:40], last <= now - stale - escalate)
    return out


def followup_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the reminders due at `now` (default: the current time). Returns counts by kind and level."""
    now = now or timezone.now()
    today = now.astimezone(company_tz()).date()
    stale_before = now - dt.timedelta(days=settings.FOLLOWUP_STALE_DAYS)
    candidates = (
        FollowRelation.objects.active()
        .filter(member__status=MemberStatus.ACTIVE)
        .exclude(development__stage__in=CLOSED_STAGES)
        .annotate(last_contact=Coalesce("development__last_contact_at", "createtime", "created_at"))
        .filter(Q(development__next_action_on__lt=today) | Q(last_contact__lte=stale_before))
        .select_related("customer", "member__reports_to", "development")
        .order_by("pk")
    )
    counts: dict[str, int] = defaultdict(int)
    after = 0
    while True:
        chunk = list(candidates.filter(pk__gt=after)[:CHUNK])
        if not chunk:
            break
        after = chunk[-1].pk
        _send(chunk, now, today, counts)
    return dict(counts)


@transaction.atomic
def _send(chunk: list[FollowRelation], now: dt.datetime, today: dt.date, counts: dict[str, int]) -> None:
    due = [d for f in chunk for d in _occasions(f, now, today)]
    if not due:
        return
    sent = set(
        ReminderSent.objects.filter(follow__in=[f.pk for f in chunk]).values_list(
            "follow_id", "kind", "level", "anchor"
        )
    )
    fresh = [d for d in due if (d.follow.pk, d.kind, d.level, d.anchor) not in sent]
    if not fresh:
        return
    ReminderSent.objects.bulk_create(
        [
            ReminderSent(
                follow=d.follow, kind=d.kind, level=d.level, anchor=d.anchor, recipient_id=d.recipient_id, sent_at=now
            )
            for d in fresh
        ],
        ignore_conflicts=True,
    )
    by_recipient: dict[tuple[int, str, str], list[_Due]] = defaultdict(list)
    for d in fresh:
        by_recipient[(d.recipient_id, d.kind, d.level)].append(d)
        counts[f"{d.kind}.{d.level}"] += 1
    with translation.override(settings.LANGUAGE_CODE):
        for (recipient_id, kind, level), items in by_recipient.items():
            title, body = _message(kind, level, items)
            notify(
                member_ids=[recipient_id],
                title=title,
                body=body,
                url=_url(kind, items, today),
                action=_("Follow up"),
            )


def _url(kind: str, items: list[_Due], today: dt.date) -> str:
    """One customer: their page; several: the list, filtered to the silent ones or sorted by next action."""
    if len(items) == 1:
        return reverse("customers:detail", args=[items[0].follow.customer_id])
    if kind == ReminderKind.OVERDUE:
        return reverse("customers:list") + "?sort=next"
    before = today - dt.timedelta(days=settings.FOLLOWUP_STALE_DAYS - 1)
    return reverse("customers:list") + f"?contact_before={before.isoformat()}&sort=contact"


def _message(kind: str, level: str, items: list[_Due]) -> tuple[str, str]:
    n = len(items)
    if kind == ReminderKind.OVERDUE:
        title = ngettext(
            "%(count)d customer's next action is overdue", "%(count)d customers' next actions are overdue", n
        ) % {"count": n}
    else:
        title = ngettext(
            "%(count)d customer without follow-up for %(days)d days",
            "%(count)d customers without follow-up for %(days)d days",
            n,
        ) % {"count": n, "days": settings.FOLLOWUP_STALE_DAYS}
    lines = []
    for d in items[:LISTED]:
        name = d.follow.customer.name or d.follow.customer.external_userid
        lines.append(f"{name}（{d.follow.member.name}）" if level == ReminderLevel.SUPERVISOR else name)
    if n > LISTED:
        lines.append(_("and %(count)d more") % {"count": n - LISTED})
    return title, "\n".join(lines)
