"""Every write of the compliance app: archive ingestion, rules, and violation review.

Ingestion (`archive_ingest`): fetch a page from an `ArchiveSource`, then in ONE transaction store the new
messages (unique by msgid), mark recalled originals, scan the new messages with the engine, create
violations, queue supervisor notifications in the outbox, and move the source's cursor. A crash anywhere in
the batch rolls all of it back, so a re-run resumes without loss or duplicates.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhidu.compliance import engine as eng
from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError
from zhidu.org.models import LEAD_ROLES, Department, Member, Role, department_subtree_ids
from zhidu.wecom.archive import ArchiveError, ArchiveRecord, ArchiveSource

from .models import (
    Action,
    AgreeStatus,
    ArchiveAgreement,
    ArchiveCursor,
    ArchiveMessage,
    Category,
    ChatType,
    Rule,
    RuleTerm,
    Severity,
    Side,
    Violation,
    ViolationStatus,
    ms_to_datetime,
)

log = logging.getLogger(__name__)

ERR_NOT_ALLOWED = "You may not do this."
ERR_NOT_REVIEWER = "Only the assigned supervisor, a lead over the member, or a compliance officer may review this."
ERR_ALREADY_REVIEWED = "This violation was already reviewed ({status})."
ERR_REASON_REQUIRED = "A reason is required to dismiss a violation."
ERR_IMPORT_ROWS = "The import was not written: {count} bad row(s): {details}"
ERR_IMPORT_EMPTY = "The file has no terms."
ERR_BAD_CATEGORY = "unknown category {value!r} (expected one of: {choices})"
ERR_BAD_SEVERITY = "unknown severity {value!r} (expected low, medium or high)"
ERR_BAD_ARTICLE = "article key {value!r} must look like sales-conduct#17 or sales-conduct#17.1"
ERR_BAD_TERM = "a term must be 1–{max} characters without line breaks or tabs"
ERR_BAD_RULE_CODE = "rule code {value!r} may contain only letters, digits, '.', '_' and '-'"
ERR_RULE_CATEGORY = "rule {code!r} exists with category {existing!r}, not {value!r}"

RULE_ADMINS = (Role.COMPLIANCE, Role.ADMIN, Role.DIRECTOR)

# Message types of API.md §7.4 (and the two named there without a schema). Anything else is reported.
_MSGTYPES = """text image revoke agree disagree voice video card location emotion file link weapp chatrecord todo
vote collect redpacket meeting docmsg markdown news calendar mixed meeting_voice_call voip_doc_share external_redpacket
sphfeed voiptext qydiskfile switch"""
KNOWN_MSGTYPES = frozenset(_MSGTYPES.split())
EXTERNAL_PREFIXES = ("wm", "wo", "wb")  # external_userid (WeChat / other corp) and robots
AGREE_BATCH = 99  # check_single_agree refuses ≥ 100 items (301060)


# ============================================================================================ ingestion


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
    error: str = ""

    def summary(self) -> str:
        return (
            f"source={self.source} batches={self.batches} fetched={self.fetched} stored={self.stored} "
            f"duplicates={self.duplicates} refused={self.refused} recalls={self.recalls} "
            f"violations={self.violations} problems={len(self.problems)} seq={self.seq}"
        )


AgreeChecker = Callable[[list[tuple[str, str]]], dict[tuple[str, str], tuple[str, dt.datetime | None]]]


def is_external(userid: str) -> bool:
    return userid.startswith(EXTERNAL_PREFIXES)


def record_problem(msg: dict[str, Any]) -> str:
    """Why a decrypted record cannot be stored ("" when it can)."""
    if not msg.get("msgid") or not isinstance(msg.get("msgid"), str):
        return "missing msgid"
    action = msg.get("action") or Action.SEND
    if action not in Action.values:
        return f"unknown action {action!r}"
    if action == Action.SWITCH:
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


@dataclass(slots=True)
class _Staff:
    pk: int
    department_id: int
    reports_to_id: int | None
    userid: str


class _Batch:
    """Per-batch lookups: staff by WeCom userid, room owners, archiving agreements."""

    def __init__(self) -> None:
        self.staff: dict[str, _Staff] = {
            str(uid): _Staff(pk, dept, lead, str(uid))
            for pk, uid, dept, lead in Member.objects.exclude(wecom_userid=None)
            .exclude(wecom_userid="")
            .values_list("pk", "wecom_userid", "department_id", "reports_to_id")
        }
        self.members_by_pk = {s.pk: s for s in self.staff.values()}

    def is_staff(self, userid: str) -> bool:
        return userid in self.staff or not is_external(userid)


def _room_owners(roomids: set[str]) -> dict[str, int]:
    if not roomids:
        return {}
    from zhidu.groups.models import GroupChat

    return {
        chat_id: owner_id
        for chat_id, owner_id in GroupChat.objects.filter(chat_id__in=roomids, owner__isnull=False).values_list(
            "chat_id", "owner_id"
        )
    }


def _agreements(
    pairs: set[tuple[str, str]], checker: AgreeChecker | None, now: dt.datetime
) -> dict[tuple[str, str], str]:
    """(staff userid, external userid) → agree status; cached rows first, then the checker for unknown or stale."""
    if not pairs:
        return {}
    users = {p[0] for p in pairs}
    externals = {p[1] for p in pairs}
    ttl = dt.timedelta(hours=float(getattr(settings, "ARCHIVE_AGREE_TTL_HOURS", 24)))
    rows = {
        (row.userid, row.external_userid): row
        for row in ArchiveAgreement.objects.filter(userid__in=users, external_userid__in=externals)
    }
    known: dict[tuple[str, str], str] = {}
    stale: set[tuple[str, str]] = set()
    for key, row in rows.items():
        if key in pairs:
            known[key] = row.status
            if now - row.checked_at > ttl:
                stale.add(key)
    ask = sorted((pairs - known.keys()) | stale)
    if checker is None or not ask:
        return known
    answers: dict[tuple[str, str], tuple[str, dt.datetime | None]] = {}
    for i in range(0, len(ask), AGREE_BATCH):
        answers.update(checker(ask[i : i + AGREE_BATCH]))
    changed: list[ArchiveAgreement] = []
    new: list[ArchiveAgreement] = []
    for key, (status, changed_at) in answers.items():
        if status not in AgreeStatus.values:
            continue
        known[key] = status
        row = rows.get(key)
        if row is None:
            new.append(
                ArchiveAgreement(
                    userid=key[0], external_userid=key[1], status=status, changed_at=changed_at, checked_at=now
                )
            )
        else:
            row.status, row.changed_at, row.checked_at = status, changed_at, now
            changed.append(row)
    ArchiveAgreement.objects.bulk_create(new, ignore_conflicts=True)
    ArchiveAgreement.objects.bulk_update(changed, ["status", "changed_at", "checked_at"])
    return known


def _agree_record(msg: dict[str, Any], staff_userid: str, now: dt.datetime) -> tuple[str, str] | None:
    """An `agree`/`disagree` archive record updates the cache; returns the pair it concerns."""
    kind = str(msg.get("msgtype"))
    payload = msg.get(kind) or {}
    external = payload.get("userid") or msg.get("from", "")
    if not staff_userid or not external:
        return None
    ms = payload.get(f"{kind}_time")
    changed = ms_to_datetime(ms) if isinstance(ms, int) else None
    status = AgreeStatus.AGREE if kind == "agree" else AgreeStatus.DISAGREE
    ArchiveAgreement.objects.update_or_create(
        userid=staff_userid,
        external_userid=external,
        defaults={"status": status, "changed_at": changed, "checked_at": now},
    )
    return staff_userid, external


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
        owners = _room_owners({r for r in rooms if r})
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
                _agree_record(msg, staff_uid, now)
            if row.customer_id and row.action == Action.SEND and row.chat_type == ChatType.SINGLE:
                staff_uid = row.sender if row.side == Side.STAFF else _staff_party(row, batch)
                if staff_uid:
                    pairs[msgid] = (staff_uid, row.customer_id)
        status = _agreements(set(pairs.values()), agree_checker, now)
        # a customer who refused archiving with any member: their own messages in groups are skipped too
        group_senders = {r.customer_id for r in rows if r.chat_type == ChatType.GROUP and r.side == Side.CUSTOMER}
        refused_senders = {p[1] for p, st in status.items() if st == AgreeStatus.DISAGREE} | set(
            ArchiveAgreement.objects.filter(external_userid__in=group_senders, status=AgreeStatus.DISAGREE).values_list(
                "external_userid", flat=True
            )
        )
        kept: list[_Row] = []
        for row in rows:
            pair = pairs.get(row.msgid)
            if (pair is not None and status.get(pair) == AgreeStatus.DISAGREE) or (
                row.chat_type == ChatType.GROUP and row.side == Side.CUSTOMER and row.customer_id in refused_senders
            ):
                report.refused += 1
                continue
            kept.append(row)
        _insert_messages(kept)
        recalled = [(row.raw.get("revoke") or {}).get("pre_msgid") for row in kept if row.action == Action.RECALL]
        recalled = [m for m in recalled if m]
        if recalled:
            report.recalls += ArchiveMessage.objects.filter(msgid__in=recalled).update(recalled=True)
        created = _scan_and_record(kept, batch)
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
        _notify_supervisors(created)
    report.stored += len(kept)
    report.violations += len(created)
    report.problems.extend(problems)
    return end_seq


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
    columns = ", ".join(ops.quote_name(meta.get_field(name).column) for name in _MESSAGE_COLUMNS)
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
    action = msg.get("action") or Action.SEND
    if action == Action.SWITCH:
        sender, receivers, roomid, msgtime, msgtype = msg.get("user", ""), [], "", msg["time"], "switch"
    else:
        sender, receivers = msg["from"], [str(u) for u in msg.get("tolist") or []]
        roomid, msgtime, msgtype = msg.get("roomid") or "", msg["msgtime"], msg["msgtype"]
    chat_type = ChatType.GROUP if roomid else ChatType.SINGLE
    side = Side.STAFF if batch.is_staff(sender) else Side.CUSTOMER
    member_pk: int | None = None
    customer = ""
    if chat_type == ChatType.GROUP:
        chat_key = roomid
        if side == Side.STAFF:
            member_pk = batch.staff[sender].pk if sender in batch.staff else None
        else:
            customer = sender
            member_pk = owners.get(roomid)
    else:
        peer = receivers[0] if receivers else ""
        chat_key = "|".join(sorted([sender, peer]))
        staff_uid = sender if side == Side.STAFF else next((u for u in receivers if batch.is_staff(u)), "")
        member_pk = batch.staff[staff_uid].pk if staff_uid in batch.staff else None
        customer = sender if side == Side.CUSTOMER else next((u for u in receivers if not batch.is_staff(u)), "")
    text = eng.extract_text(msg) if action == Action.SEND else ""
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


def _scan_and_record(rows: Sequence[_Row], batch: _Batch) -> list[Violation]:
    """Scan stored messages; one violation per (message, rule), keeping the first span."""
    scanned = [r for r in rows if r.action == Action.SEND and r.text]
    if not scanned:
        return []
    engine, rules_by_code = rules_engine()
    messages = []
    for r in scanned:
        staff = batch.members_by_pk.get(r.member_id) if r.member_id else None
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
    citations: dict[str, str] = {}
    out: list[Violation] = []
    for (msgid, code), f in first.items():
        rule_pk = rules_by_code.get(code)
        if rule_pk is None:
            continue
        row = by_msgid[msgid]
        staff = batch.members_by_pk.get(row.member_id) if row.member_id else None
        if f.article not in citations:
            citations[f.article] = article_citation(f.article)
        out.append(
            Violation(
                message_id=pks[msgid],
                rule_id=rule_pk,
                category=f.category,
                severity=f.severity,
                article=f.article,
                citation=citations[f.article][:300],
                start=f.start,
                end=f.end,
                matched=f.matched[:500],
                detector=f.detector[:40],
                confidence=f.confidence,
                hits=hits[(msgid, code)],
                member_id=row.member_id,
                supervisor_id=staff.reports_to_id if staff else None,
                occurred_at=row.sent_at,
            )
        )
    return Violation.objects.bulk_create(out, batch_size=500)


_CITATIONS: dict[str, tuple[float, str]] = {}
CITATION_TTL_SECONDS = 300.0


def article_citation(key: str) -> str:
    """The citation text of an article key via the policies app ("" if unknown or the app is absent).

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
    article = article_resolve(key)
    text = str(getattr(article, "citation", "") or "") if article is not None else ""
    if text:  # an unresolved key is asked again next time (the regulation may be published meanwhile)
        _CITATIONS[key] = (now, text)
    return text


