"""The notification outbox: write a row in the caller's transaction, deliver it after commit in a worker.

    from zhidu.wecom.send import outbox_enqueue
    outbox_enqueue(channel="app", to_userids=["zhangsan"], msgtype="text", content={"content": "…"})

Delivery (`outbox_deliver`, run by `send_outbox_task` on a Celery worker, or by `outbox_flush` from the
scheduler when there is no broker; never in the process that queued the row) claims a due row atomically,
sends it through the application's `message/send` (agentid = settings.WECOM_AGENT_ID) or a group robot webhook, and
records the outcome:

* success → `sent`;
* a transient failure (-1, 45009, 45033, network errors, unknown codes) → `failed` with
  `next_attempt_at` pushed back exponentially (30 s, 60 s, … capped at 1 h); after
  `MAX_ATTEMPTS` tries → `dead`;
* a permanent failure (`PERMANENT_ERRCODES`: invalid users 81013/40003, robot key invalid 93000/93004,
  bad parameters …) → `dead` at once (visible in the admin, with a "retry" action);
* a robot message that would exceed 20 messages in any minute for its key waits until a slot frees
  up (`next_attempt_at`), without counting as an attempt; a 45009 from the webhook anyway waits a
  full minute.

Rows still due are delivered by `outbox_flush()` (`zhidu wecom flush-outbox`, or the periodic
`outbox_flush_task`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from zhidu.core.errors import DomainError

from .models import OutboxChannel, OutboxMessage, OutboxMsgType, OutboxStatus

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
MAX_ATTEMPTS = 8
CLAIM_LEASE_SECONDS = 120
ROBOT_PER_MINUTE = 20
# Retrying cannot help: the recipient, the robot or the request itself is wrong.
PERMANENT_ERRCODES = frozenset(
    {
        40003,  # invalid userid
        40013,  # invalid corpid
        40056,  # invalid agentid
        40058,  # invalid parameter
        41033,  # textcard without description
        44004,  # empty content
        48002,  # API not authorised
        60011,  # recipient outside the app's visibility
        60111,  # userid not found
        81013,  # every recipient invalid
        82001,  # no recipient
        93000,  # robot webhook key invalid / robot removed
        93004,  # robot disabled
    }
)

ERR_CHANNEL = gettext_noop("Unknown channel {channel!r}; use 'app' or 'robot'.")
ERR_MSGTYPE = gettext_noop("Unknown message type {msgtype!r} for the {channel} channel.")
ERR_NO_RECIPIENT = gettext_noop("An application message needs at least one recipient userid.")
ERR_NO_ROBOT_KEY = gettext_noop("A robot message needs the robot's webhook key.")
ERR_CONTENT = gettext_noop("The {msgtype} content needs the fields: {fields}.")

_REQUIRED = {
    OutboxMsgType.TEXT: ("content",),
    OutboxMsgType.MARKDOWN: ("content",),
    OutboxMsgType.TEXTCARD: ("title", "description", "url"),
}
_ROBOT_TYPES = (OutboxMsgType.TEXT, OutboxMsgType.MARKDOWN)


def outbox_enqueue(
    *,
    channel: str = OutboxChannel.APP,
    to_userids: Sequence[str] = (),
    robot_key: str = "",
    msgtype: str = OutboxMsgType.TEXT,
    content: dict[str, Any],
    dedupe_key: str = "",
) -> OutboxMessage:
    """Queue one message. Written in the caller's transaction; sent after it commits.

    With a `dedupe_key` that is already queued, the existing row is returned and nothing new is written.
    """
    if channel not in OutboxChannel.values:
        raise DomainError(ERR_CHANNEL, field="channel", channel=channel)
    allowed = _ROBOT_TYPES if channel == OutboxChannel.ROBOT else tuple(OutboxMsgType)
    if msgtype not in allowed:
        raise DomainError(ERR_MSGTYPE, field="msgtype", msgtype=msgtype, channel=channel)
    userids = [u.strip() for u in to_userids if u and u.strip()]
    if channel == OutboxChannel.APP and not userids:
        raise DomainError(ERR_NO_RECIPIENT, field="to_userids")
    if channel == OutboxChannel.ROBOT and not robot_key.strip():
        raise DomainError(ERR_NO_ROBOT_KEY, field="robot_key")
    fields = _REQUIRED[OutboxMsgType(msgtype)]
    if not isinstance(content, dict) or any(not content.get(f) for f in fields):
        raise DomainError(ERR_CONTENT, field="content", msgtype=msgtype, fields=", ".join(fields))
    key = dedupe_key.strip()[:200] or None
    if key is not None:
        existing = OutboxMessage.objects.filter(dedupe_key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                channel=channel,
                to_userids=userids,
                robot_key=robot_key.strip() if channel == "robot" else "",
                msgtype=msgtype,
                content=content,
                dedupe_key=key,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        if key is None:
            raise
        return OutboxMessage.objects.get(dedupe_key=key)
    transaction.on_commit(lambda: _schedule(message.pk), robust=True)
    return message


def _schedule(message_id: int, eta: dt.datetime | None = None) -> None:
    """Hand a message to a Celery worker. Without a broker (eager mode) nothing is sent here: the scheduler's
    `outbox-flush` delivers it, so a request or an archive batch never waits on WeCom."""
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return
    from .tasks import send_outbox_task

    if eta is None:
        send_outbox_task.delay(message_id)
    else:
        send_outbox_task.apply_async((message_id,), eta=eta)


def backoff_seconds(attempts: int) -> int:
    """Delay before the next try after `attempts` failed tries: 30 s, 60 s, 120 s, … capped at 1 h."""
    return int(min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def robot_slot_wait(robot_key: str, *, now: float | None = None) -> float:
    """Take a send slot for this robot key: 0 if taken, else the seconds until one frees up.

    A sliding one-minute window of send times per key in the Django cache (shared by every worker
    with Redis), guarded by a short cache lock (`cache.add` is atomic on Redis and locmem).
    """
    now = time.time() if now is None else now
    digest = hashlib.sha256(robot_key.encode()).hexdigest()[:24]
    key, lock = f"wecom:robot:{digest}", f"wecom:robot:{digest}:lock"
    for _ in range(100):
        if cache.add(lock, 1, timeout=5):
            break
        time.sleep(0.01)
    else:
        return 1.0  # another worker holds the lock for too long: try again shortly
    try:
        hits = sorted(t for t in cache.get(key, []) if now - 60 < t <= now + 60)
        if len(hits) >= ROBOT_PER_MINUTE:
            return max(hits[-ROBOT_PER_MINUTE] + 60 - now, 0.001)
        hits.append(now)
        cache.set(key, hits[-ROBOT_PER_MINUTE:], timeout=120)
        return 0.0
    finally:
        cache.delete(lock)


def default_app_client() -> Any:
    """The app-message client, one per (corp, secret, base URL) and process: its HTTP connections are reused."""
    return _app_client(settings.WECOM_CORP_ID, settings.WECOM_APP_SECRET, settings.WECOM_API_BASE)


@functools.lru_cache(maxsize=8)
def _app_client(corp_id: str, secret: str, base_url: str) -> Any:
    from .client import WeComClient

    return WeComClient(corp_id, secret, base_url=base_url)


def _payload(message: OutboxMessage) -> dict[str, Any]:
    body: dict[str, Any] = {"msgtype": message.msgtype, message.msgtype: message.content}
    if message.channel == OutboxChannel.APP:
        body.update(touser="|".join(message.to_userids), agentid=settings.WECOM_AGENT_ID)
    return body


def outbox_deliver(message_id: int, *, client: Any = None) -> str:
    """Try to deliver one message if it is due. Returns the resulting status ('skipped' if not claimed)."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED], next_attempt_at__lte=now
    ).update(next_attempt_at=now + dt.timedelta(seconds=CLAIM_LEASE_SECONDS))
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    if message.channel == OutboxChannel.ROBOT:
        now_ts = time.time()
        wait = robot_slot_wait(message.robot_key, now=now_ts)
        if wait > 0:
            eta = dt.datetime.fromtimestamp(now_ts + wait, tz=dt.UTC)
            OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=eta)
            _schedule(message.pk, eta)
            return message.status
    from .client import WeComError

    errcode: int | None = None
    error = ""
    msgid = ""
    try:
        client = client or default_app_client()
        if message.channel == OutboxChannel.ROBOT:
            client.robot_send(message.robot_key, _payload(message))
        else:
            response = client.message_send(_payload(message))
            msgid = str(getattr(response, "msgid", "") or "")
            invalid = getattr(response, "invaliduser", "") or ""
            if invalid:
                error = f"invaliduser: {invalid}"
    except WeComError as exc:
        errcode, error = exc.errcode, str(exc)
    except Exception as exc:  # network errors, timeouts, bad gateways: all worth another try
        errcode, error = None, f"{type(exc).__name__}: {exc}"
        if not error.strip():
            error = type(exc).__name__
    else:
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxStatus.SENT,
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            last_errcode=None,
            last_error=error,
            wecom_msgid=msgid[:128],
            updated_at=timezone.now(),
        )
        return OutboxStatus.SENT
    attempts = message.attempts + 1
    permanent = errcode in PERMANENT_ERRCODES
    delay = backoff_seconds(attempts)
    if message.channel == OutboxChannel.ROBOT and errcode == 45009:
        delay = max(delay, 60)
    if permanent or attempts >= MAX_ATTEMPTS:
        status, eta = OutboxStatus.DEAD, timezone.now()
    else:
        status, eta = OutboxStatus.FAILED, timezone.now() + dt.timedelta(seconds=delay)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=status,
        attempts=attempts,
        last_errcode=errcode,
        last_error=error[:2000],
        next_attempt_at=eta,
        updated_at=timezone.now(),
    )
    log.warning("outbox #%s %s (errcode %s): %s", message.pk, status, errcode, error)
    if status == OutboxStatus.FAILED:
        _schedule(message.pk, eta)
    return status


