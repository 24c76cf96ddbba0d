"""Group order during archive ingestion: floods and repeats (`flood.FloodDetector`) and messages sent during
meetings and training (the org calendar). One call per batch from `services.ingest`, inside the batch's
transaction, after its messages are stored:

* **Floods and repeats.** The detector is rebuilt for the batch from the messages stored in the batch's rooms over
  the two windows before its first message (one bounded query, the batch's own rows included) and fed in time
  order; only bursts that a message *of this batch* starts are kept. That reproduces what one detector fed the
  whole history would report, so a burst split across two batches is found once, and a re-run after a crash
  (the batch rolled back) finds it once again. Staff senders → `Violation` (category `flood`) on the message
  that made the burst, for the sender and their supervisor; customers in customer groups are nobody's violation:
  they come back as `CustomerFinding`s for the group owner's moderation.
* **Meetings.** A message a participant sends during an active session of a department that flags messages
  (from `MEETING_GRACE_MINUTES` after its start to its end) → one `Violation` (category `meeting`) per session and
  member, on their first such message, naming the session. The batch's sessions are loaded once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_noop

from ..models import ArchiveMessage, Category, ChatType, Rule, Severity, Side, Violation, ms_to_datetime
from . import behaviour_rule
from .flood import FLOOD, REPEAT, Burst, FloodDetector

if TYPE_CHECKING:
    from zhidu.org.calendar import SessionWindow

    from ..services.scan import _Batch, _Row

SEND, GROUP, STAFF = "send", str(ChatType.GROUP.value), str(Side.STAFF.value)
RULES = {
    FLOOD: ("behaviour.flood", gettext_noop("Flooding a group with messages"), Category.FLOOD, Severity.LOW),
    REPEAT: ("behaviour.repeat", gettext_noop("Repeating the same message in a group"), Category.FLOOD, Severity.LOW),
    "meeting": (
        "behaviour.meeting",
        gettext_noop("Sending messages during a meeting or training"),
        Category.MEETING,
        Severity.LOW,
    ),
}


@dataclass(frozen=True, slots=True)
class CustomerFinding:
    """A customer's flood or repeat in a customer group: for the group owner to moderate, not a violation."""

    kind: str  # "flood" | "repeat"
    roomid: str
    external_userid: str
    count: int
    window_seconds: int
    first_msgid: str
    last_msgid: str
    occurred_at: dt.datetime
    owner_id: int | None  # the group owner's member id, when the group is known


@dataclass
class OrderResult:
    violations: list[Violation] = field(default_factory=list)
    customer_findings: list[CustomerFinding] = field(default_factory=list)


def detector_from_settings() -> FloodDetector:
    return FloodDetector(
        flood_messages=settings.FLOOD_MESSAGES,
        flood_seconds=settings.FLOOD_SECONDS,
        repeat_messages=settings.REPEAT_MESSAGES,
        repeat_seconds=settings.REPEAT_SECONDS,
    )


def _rule(kind: str) -> Rule | None:
    """The behaviour rule of `kind`, or None when an admin switched it off."""
    code, name, category, severity = RULES[kind]
    rule = behaviour_rule(code=code, name=name, category=category, severity=severity)
    return rule if rule.enabled else None


def group_order_check(*, rows: Sequence[_Row], batch: _Batch) -> OrderResult:
    """Floods, repeats and messages during meetings among the batch's stored `rows` (see the module docstring)."""
    result = OrderResult()
    sends = [r for r in rows if r.action == SEND]
    _floods(sends, batch, result)
    _meetings(sends, batch, result)
    return result


# --------------------------------------------------------------------------------------------- floods and repeats


def _floods(sends: Sequence[_Row], batch: _Batch, result: OrderResult) -> None:
    group = {r.msgid: r for r in sends if r.chat_type == GROUP and r.roomid}
    if not group:
        return
    detector = detector_from_settings()
    times = [r.msgtime for r in group.values()]
    stored = (
        ArchiveMessage.objects.filter(
            chat_key__in={r.roomid for r in group.values()},
            chat_type=GROUP,
            action=SEND,
            msgtime__gte=min(times) - detector.lookback_ms,
            msgtime__lte=max(times),
        )
        .order_by("msgtime", "id")
        .values_list("msgid", "roomid", "sender", "side", "msgtime", "text")
    )
    bursts: list[Burst] = []
    for msgid, roomid, sender, side, msgtime, text in stored.iterator(chunk_size=2000):
        found = detector.feed(roomid, sender, side, msgtime, text, msgid)
        if found:
            bursts.extend(b for b in found if b.last_key in group)
    if not bursts:
        return
    rules = {kind: _rule(kind) for kind in {b.kind for b in bursts if b.side == STAFF}}
    staff = [b for b in bursts if b.side == STAFF and rules.get(b.kind) is not None]
    pks = dict(ArchiveMessage.objects.filter(msgid__in={b.last_key for b in staff}).values_list("msgid", "pk"))
    out: list[Violation] = []
    for b in bursts:
        row = group[b.last_key]
        if b.side != STAFF:
            result.customer_findings.append(
                CustomerFinding(
                    kind=b.kind,
                    roomid=b.room,
                    external_userid=b.sender,
                    count=b.count,
                    window_seconds=b.window_seconds,
                    first_msgid=b.first_key,
                    last_msgid=b.last_key,
                    occurred_at=ms_to_datetime(b.last_ms),
                    owner_id=row.member_id,
                )
            )
            continue
        rule = rules.get(b.kind)
        if rule is None:
            continue
        out.append(_violation(rule, pks[b.last_key], row, batch, row.text, _burst_detail(b)))
    result.violations.extend(Violation.objects.bulk_create(out, batch_size=500))