def _notify_supervisors(violations: list[Violation]) -> None:
    """One WeCom app card per supervisor per batch (written in this transaction, sent after commit)."""
    by_supervisor: dict[int, list[Violation]] = defaultdict(list)
    for v in violations:
        if v.supervisor_id:
            by_supervisor[v.supervisor_id].append(v)
    if not by_supervisor:
        return
    try:
        from zhidu.wecom.send import outbox_enqueue
    except ImportError:  # the outbox is not installed: nothing to send through
        log.warning("zhidu.wecom.send is missing; %d violation notifications not queued", len(violations))
        return
    userids = dict(Member.objects.filter(pk__in=by_supervisor).values_list("pk", "wecom_userid"))
    base = getattr(settings, "ZHIDU_BASE_URL", "").rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        for sup_pk, items in by_supervisor.items():
            userid = userids.get(sup_pk)
            if not userid:
                continue
            if len(items) == 1:
                v = items[0]
                title = _("Possible violation: %(category)s") % {"category": Category(v.category).label}
                url = base + reverse("compliance:violation_detail", args=[v.pk])
                description = f"{v.citation or v.article}\n{v.matched}"
            else:
                title = _("%(count)d possible violations to review") % {"count": len(items)}
                url = base + reverse("compliance:violations") + "?status=open"
                description = "\n".join(f"{Category(v.category).label}: {v.matched}" for v in items[:5])
            outbox_enqueue(
                channel="app",
                to_userids=[userid],
                msgtype="textcard",
                content={"title": title, "description": description, "url": url, "btntxt": _("Review")},
                dedupe_key=f"violations:{sup_pk}:{items[0].pk}-{items[-1].pk}",
            )


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


