"""Scanning stored messages with the engine: findings → violations (with citations) → reviewer notifications."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from zhidu.compliance import engine as eng
from zhidu.core.notifications import notify
from zhidu.groups.models import CaseSource, GroupChat, MemberType, ModerationCase
from zhidu.groups.moderation import moderation_case_open, moderation_cases_notify
from zhidu.org.models import Member

from ..models import (
    ArchiveMessage,
    Category,
    Violation,
)
from ..selectors import citation_text, citations_in_force
from .price import member_products
from .rules import rules_engine

log = logging.getLogger(__name__)

EXTERNAL_PREFIXES = ("wm", "wo", "wb")  # external_userid (WeChat / other corp) and robots
STAFF_SIDE = "staff"


def _detail(raw: str) -> dict[str, Any]:
    """A finding's detector detail (JSON from the engine) as a dict ({} when there is none)."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def is_external(userid: str) -> bool:
    return userid.startswith(EXTERNAL_PREFIXES)


@dataclass(slots=True)
class _Staff:
    pk: int
    department_id: int
    reports_to_id: int | None
    userid: str
    role: str = ""


class _Batch:
    """Per-batch lookups: staff by WeCom userid, room owners, archiving agreements."""

    def __init__(self) -> None:
        self.staff: dict[str, _Staff] = {
            str(uid): _Staff(pk, dept, lead, str(uid), str(role or ""))
            for pk, uid, dept, lead, role in Member.objects.exclude(wecom_userid=None)
            .exclude(wecom_userid="")
            .values_list("pk", "wecom_userid", "department_id", "reports_to_id", "role")
        }
        self.members_by_pk = {s.pk: s for s in self.staff.values()}

    def is_staff(self, userid: str) -> bool:
        return userid in self.staff or not is_external(userid)


@dataclass(slots=True)
class _Row:
    """A message about to be stored (a plain object: building model instances cost more than the insert)."""

    msgid: str
    seq: int
    source: str
    action: str
    sender: str
    receivers: list[str]
    roomid: str
    chat_type: str
    chat_key: str
    side: str
    msgtime: int
    sent_at: dt.datetime
    msgtype: str
    text: str
    raw: dict[str, Any]
    member_id: int | None
    customer_id: str
    recalled: bool = False


def scan_and_record(rows: Sequence[_Row], batch: _Batch) -> list[Violation]:
    """Scan stored messages; one violation per (message, rule), keeping the first span."""
    scanned = [r for r in rows if r.action == "send" and r.text]
    if not scanned:
        return []
    engine, rules_by_code = rules_engine()
    # the price check needs the sender's role and, for quotes naming no product, the products they sold
    sold: dict[int, tuple[str, ...]] = {}
    if engine.price_checking:
        sold = member_products({r.member_id for r in scanned if r.member_id and r.side == STAFF_SIDE})
    messages = []
    for r in scanned:
        staff = batch.members_by_pk.get(r.member_id) if r.member_id else None
        sender = staff if staff is not None and r.side == STAFF_SIDE else None
        messages.append(
            eng.Message(
                msgid=r.msgid,
                text=r.text,
                sender=r.sender,
                side=r.side,
                chat_type=r.chat_type,
                roomid=r.roomid,
                msgtime=r.msgtime,
                department_id=staff.department_id if staff else None,
                msgtype=r.msgtype,
                internal=bool(r.roomid and r.receivers)
                and batch.is_staff(r.sender)
                and all(batch.is_staff(u) for u in r.receivers),
                role=sender.role if sender is not None else "",
                products=sold.get(sender.pk, ()) if sender is not None else (),
            )
        )
    findings = engine.scan(messages)
    if not findings:
        return []
    first: dict[tuple[str, str], Any] = {}
    hits: dict[tuple[str, str], int] = defaultdict(int)
    for f in findings:
        key = (f.msgid, f.rule)
        hits[key] += 1
        if key not in first or f.start < first[key].start:
            first[key] = f
    by_msgid = {r.msgid: r for r in scanned}
    pks = dict(ArchiveMessage.objects.filter(msgid__in={k[0] for k in first}).values_list("msgid", "pk"))
    # The company's regulations in force that back each rule (confirmed citation maps only, never a draft); a rule
    # none of them backs is cited as nothing: pages show it as not backed by a regulation.
    cited = citations_in_force({rules_by_code[code] for _, code in first if code in rules_by_code})
    out: list[Violation] = []
    customer_side: list[tuple[_Row, Any]] = []
    for (msgid, code), f in first.items():
        rule_pk = rules_by_code.get(code)
        if rule_pk is None:
            continue
        row = by_msgid[msgid]
        if row.side != STAFF_SIDE:
            customer_side.append((row, f))  # a customer said it: a case for the owner, nobody's violation
            continue
        staff = batch.members_by_pk.get(row.member_id) if row.member_id else None
        clauses = cited.get(rule_pk, [])
        out.append(
            Violation(
                message_id=pks[msgid],
                rule_id=rule_pk,
                category=f.category,
                severity=f.severity,
                article=f.article,
                citation=citation_text(clauses),
                cited=clauses,
                start=f.start,
                end=f.end,
                matched=f.matched[:500],
                detector=f.detector[:40],
                confidence=f.confidence,
                detail=_detail(f.detail),
                hits=hits[(msgid, code)],
                member_id=row.member_id,
                supervisor_id=staff.reports_to_id if staff else None,
                occurred_at=row.sent_at,
            )
        )
    if customer_side:
        customer_cases(customer_side)
    return Violation.objects.bulk_create(out, batch_size=500)


