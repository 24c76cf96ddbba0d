"""Archive ingestion: fetch a page from an `ArchiveSource`, then in ONE transaction store the new messages
(unique by msgid), mark recalled originals, scan the new messages with the engine, create violations, queue
supervisor notifications (`zhidu.core.notifications`; delivered later by the outbox worker or the scheduler,
never inside the batch), and move the source's cursor. A crash anywhere in the batch rolls all
of it back, so a re-run resumes without loss or duplicates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from zhidu.compliance import engine as eng
from zhidu.core.audit import audit_record
from zhidu.core.events import publish
from zhidu.wecom.archive import ArchiveError, ArchiveRecord, ArchiveSource

from ..behaviour.order import CustomerFinding, customer_flood_cases, group_order_check
from ..models import (
    Action,
    AgreeStatus,
    ArchiveAgreement,
    ArchiveCursor,
    ArchiveMessage,
    ChatType,
    Side,
    ms_to_datetime,
)
from .agreements import AgreeChecker, agree_checker_from_settings, agreement_from_record, agreements_for
from .reply import reply_track_batch
from .scan import _Batch, _Row, notify_reviewers, scan_and_record

log = logging.getLogger(__name__)

# Message types of API.md §7.4 (and the two named there without a schema). Anything else is reported.
_MSGTYPES = """text image revoke agree disagree voice video card location emotion file link weapp chatrecord todo
vote collect redpacket meeting docmsg markdown news calendar mixed meeting_voice_call voip_doc_share external_redpacket
sphfeed voiptext qydiskfile switch"""
KNOWN_MSGTYPES = frozenset(_MSGTYPES.split())


@dataclass
class IngestReport:
    source: str
    batches: int = 0
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    recalls: int = 0
    violations: int = 0
    seq: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    # customers' floods and repeats in customer groups: for the group owner's moderation, not violations
    customer_findings: list[CustomerFinding] = field(default_factory=list)
    error: str = ""

    def summary(self) -> str:
        return (
            f"source={self.source} batches={self.batches} fetched={self.fetched} stored={self.stored} "
            f"duplicates={self.duplicates} refused={self.refused} recalls={self.recalls} "
            f"violations={self.violations} problems={len(self.problems)} seq={self.seq}"
        )


# plain str constants: this runs once per archived message, and enum member access is not free
SEND, RECALL, SWITCH = str(Action.SEND.value), str(Action.RECALL.value), str(Action.SWITCH.value)
ACTIONS = frozenset((SEND, RECALL, SWITCH))
SINGLE, GROUP = str(ChatType.SINGLE.value), str(ChatType.GROUP.value)
STAFF, CUSTOMER = str(Side.STAFF.value), str(Side.CUSTOMER.value)


def record_problem(msg: dict[str, Any]) -> str:
    """Why a decrypted record cannot be stored ("" when it can)."""
    msgid = msg.get("msgid")
    if not msgid or not isinstance(msgid, str):
        return "missing msgid"
    action = msg.get("action") or SEND
    if action not in ACTIONS:
        return f"unknown action {action!r}"
    if action == SWITCH:
        return "" if isinstance(msg.get("time"), int) else "switch record without time"
    msgtype = msg.get("msgtype")
    if msgtype not in KNOWN_MSGTYPES:
        return f"unknown msgtype {msgtype!r}"
    if not isinstance(msg.get("msgtime"), int):
        return "missing or non-integer msgtime"
    if not isinstance(msg.get("from"), str):
        return "missing sender (from)"
    if not isinstance(msg.get("tolist", []), list):
        return "tolist is not a list"
    return ""


def archive_cursor_seq(source_name: str) -> int:
    cursor, _created = ArchiveCursor.objects.get_or_create(source=source_name)
    return cursor.seq


def archive_ingest(
    *,
    source: ArchiveSource,
    limit: int = 1000,
    max_batches: int | None = None,
    agree_checker: AgreeChecker | None = None,
    batch_hook: Callable[[int], None] | None = None,
) -> IngestReport:
    """Read `source` from its cursor until it has nothing new (or `max_batches`), one transaction per page.

    Archive errors (a missing private key version, an unreachable endpoint) stop the run and land in
    `report.error`; everything stored before them stays, and the cursor never passes a record we could
    not read. `batch_hook(stored)` runs inside each batch's transaction after the messages are written
    and before the cursor moves (tests raise from it to simulate a crash).
    """
    report = IngestReport(source=source.name)
    while max_batches is None or report.batches < max_batches:
        seq = archive_cursor_seq(source.name)
        report.seq = seq
        try:
            records = source.fetch(seq, limit)
        except ArchiveError as exc:
            report.error = str(exc)
            log.error("archive %s stopped at seq %s: %s", source.name, seq, exc)
            break
        if not records:
            break
        report.fetched += len(records)
        try:
            report.seq = _ingest_batch(source.name, seq, records, report, agree_checker, batch_hook)
        except ArchiveError as exc:  # e.g. check_single_agree unreachable: the batch rolled back
            report.error = str(exc)
            log.error("archive %s batch after seq %s rolled back: %s", source.name, seq, exc)
            break
        report.batches += 1
    for where, why in report.problems:
        log.warning("archive %s: skipped %s: %s", source.name, where, why)
    return report


def _room_owners(roomids: set[str]) -> tuple[dict[str, int], set[str]]:
    """(owner member id by room id, room ids that are no known group)."""
    if not roomids:
        return {}, set()
    from zhidu.groups.models import GroupChat

    owners: dict[str, int] = {}
    known: set[str] = set()
    for chat_id, owner_id in GroupChat.objects.filter(chat_id__in=roomids).values_list("chat_id", "owner_id"):
        known.add(chat_id)
        if owner_id is not None:
            owners[chat_id] = owner_id
    return owners, roomids - known


def _discover_rooms(roomids: set[str]) -> None:
    """Room ids no group has: internal groups (内部群) to read from WeCom once the batch is stored."""
    if roomids:
        from zhidu.wecom.rooms import internal_rooms_discover

        transaction.on_commit(lambda: internal_rooms_discover(roomids))


def _ingest_batch(
    source_name: str,
    start_seq: int,
    records: list[ArchiveRecord],
    report: IngestReport,
    agree_checker: AgreeChecker | None,
    batch_hook: Callable[[int], None] | None,
) -> int:
    now = timezone.now()
    end_seq = max(r.seq for r in records)
    problems: list[tuple[str, str]] = []
    with transaction.atomic():
        cursor = ArchiveCursor.objects.select_for_update().get(source=source_name)
        if cursor.seq != start_seq:  # another puller took this page; re-read from its cursor
            return cursor.seq
        batch = _Batch()
        good: list[tuple[ArchiveRecord, dict[str, Any]]] = []
        for rec in records:
            if rec.msg is None:
                problems.append((rec.where, rec.error))
                continue
            why = record_problem(rec.msg)
            if why:
                problems.append((rec.where, why))
                continue
            good.append((rec, rec.msg))
        msgids = [m["msgid"] for _r, m in good]
        existing = set(ArchiveMessage.objects.filter(msgid__in=msgids).values_list("msgid", flat=True))
        rooms = {m.get("roomid") for _r, m in good if m.get("roomid")}
        owners, unknown_rooms = _room_owners({r for r in rooms if r})
        _discover_rooms(unknown_rooms)
        rows: list[_Row] = []
        seen: set[str] = set()
        pairs: dict[str, tuple[str, str]] = {}
        for rec, msg in good:
            msgid = msg["msgid"]
            if msgid in existing or msgid in seen:
                report.duplicates += 1
                continue
            seen.add(msgid)
            row = _message_row(rec, msg, source_name, batch, owners)
            rows.append(row)
            if row.msgtype in ("agree", "disagree"):
                staff_uid = next((u for u in [row.sender, *row.receivers] if batch.is_staff(u)), "")
                agreement_from_record(msg, staff_uid, now)
            if row.customer_id and row.action == SEND and row.chat_type == SINGLE:
                staff_uid = row.sender if row.side == STAFF else _staff_party(row, batch)
                if staff_uid:
                    pairs[msgid] = (staff_uid, row.customer_id)
        status = agreements_for(set(pairs.values()), agree_checker, now)
        # a customer who refused archiving with any member: their own messages in groups are skipped too
        group_senders = {r.customer_id for r in rows if r.chat_type == GROUP and r.side == CUSTOMER}
        refused_senders = {p[1] for p, st in status.items() if st == AgreeStatus.DISAGREE} | set(
            ArchiveAgreement.objects.filter(external_userid__in=group_senders, status=AgreeStatus.DISAGREE).values_list(
                "external_userid", flat=True
            )
        )
        kept: list[_Row] = []
        for row in rows:
            pair = pairs.get(row.msgid)
            if (pair is not None and status.get(pair) == AgreeStatus.DISAGREE) or (
                row.chat_type == GROUP and row.side == CUSTOMER and row.customer_id in refused_senders
            ):
                report.refused += 1
                continue
            kept.append(row)
        _insert_messages(kept)
        _publish_customer_chats(kept)
        recalled = [(row.raw.get("revoke") or {}).get("pre_msgid") for row in kept if row.action == RECALL]
        recalled = [m for m in recalled if m]
        if recalled:
            report.recalls += ArchiveMessage.objects.filter(msgid__in=recalled).update(recalled=True)
        created = scan_and_record(kept, batch)
        order = group_order_check(rows=kept, batch=batch)  # floods, repeats, messages during meetings
        created += order.violations
        customer_flood_cases(order.customer_findings)  # the group owner's to moderate, nobody's violation
        reply_track_batch(rows=kept, batch=batch)  # reply timeliness: waits opened/answered, deadlines up to the batch
        if batch_hook is not None:
            batch_hook(len(kept))
        cursor.seq = end_seq
        cursor.save(update_fields=["seq", "updated_at"])
        audit_record(
            actor=None,
            actor_label="archive",
            verb="archive.ingest",
            target=cursor,
            before={"seq": start_seq},
            after={"seq": end_seq, "stored": len(kept), "violations": len(created), "skipped": len(problems)},
        )
        notify_reviewers(created)
    report.stored += len(kept)
    report.violations += len(created)
    report.customer_findings.extend(order.customer_findings)
    report.problems.extend(problems)
    return end_seq


def _publish_customer_chats(rows: Sequence[_Row]) -> None:
    """Tell customers (layer 3) when each member last chatted with each customer in this batch (event
    `compliance.customer_chats`, after commit): its follow-up reminders and last-contact column read it."""
    latest: dict[tuple[int, str], Any] = {}
    for row in rows:
        if row.chat_type == SINGLE and row.action == SEND and row.member_id and row.customer_id:
            key = (row.member_id, row.customer_id)
            if key not in latest or row.sent_at > latest[key]:
                latest[key] = row.sent_at
    if latest:
        publish("compliance.customer_chats", chats=[[m, c, at.isoformat()] for (m, c), at in latest.items()])


_MESSAGE_COLUMNS = (
    "msgid", "seq", "source", "action", "sender", "receivers", "roomid", "chat_type", "chat_key", "side", "msgtime",
    "sent_at", "msgtype", "text", "raw", "recalled", "member", "customer_id", "stored_at",
)  # fmt: skip


def _insert_messages(rows: Sequence[_Row]) -> None:
    """INSERT the batch with one executemany. Same rows as `bulk_create`, without its per-field compiler work
    (which cost more than decrypting); JSON is encoded with orjson, datetimes adapted by the backend."""
    if not rows:
        return
    ops = connection.ops
    meta = ArchiveMessage._meta
    columns = ", ".join(ops.quote_name(getattr(meta.get_field(name), "column", name)) for name in _MESSAGE_COLUMNS)
    marks = ", ".join(["%s"] * len(_MESSAGE_COLUMNS))
    sql = f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES ({marks})"
    now = ops.adapt_datetimefield_value(timezone.now())
    params = [
        (
            r.msgid, r.seq, r.source, str(r.action), r.sender, orjson.dumps(r.receivers).decode(), r.roomid,
            str(r.chat_type), r.chat_key, str(r.side), r.msgtime, ops.adapt_datetimefield_value(r.sent_at),
            r.msgtype, r.text,
            orjson.dumps(r.raw).decode(), r.recalled, r.member_id, r.customer_id, now,
        )
        for r in rows
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _staff_party(row: _Row, batch: _Batch) -> str:
    return next((u for u in row.receivers if batch.is_staff(u)), "")


def _message_row(
    rec: ArchiveRecord, msg: dict[str, Any], source_name: str, batch: _Batch, owners: dict[str, int]
) -> _Row:
    action = msg.get("action") or SEND
    if action == SWITCH:
        sender, receivers, roomid, msgtime, msgtype = msg.get("user", ""), [], "", msg["time"], "switch"
    else:
        sender, receivers = msg["from"], [str(u) for u in msg.get("tolist") or []]
        roomid, msgtime, msgtype = msg.get("roomid") or "", msg["msgtime"], msg["msgtype"]
    chat_type = GROUP if roomid else SINGLE
    side = STAFF if batch.is_staff(sender) else CUSTOMER
    member_pk: int | None = None
    customer = ""
    if chat_type == GROUP:
        chat_key = roomid
        if side == STAFF:
            member_pk = batch.staff[sender].pk if sender in batch.staff else None
        else:
            customer = sender
            member_pk = owners.get(roomid)
    else:
        peer = receivers[0] if receivers else ""
        chat_key = "|".join(sorted([sender, peer]))
        staff_uid = sender if side == STAFF else next((u for u in receivers if batch.is_staff(u)), "")
        member_pk = batch.staff[staff_uid].pk if staff_uid in batch.staff else None
        customer = sender if side == CUSTOMER else next((u for u in receivers if not batch.is_staff(u)), "")
    text = eng.extract_text(msg) if action == SEND else ""
    return _Row(
        msgid=msg["msgid"],
        seq=rec.seq,
        source=source_name[:200],
        action=action,
        sender=sender,
        receivers=receivers,
        roomid=roomid,
        chat_type=chat_type,
        chat_key=chat_key[:260],
        side=side,
        msgtime=msgtime,
        sent_at=ms_to_datetime(msgtime),
        msgtype=msgtype,
        text=text,
        raw=msg,
        member_id=member_pk,
        customer_id=customer,
    )


# -------------------------------------------------------------------------------------------- scanning


def archive_pull(*, kind: str = "", limit: int = 1000, max_batches: int | None = None) -> IngestReport:
    """Pull the configured live source (see `zhidu.wecom.archive.source_from_settings`)."""
    from zhidu.wecom.archive import source_from_settings

    source = source_from_settings(kind)
    try:
        return archive_ingest(
            source=source, limit=limit, max_batches=max_batches, agree_checker=agree_checker_from_settings()
        )
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


def archive_pull_schedule() -> None:
    """Queue one archive pull after the current transaction commits (msgaudit_notify, periodic trigger)."""
    from ..tasks import archive_pull_task

    transaction.on_commit(lambda: archive_pull_task.delay())


def on_msgaudit_notify(**_payload: Any) -> None:
    """Handler of the `wecom.msgaudit_notify` event (subscribed in ComplianceConfig.ready()): pull the archive."""
    archive_pull_schedule()