def agree_checker_from_settings() -> AgreeChecker | None:
    """check_single_agree through the WeCom client with the chat-archive secret (None if not configured)."""
    if not (settings.WECOM_CORP_ID and settings.WECOM_ARCHIVE_SECRET):
        return None
    from zhidu.wecom.client import WeComClient

    client = WeComClient(settings.WECOM_CORP_ID, settings.WECOM_ARCHIVE_SECRET, base_url=settings.WECOM_API_BASE)
    return client_agree_checker(client)


def client_agree_checker(client: Any) -> AgreeChecker:
    """check_single_agree through `client`. A network failure stops the batch (ArchiveError); a pair WeCom
    refuses to answer for (e.g. 301061, no longer a contact) gets no answer and is treated as agreed."""
    from zhidu.wecom.client import WeComError, WeComTransportError

    unanswerable: set[tuple[str, str]] = set()  # not asked again by this checker

    def ask(pairs: list[tuple[str, str]]) -> list[Any]:
        answer = client.check_single_agree([{"userid": u, "exteranalopenid": e} for u, e in pairs])
        return list(_get(answer, "agreeinfo") or [])

    def answerable(pairs: list[tuple[str, str]]) -> list[Any]:
        """Split a refused request in halves until the pairs WeCom does answer for are found."""
        if len(pairs) == 1:
            log.warning("check_single_agree does not answer for %s", pairs[0])
            unanswerable.add(pairs[0])
            return []
        half = len(pairs) // 2
        out: list[Any] = []
        for part in (pairs[:half], pairs[half:]):
            try:
                out += ask(part)
            except WeComTransportError as exc:
                raise ArchiveError(f"check_single_agree failed: {exc}") from exc
            except WeComError:
                out += answerable(part)
        return out

    def check(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, dt.datetime | None]]:
        pairs = [p for p in pairs if p not in unanswerable]
        if not pairs:
            return {}
        try:
            items = ask(pairs)
        except WeComTransportError as exc:
            raise ArchiveError(f"check_single_agree failed: {exc}") from exc
        except WeComError:
            items = answerable(pairs)
        out: dict[tuple[str, str], tuple[str, dt.datetime | None]] = {}
        for item in items:
            key = (str(_get(item, "userid")), str(_get(item, "exteranalopenid")))
            changed = _get(item, "status_change_time")
            when = dt.datetime.fromtimestamp(changed, tz=dt.UTC) if changed else None
            out[key] = (str(_get(item, "agree_status")), when)
        return out

    return check


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def archive_pull_schedule() -> None:
    """Queue one archive pull after the current transaction commits (msgaudit_notify, periodic trigger)."""
    from .tasks import archive_pull_task

    transaction.on_commit(lambda: archive_pull_task.delay())