def _burst_detail(b: Burst) -> dict[str, Any]:
    return {
        "check": b.kind,
        "room": b.room,
        "count": b.count,
        "window_seconds": b.window_seconds,
        "span_seconds": round(b.span_ms / 1000, 1),
        "first_msgid": b.first_key,
        "last_msgid": b.last_key,
        "first_at": ms_to_datetime(b.first_ms).isoformat(),
        "last_at": ms_to_datetime(b.last_ms).isoformat(),
    }


def _violation(rule: Rule, message_pk: int, row: _Row, batch: _Batch, text: str, detail: dict[str, Any]) -> Violation:
    staff = batch.members_by_pk.get(row.member_id) if row.member_id else None
    matched = (text or row.msgtype)[:500]
    return Violation(
        message_id=message_pk,
        rule=rule,
        category=rule.category,
        severity=rule.severity,
        article=rule.article,
        start=0,
        end=len(text[:500]) if text else 0,
        matched=matched,
        detector="behaviour",
        detail=detail,
        member_id=row.member_id,
        supervisor_id=staff.reports_to_id if staff else None,
        occurred_at=row.sent_at,
    )


# --------------------------------------------------------------------------------------------- meetings


def _meetings(sends: Sequence[_Row], batch: _Batch, result: OrderResult) -> None:
    from zhidu.org.calendar import sessions_between

    mine = [r for r in sends if r.side == STAFF and r.member_id]
    if not mine:
        return
    grace = dt.timedelta(minutes=settings.MEETING_GRACE_MINUTES)
    sessions = sessions_between(min(r.sent_at for r in mine), max(r.sent_at for r in mine))
    if not sessions:
        return
    by_member: dict[int, list[SessionWindow]] = {}
    for s in sessions:
        for member_pk in s.member_ids:
            by_member.setdefault(member_pk, []).append(s)
    firsts: dict[tuple[int, int], _Row] = {}
    for row in sorted(mine, key=lambda r: r.msgtime):
        assert row.member_id is not None
        for s in by_member.get(row.member_id, ()):
            if s.starts_at + grace <= row.sent_at < s.ends_at:
                firsts.setdefault((s.pk, row.member_id), row)
    if not firsts:
        return
    rule = _rule("meeting")
    if rule is None:
        return
    # once per session and member: skip the pairs an earlier batch already reported
    done = set(
        Violation.objects.filter(
            rule=rule, member_id__in={m for _s, m in firsts}, detail__session__in=list({s for s, _m in firsts})
        ).values_list("detail__session", "member_id")
    )
    by_pk = {s.pk: s for s in sessions}
    pks = dict(ArchiveMessage.objects.filter(msgid__in={r.msgid for r in firsts.values()}).values_list("msgid", "pk"))
    out = []
    used: set[str] = set()  # one violation per message and rule, even where two sessions overlap
    for (session_pk, member_pk), row in firsts.items():
        if (session_pk, member_pk) in done or row.msgid in used:
            continue
        used.add(row.msgid)
        s = by_pk[session_pk]
        detail = {
            "check": "meeting",
            "session": s.pk,
            "title": s.title,
            "kind": s.kind,
            "starts_at": s.starts_at.isoformat(),
            "ends_at": s.ends_at.isoformat(),
            "grace_minutes": settings.MEETING_GRACE_MINUTES,
        }
        out.append(_violation(rule, pks[row.msgid], row, batch, row.text, detail))
    result.violations.extend(Violation.objects.bulk_create(out, batch_size=500))


def customer_flood_cases(findings: Sequence[CustomerFinding]) -> int:
    """A customer's flood or repeat in a customer group becomes a moderation case for the group's owner (who may
    warn, mute, remove or ban), never anybody's violation. Idempotent per (group, last message, reason); returns
    the cases opened."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    from zhidu.groups.models import CaseSource, GroupChat, MemberType
    from zhidu.groups.moderation import moderation_case_open, moderation_cases_notify

    if not findings:
        return 0
    groups = {g.chat_id: g for g in GroupChat.objects.filter(chat_id__in={f.roomid for f in findings})}
    opened = []
    with translation.override(settings.LANGUAGE_CODE):
        for f in findings:
            params = {"count": f.count, "seconds": f.window_seconds}
            if f.kind == FLOOD:
                reason = _("Customer flooding: %(count)d messages within %(seconds)d seconds") % params
            else:
                reason = _("Customer repeating a message: %(count)d times within %(seconds)d seconds") % params
            case, created = moderation_case_open(
                group=groups.get(f.roomid),
                chat_key=f.roomid,
                assignee_id=f.owner_id,
                offender_userid=f.external_userid,
                offender_type=MemberType.CUSTOMER,
                reason=reason,
                category=str(Category.FLOOD),
                msgid=f.last_msgid,
                occurred_at=f.occurred_at,
                source=CaseSource.BEHAVIOUR,
                notify_assignee=False,
            )
            if created:
                opened.append(case)
    moderation_cases_notify(opened)  # one notification per assignee for the batch
    return len(opened)