def customer_cases(findings: Sequence[tuple[_Row, Any]]) -> int:
    """Findings on what customers wrote become moderation cases, not violations (the member did nothing wrong):
    in a group, a case for the group's owner (who may order a warning, a mute, a removal or a ban); in a single
    chat, a case for the member's attention. Idempotent per (chat, message, reason). Returns the cases opened."""
    rooms = {row.roomid for row, _f in findings if row.roomid}
    groups = {g.chat_id: g for g in GroupChat.objects.filter(chat_id__in=rooms)} if rooms else {}
    opened: list[ModerationCase] = []
    with translation.override(settings.LANGUAGE_CODE):
        for row, f in findings:
            reason = _("Customer sent: %(category)s") % {"category": Category(f.category).label}
            group = groups.get(row.roomid) if row.roomid else None
            case, created = moderation_case_open(
                group=group,
                chat_key=row.roomid or row.chat_key,
                assignee_id=row.member_id,
                offender_userid=row.sender,
                offender_type=MemberType.CUSTOMER,
                reason=reason,
                category=f.category,
                msgid=row.msgid,
                text=row.text,
                occurred_at=row.sent_at,
                source=CaseSource.SCAN,
                notify_assignee=False,
            )
            if created:
                opened.append(case)
    moderation_cases_notify(opened)  # one notification per assignee for the batch
    return len(opened)


_CITATIONS: dict[str, tuple[float, str]] = {}
CITATION_TTL_SECONDS = 300.0


def article_citation(key: str) -> str:
    """The citation text of a legacy article key ("sales-conduct#17.1") via the policies app ("" if unknown).
    Violations no longer cite through keys (see `citations_in_force`); kept for callers of the key form.

    Cached in-process for a few minutes: resolving walks the published regulation, and a batch cites
    the same few articles again and again."""
    if not key:
        return ""
    hit = _CITATIONS.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < CITATION_TTL_SECONDS:
        return hit[1]
    try:
        from zhidu.policies.selectors import article_resolve
    except ImportError:
        return ""
    article = article_resolve(key, published_only=True)  # a violation is read by its member: never cite a draft
    text = str(getattr(article, "citation", "") or "") if article is not None else ""
    if text:  # an unresolved key is asked again next time (the regulation may be published meanwhile)
        _CITATIONS[key] = (now, text)
    return text


def notify_reviewers(violations: list[Violation]) -> None:
    """One notification per supervisor per batch, queued in this transaction (`zhidu.core.notifications`).

    Channels only queue (WeCom: an outbox row); delivery happens later, outside the ingestion batch."""
    by_supervisor: dict[int, list[Violation]] = defaultdict(list)
    for v in violations:
        if v.supervisor_id:
            by_supervisor[v.supervisor_id].append(v)
    with translation.override(settings.LANGUAGE_CODE):
        for sup_pk, items in by_supervisor.items():
            if len(items) == 1:
                v = items[0]
                title = _("Possible violation: %(category)s") % {"category": Category(v.category).label}
                url = reverse("compliance:violation_detail", args=[v.pk])
                description = f"{v.citation or _('Not backed by a regulation')}\n{v.matched}"
                why = v.explanation()
                if why:
                    description += f"\n{why}"
            else:
                title = _("%(count)d possible violations to review") % {"count": len(items)}
                url = reverse("compliance:violations") + "?status=open"
                description = "\n".join(f"{Category(v.category).label}: {v.matched}" for v in items[:5])
            notify(
                member_ids=[sup_pk],
                title=title,
                body=description,
                url=url,
                action=_("Review"),
                dedupe_key=f"violations:{sup_pk}:{items[0].pk}-{items[-1].pk}",
            )