# ============================================================================================ rules

_ENGINE: dict[str, Any] = {"version": None, "engine": None, "codes": {}}


def rules_version() -> tuple[Any, ...]:
    """Changes whenever rules, their terms, or the department tree change (cheap aggregates)."""
    r = Rule.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    t = RuleTerm.objects.aggregate(n=Count("id"), m=Max("id"))
    d = Department.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    return (r["n"], r["t"], t["n"], t["m"], d["n"], d["t"])


def rules_compile() -> list[eng.Rule]:
    """Enabled rules as engine rules (department scope expanded to sub-departments)."""
    rules = list(Rule.objects.filter(enabled=True).prefetch_related("departments", "members"))
    terms: dict[int, list[str]] = defaultdict(list)
    for rule_id, term in RuleTerm.objects.filter(rule__enabled=True).values_list("rule_id", "term").order_by("id"):
        terms[rule_id].append(term)
    out = []
    for rule in rules:
        depts: set[int] = set()
        for d in rule.departments.all():
            depts |= department_subtree_ids(d.pk)
        hours = (rule.hour_start, rule.hour_end) if rule.hour_start is not None and rule.hour_end is not None else None
        out.append(
            eng.Rule(
                code=rule.code,
                name=rule.name,
                category=rule.category,
                severity=rule.severity,
                terms=tuple(terms.get(rule.pk, ())),
                patterns=tuple(rule.patterns or ()),
                detectors=tuple(rule.detectors or ()),
                allow=tuple(rule.allow or ()),
                scope=eng.Scope(
                    members=frozenset(m.wecom_userid for m in rule.members.all() if m.wecom_userid),
                    departments=frozenset(depts),
                    chat_types=frozenset(rule.chat_types or ()),
                    sides=frozenset(rule.sides or ()),
                    hours=hours,
                ),
                article=rule.article,
            )
        )
    return out