def outbox_due_ids(*, limit: int = 1000) -> list[int]:
    return list(
        OutboxMessage.objects.filter(
            status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED], next_attempt_at__lte=timezone.now()
        )
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_flush(*, limit: int = 1000, client: Any = None) -> dict[str, int]:
    """Deliver every due message now (in this process). Returns counts by resulting status."""
    counts: dict[str, int] = {}
    for message_id in outbox_due_ids(limit=limit):
        status = str(outbox_deliver(message_id, client=client))
        counts[status] = counts.get(status, 0) + 1
    return counts


@transaction.atomic
def outbox_retry(*, actor: Any, message_ids: Sequence[int], actor_label: str = "") -> int:
    """Operator action: put failed/dead messages back in the queue for a fresh round of tries (audited)."""
    from zhidu.core.audit import audit_record

    now = timezone.now()
    rows = list(
        OutboxMessage.objects.select_for_update()
        .filter(pk__in=message_ids)
        .exclude(status=OutboxStatus.SENT)
        .values_list("pk", "status", "attempts")
    )
    ids = [pk for pk, _status, _attempts in rows]
    OutboxMessage.objects.filter(pk__in=ids).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, updated_at=now
    )
    for pk, status, attempts in rows:
        audit_record(
            actor=actor,
            actor_label=actor_label,
            verb="outbox.retry",
            target_type="wecom.outboxmessage",
            target_id=pk,
            before={"status": status, "attempts": attempts},
            after={"status": OutboxStatus.PENDING, "attempts": 0},
        )
        transaction.on_commit(lambda pk=pk: _schedule(pk), robust=True)  # type: ignore[misc]
    return len(ids)