def rules_engine() -> tuple[eng.Engine, dict[str, int]]:
    """The engine for the current rules (rebuilt only when `rules_version()` changes) and rule pk by code."""
    version = rules_version()
    if _ENGINE["version"] != version or _ENGINE["engine"] is None:
        _ENGINE["engine"] = eng.Engine(rules_compile())
        _ENGINE["codes"] = dict(Rule.objects.filter(enabled=True).values_list("code", "pk"))
        _ENGINE["version"] = version
    return _ENGINE["engine"], _ENGINE["codes"]


def _require_rule_admin(actor: Member | None) -> None:
    if actor is not None and not (actor.is_active and actor.role in RULE_ADMINS):
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")


@transaction.atomic
def rules_seed_default(*, actor: Member | None = None) -> int:
    """Create the default pack's rules that do not exist yet (by code); never overwrites edits. Idempotent."""
    _require_rule_admin(actor)
    existing = set(Rule.objects.values_list("code", flat=True))
    created = 0
    for r in eng.default_rules():
        if r.code in existing:
            continue
        rule = Rule.objects.create(
            code=r.code,
            name=r.name,
            category=r.category,
            severity=r.severity,
            patterns=list(r.patterns),
            detectors=list(r.detectors),
            allow=list(r.allow),
            article=r.article,
            builtin=True,
            chat_types=sorted(r.scope.chat_types),
            sides=sorted(r.scope.sides),
            hour_start=r.scope.hours[0] if r.scope.hours else None,
            hour_end=r.scope.hours[1] if r.scope.hours else None,
        )
        RuleTerm.objects.bulk_create([RuleTerm(rule=rule, term=t) for t in dict.fromkeys(r.terms)])
        created += 1
    if created:
        audit_record(actor=actor, verb="rule.seed", target_type="compliance.rule", after={"created": created})
    return created


@transaction.atomic
def rule_set_enabled(*, actor: Member | None, rule: Rule, enabled: bool) -> Rule:
    _require_rule_admin(actor)
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    if rule.enabled != enabled:
        before = {"enabled": rule.enabled}
        rule.enabled = enabled
        rule.save(update_fields=["enabled", "updated_at"])
        audit_record(
            actor=actor,
            verb="rule.enable" if enabled else "rule.disable",
            target=rule,
            before=before,
            after={"enabled": enabled},
        )
    return rule


# Default article per category (interfaces: demo regulation `sales-conduct`).
CATEGORY_ARTICLE = {
    Category.FALSE_CLAIM: "sales-conduct#17",
    Category.PRIVACY: "sales-conduct#18.1",
    Category.SECRET: "sales-conduct#19",
    Category.PRIVATE_DEAL: "sales-conduct#20",
    Category.PRICE: "sales-conduct#14",
    Category.ABUSE: "sales-conduct#21",
    Category.ADS: "sales-conduct#22.1",
    Category.PROHIBITED: "sales-conduct#22.2",
}
MAX_TERM = 200
_ARTICLE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*#\d+(\.\d+)?$")
_CODE_RE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


@dataclass(frozen=True, slots=True)
class TermRow:
    row: int
    term: str
    category: str
    severity: str = Severity.MEDIUM
    article: str = ""
    rule: str = ""  # optional rule code; default imported-<category>-<severity>


@dataclass
class ImportResult:
    rules_created: int = 0
    terms_added: int = 0
    terms_existing: int = 0
    rules: list[str] = field(default_factory=list)


def _row_errors(row: TermRow) -> list[str]:
    errors = []
    if not row.term or len(row.term) > MAX_TERM or any(c in row.term for c in "\t\r\n"):
        errors.append(ERR_BAD_TERM.format(max=MAX_TERM))
    if row.category not in Category.values:
        errors.append(ERR_BAD_CATEGORY.format(value=row.category, choices=", ".join(Category.values)))
    if row.severity not in Severity.values:
        errors.append(ERR_BAD_SEVERITY.format(value=row.severity))
    if row.article and not _ARTICLE_RE.match(row.article):
        errors.append(ERR_BAD_ARTICLE.format(value=row.article))
    if row.rule and not _CODE_RE.match(row.rule):
        errors.append(ERR_BAD_RULE_CODE.format(value=row.rule))
    return errors


def _rule_code_for(row: TermRow) -> str:
    if row.rule:
        return row.rule
    code = f"imported-{row.category}-{row.severity}"
    article = row.article or CATEGORY_ARTICLE.get(row.category, "")  # type: ignore[call-overload]
    if article != CATEGORY_ARTICLE.get(row.category, ""):  # type: ignore[call-overload]
        code += "-" + re.sub(r"[^a-z0-9]+", "-", article.lower()).strip("-")
    return code[:100]


@transaction.atomic
def rules_import(*, actor: Member | None, rows: Sequence[TermRow]) -> ImportResult:
    """Add terms to rules (created on demand). Every row is validated first; any bad row → nothing written."""
    _require_rule_admin(actor)
    if not rows:
        raise DomainError(ERR_IMPORT_EMPTY, field="file")
    bad: list[str] = []
    for row in rows:
        errors = _row_errors(row)
        if errors:
            bad.append(f"row {row.row}: {'; '.join(errors)}")
    groups: dict[str, list[TermRow]] = defaultdict(list)
    for row in rows:
        if not _row_errors(row):
            groups[_rule_code_for(row)].append(row)
    existing = {r.code: r for r in Rule.objects.filter(code__in=groups)}
    for code, items in groups.items():
        cat = items[0].category
        if code in existing and existing[code].category != cat:
            bad.append(
                f"row {items[0].row}: "
                + ERR_RULE_CATEGORY.format(code=code, existing=existing[code].category, value=cat)
            )
        for other in items[1:]:
            if other.category != cat:
                bad.append(
                    f"row {other.row}: " + ERR_RULE_CATEGORY.format(code=code, existing=cat, value=other.category)
                )
    if bad:
        shown = "; ".join(bad[:20]) + (f"; … and {len(bad) - 20} more" if len(bad) > 20 else "")
        raise DomainError(ERR_IMPORT_ROWS.format(count=len(bad), details=shown), field="file")
    result = ImportResult()
    for code, items in groups.items():
        rule = existing.get(code)
        first = items[0]
        if rule is None:
            label = Category(first.category).label
            rule = Rule.objects.create(
                code=code,
                name=f"{label} ({_('imported terms')}, {first.severity})",
                category=first.category,
                severity=first.severity,
                article=first.article or CATEGORY_ARTICLE.get(first.category, ""),  # type: ignore[call-overload]
            )
            result.rules_created += 1
        have = set(RuleTerm.objects.filter(rule=rule).values_list("term", flat=True))
        new = [t for t in dict.fromkeys(r.term for r in items) if t not in have]
        RuleTerm.objects.bulk_create([RuleTerm(rule=rule, term=t) for t in new])
        result.terms_added += len(new)
        result.terms_existing += len(items) - len(new)
        result.rules.append(code)
        rule.save(update_fields=["updated_at"])  # bumps the rules version: engines rebuild
        audit_record(actor=actor, verb="rule.import", target=rule, after={"added": len(new)})
    return result


def parse_terms_text(
    content: str, *, category: str, severity: str = Severity.MEDIUM, article: str = "", rule: str = ""
) -> list[TermRow]:
    """One term per line; blank lines and lines starting with # are skipped. Row numbers are line numbers."""
    out = []
    for lineno, line in enumerate(content.splitlines(), start=1):
        term = line.strip().lstrip("\ufeff")
        if not term or term.startswith("#"):
            continue
        out.append(TermRow(row=lineno, term=term, category=category, severity=severity, article=article, rule=rule))
    return out


XLSX_COLUMNS = ("term", "category", "severity", "article", "rule")


def parse_terms_xlsx(
    file: Any, *, category: str = "", severity: str = Severity.MEDIUM, article: str = "", rule: str = ""
) -> list[TermRow]:
    """Rows of (term[, category, severity, article, rule]); an optional header row names the columns.
    Empty cells fall back to the given defaults. Row numbers are the sheet's."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise DomainError(f"The file is not a readable .xlsx workbook: {exc}", field="file") from None
    ws = wb.worksheets[0]
    columns = list(XLSX_COLUMNS)
    out: list[TermRow] = []
    for index, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = ["" if v is None else str(v).strip() for v in values]
        if index == 1 and cells and cells[0].lower() == "term":
            columns = [c.lower() for c in cells]
            continue
        if not any(cells):
            continue
        data = dict(zip(columns, cells, strict=False))
        out.append(
            TermRow(
                row=index,
                term=data.get("term", ""),
                category=data.get("category") or category,
                severity=data.get("severity") or severity,
                article=data.get("article") or article,
                rule=data.get("rule") or rule,
            )
        )
    wb.close()
    return out


def parse_terms_file(name: str, content: bytes | Any, **defaults: str) -> list[TermRow]:
    """Dispatch on the file name: .xlsx → workbook, anything else → UTF-8 text, one term per line."""
    if name.lower().endswith(".xlsx"):
        import io

        return parse_terms_xlsx(io.BytesIO(content) if isinstance(content, bytes) else content, **defaults)
    raw = content if isinstance(content, bytes) else content.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("The text file must be UTF-8.", field="file") from None
    if not defaults.get("category"):
        raise DomainError(ERR_BAD_CATEGORY.format(value="", choices=", ".join(Category.values)), field="category")
    return parse_terms_text(text, **defaults)


def rules_export_xlsx(file: Any, *, rules: Iterable[Rule] | None = None) -> int:
    """Write every term (one row each: term, category, severity, article, rule) to an .xlsx; returns rows."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "terms"
    ws.append(list(XLSX_COLUMNS))
    qs = RuleTerm.objects.select_related("rule").order_by("rule__category", "rule__code", "id")
    if rules is not None:
        qs = qs.filter(rule__in=list(rules))
    count = 0
    for t in qs:
        ws.append([t.term, t.rule.category, t.rule.severity, t.rule.article, t.rule.code])
        count += 1
    wb.save(file)
    return count


# ============================================================================================ review


def can_review(actor: Member, violation: Violation) -> bool:
    """The assigned supervisor, a lead whose scope holds the member, or compliance — never oneself."""
    if not actor.is_active or (violation.member_id is not None and violation.member_id == actor.pk):
        return False
    if actor.role == Role.COMPLIANCE:
        return True
    if violation.supervisor_id == actor.pk:
        return True
    if actor.role in LEAD_ROLES and violation.member is not None:
        return actor.can_see_work_of(violation.member)
    return False


def _review(*, actor: Member, violation: Violation, status: str, reason: str) -> Violation:
    locked = Violation.objects.select_for_update().get(pk=violation.pk)
    if not can_review(actor, locked):
        raise DomainError(ERR_NOT_REVIEWER, code="forbidden")
    if locked.status != ViolationStatus.OPEN:
        raise DomainError(ERR_ALREADY_REVIEWED.format(status=locked.get_status_display()), code="conflict")
    before = {"status": locked.status}
    locked.status = status
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.reason = reason
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason", "updated_at"])
    verb = "violation.confirm" if status == ViolationStatus.CONFIRMED else "violation.dismiss"
    audit_record(actor=actor, verb=verb, target=locked, before=before, after={"status": status}, reason=reason)
    return locked


@transaction.atomic
def violation_confirm(*, actor: Member, violation: Violation, reason: str = "") -> Violation:
    return _review(actor=actor, violation=violation, status=ViolationStatus.CONFIRMED, reason=reason.strip())


@transaction.atomic
def violation_dismiss(*, actor: Member, violation: Violation, reason: str) -> Violation:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ERR_REASON_REQUIRED, field="reason")
    return _review(actor=actor, violation=violation, status=ViolationStatus.DISMISSED, reason=reason)
