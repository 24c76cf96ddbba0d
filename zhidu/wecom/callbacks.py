"""WeCom callbacks: verify, decrypt, parse strictly, store once, process after commit.

`callback_receive` is all the HTTP view does: it refuses anything that does not verify, decrypt and
parse (raising `CallbackRefused`, nothing stored), writes a valid event to `CallbackInbox` keyed by
the sha256 of its decrypted XML (a replay lands on the same row and has no second effect), and
schedules `callback_process_task` after commit.

`callback_process` applies one event by updating the same records the sync writes: contact changes
re-run the contacts sync (cheap, and it repairs lost events), customer changes refetch the customer
with all followers, group changes refetch the group, tag changes refetch the tag; deletions apply
directly. `msgaudit_notify` calls `zhidu.compliance.services.archive_pull_schedule()` when present.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from typing import Annotated, Any, Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from zhidu.core.events import publish, subscribers
from zhidu.customers.models import FollowEnd, Tag
from zhidu.customers.services import (
    SYNC_ACTOR,
    customers_apply,
    follow_archive_agree,
    follow_end,
    follow_transfer_failed,
    tag_mark_deleted,
    tags_apply,
)
from zhidu.customers.transfer_results import transfer_fail_reported
from zhidu.groups.conventions import conventions_check_chats
from zhidu.groups.moderation import bans_check_chat
from zhidu.groups.services import group_dismiss, groups_apply
from zhidu.org.models import Member
from zhidu.org.services import member_bind_wecom, member_unbind_wecom

from .crypto import VALIDATE_CORPID_ERROR, VALIDATE_SIGNATURE_ERROR, CryptoError, WXBizMsgCrypt, parse_xml
from .models import CallbackInbox

MSGAUDIT_NOTIFY_EVENT = "wecom.msgaudit_notify"

log = logging.getLogger(__name__)

MAX_PROCESS_ATTEMPTS = 5


class CallbackRefused(Exception):
    """The request is not a valid callback. `status` is the HTTP answer (4xx); nothing was stored."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# --- strict event schemas -----------------------------------------------------------------------


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _items(value: Any) -> Any:
    """<MemChangeList><Item>a</Item>…</MemChangeList> parses to a list; a lone text is comma-separated."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    return value


Str = Annotated[str, BeforeValidator(_strip)]
Int = Annotated[int, BeforeValidator(_strip)]


class _Event(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    ToUserName: Str
    FromUserName: Str = ""
    CreateTime: Int
    MsgType: Literal["event"]
    Event: Str
    ChangeType: Str = ""


class ContactUserEvent(_Event):
    Event: Literal["change_contact"]
    ChangeType: Literal["create_user", "update_user", "delete_user"]
    UserID: Str
    NewUserID: Str = ""


class ContactPartyEvent(_Event):
    Event: Literal["change_contact"]
    ChangeType: Literal["create_party", "update_party", "delete_party"]
    Id: Int


class ContactTagEvent(_Event):
    Event: Literal["change_contact"]
    ChangeType: Literal["update_tag"]
    TagId: Int


class ExternalContactEvent(_Event):
    Event: Literal["change_external_contact"]
    ChangeType: Literal[
        "add_external_contact",
        "edit_external_contact",
        "del_external_contact",
        "del_follow_user",
        "add_half_external_contact",
        "transfer_fail",
        "msg_audit_approved",
    ]
    UserID: Str
    ExternalUserID: Str
    State: Str = ""
    WelcomeCode: Str = ""
    Source: Str = ""
    FailReason: Str = ""


class ExternalChatEvent(_Event):
    Event: Literal["change_external_chat"]
    ChangeType: Literal["create", "update", "dismiss"]
    ChatId: Str
    UpdateDetail: Literal["", "add_member", "del_member", "change_owner", "change_name", "change_notice"] = ""
    JoinScene: Int | None = None
    QuitScene: Int | None = None
    MemChangeCnt: Int | None = None
    MemChangeList: Annotated[list[str], BeforeValidator(_items)] = []
    LastMemVer: Str = ""
    CurMemVer: Str = ""


class ExternalTagEvent(_Event):
    Event: Literal["change_external_tag"]
    ChangeType: Literal["create", "update", "delete", "shuffle"]
    Id: Str
    TagType: Literal["", "tag", "tag_group"] = ""
    StrategyId: Str = ""


class MsgAuditNotifyEvent(_Event):
    Event: Literal["msgaudit_notify"]
    AgentID: Str = ""


_SCHEMAS: dict[tuple[str, str], type[_Event]] = {}
for _schema in (
    ContactUserEvent,
    ContactPartyEvent,
    ContactTagEvent,
    ExternalContactEvent,
    ExternalChatEvent,
    ExternalTagEvent,
):
    for _change in _schema.model_fields["ChangeType"].annotation.__args__:  # type: ignore[union-attr]
        _SCHEMAS[(_schema.model_fields["Event"].annotation.__args__[0], _change)] = _schema  # type: ignore[union-attr]


def parse_event(fields: dict[str, Any]) -> _Event:
    """A typed event from the parsed XML fields; raises ValidationError when required fields are missing/bad.

    Events we do not handle parse as the generic header (stored, then marked ignored).
    """
    if not isinstance(fields, dict):
        raise ValueError("event XML is not a flat document")
    event, change = str(fields.get("Event", "")).strip(), str(fields.get("ChangeType", "")).strip()
    if event == "msgaudit_notify":
        return MsgAuditNotifyEvent.model_validate(fields)
    schema = _SCHEMAS.get((event, change))
    if schema is None and event in {
        "change_contact",
        "change_external_contact",
        "change_external_chat",
        "change_external_tag",
    }:
        raise ValueError(f"unknown ChangeType {change!r} for {event}")
    return (schema or _Event).model_validate(fields)


# --- receiving ----------------------------------------------------------------------------------


def crypto_from_settings() -> WXBizMsgCrypt:
    try:
        return WXBizMsgCrypt(settings.WECOM_TOKEN, settings.WECOM_ENCODING_AES_KEY, settings.WECOM_CORP_ID)
    except CryptoError as exc:
        log.error("WeCom callback is not configured (WECOM_TOKEN / WECOM_ENCODING_AES_KEY / WECOM_CORP_ID): %s", exc)
        raise CallbackRefused(503, "callback not configured") from exc


def _refusal(exc: CryptoError) -> CallbackRefused:
    status = 403 if exc.code in (VALIDATE_SIGNATURE_ERROR, VALIDATE_CORPID_ERROR) else 400
    return CallbackRefused(status, f"crypto error {exc.code}")


def callback_verify(*, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
    """GET URL verification: the plaintext echostr (to be answered as the raw body)."""
    if not (msg_signature and timestamp and nonce and echostr):
        raise CallbackRefused(400, "missing parameters")
    # WeCom's echostr is base64; a "+" that arrived unescaped was decoded as a space.
    echostr = echostr.replace(" ", "+")
    try:
        return crypto_from_settings().verify_url(msg_signature, timestamp, nonce, echostr)
    except CryptoError as exc:
        raise _refusal(exc) from exc


_TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")


def _check_fresh(timestamp: str) -> None:
    """Refuse an envelope whose (signed) timestamp is further than WECOM_CALLBACK_MAX_AGE_SECONDS from now.

    WeCom stamps every delivery (retries included) with the time it sends; an old one is a replay.
    """
    if not _TIMESTAMP_RE.fullmatch(timestamp):
        raise CallbackRefused(400, "bad timestamp")
    age = abs(timezone.now().timestamp() - int(timestamp))
    if age > settings.WECOM_CALLBACK_MAX_AGE_SECONDS:
        raise CallbackRefused(403, "stale timestamp")


def callback_receive(*, msg_signature: str, timestamp: str, nonce: str, body: bytes) -> CallbackInbox:
    """Verify, decrypt, parse and store one POSTed event (once). Raises CallbackRefused on anything invalid.

    In this order, each step refusing before the next costs anything: parameters present, body size
    (WECOM_CALLBACK_MAX_BYTES), the flat envelope parsed with depth and size limits, the signature over <Encrypt>,
    the timestamp's freshness (WECOM_CALLBACK_MAX_AGE_SECONDS), decryption and receiveid, the event XML (same
    limits), the event schema, the corp id. A refusal stores nothing.
    """
    if not (msg_signature and timestamp and nonce):
        raise CallbackRefused(400, "missing parameters")
    if len(body) > settings.WECOM_CALLBACK_MAX_BYTES:
        raise CallbackRefused(413, "body too large")
    crypto = crypto_from_settings()
    try:
        encrypt = crypto.verify_msg(msg_signature, timestamp, nonce, body)
    except CryptoError as exc:
        raise _refusal(exc) from exc
    _check_fresh(timestamp)
    try:
        plaintext = crypto.decrypt(encrypt)
        fields = parse_xml(plaintext, max_bytes=settings.WECOM_CALLBACK_MAX_BYTES)
    except CryptoError as exc:
        raise _refusal(exc) from exc
    try:
        event = parse_event(fields)
    except (ValidationError, ValueError) as exc:
        raise CallbackRefused(400, f"malformed event: {exc}") from exc
    if event.ToUserName != settings.WECOM_CORP_ID:
        raise CallbackRefused(403, "event for another corp")
    key = hashlib.sha256(plaintext.encode("utf-8")).hexdigest()
    with transaction.atomic():
        row = CallbackInbox.objects.filter(event_key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = CallbackInbox.objects.create(
                        event_key=key,
                        event=event.Event[:64],
                        change_type=event.ChangeType[:64],
                        create_time=event.CreateTime,
                        payload=event.model_dump(),
                        raw_xml=plaintext,
                    )
            except IntegrityError:  # the same event arrived concurrently
                row = CallbackInbox.objects.get(event_key=key)
                CallbackInbox.objects.filter(pk=row.pk).update(replays=F("replays") + 1)
        else:
            CallbackInbox.objects.filter(pk=row.pk).update(replays=F("replays") + 1)
        if row.processed_at is None and row.attempts < MAX_PROCESS_ATTEMPTS:
            transaction.on_commit(lambda: _schedule(row.pk))
    return row


def _schedule(inbox_id: int) -> None:
    from .tasks import callback_process_task

    callback_process_task.delay(inbox_id)


# --- processing ---------------------------------------------------------------------------------


def callback_process(inbox_id: int, *, client_factory: Any = None) -> str:
    """Apply one stored event (once). Returns "processed", "ignored", "failed" or "skipped" (already done)."""
    claimed = CallbackInbox.objects.filter(pk=inbox_id, processed_at=None).update(attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    row = CallbackInbox.objects.get(pk=inbox_id)
    from .sync import default_client_factory

    clients = _Clients(client_factory or default_client_factory)
    try:
        event = parse_event(row.payload)
        outcome = _dispatch(event, clients)
    except Exception as exc:
        log.exception("WeCom callback #%s (%s/%s) failed", row.pk, row.event, row.change_type)
        CallbackInbox.objects.filter(pk=row.pk).update(error=f"{type(exc).__name__}: {exc}"[:4000])
        return "failed"
    finally:
        clients.close()
    CallbackInbox.objects.filter(pk=row.pk).update(
        processed_at=timezone.now(), error="" if outcome == "processed" else outcome
    )
    return "processed" if outcome == "processed" else "ignored"


def callback_retry_unprocessed(*, limit: int = 500, client_factory: Any = None) -> dict[str, int]:
    """Process stored events that failed or were never processed (bounded attempts)."""
    counts: dict[str, int] = {}
    ids = CallbackInbox.objects.filter(processed_at=None, attempts__lt=MAX_PROCESS_ATTEMPTS).order_by("id")
    for pk in list(ids.values_list("pk", flat=True)[:limit]):
        outcome = callback_process(pk, client_factory=client_factory)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


class _Clients:
    def __init__(self, factory: Any) -> None:
        self.factory = factory
        self.made: dict[str, Any] = {}

    def __call__(self, kind: str) -> Any:
        if kind not in self.made:
            self.made[kind] = self.factory(kind)
        return self.made[kind]

    def close(self) -> None:
        for client in self.made.values():
            close = getattr(client, "close", None)
            if close is not None:
                close()


def _dispatch(event: _Event, clients: _Clients) -> str:
    if isinstance(event, ContactUserEvent | ContactPartyEvent):
        return _on_contact(event, clients)
    if isinstance(event, ExternalContactEvent):
        return _on_external_contact(event, clients)
    if isinstance(event, ExternalChatEvent):
        return _on_external_chat(event, clients)
    if isinstance(event, ExternalTagEvent):
        return _on_external_tag(event, clients)
    if isinstance(event, MsgAuditNotifyEvent):
        return _on_msgaudit_notify()
    return f"ignored: {event.Event}/{event.ChangeType} is not handled"


def _on_contact(event: ContactUserEvent | ContactPartyEvent, clients: _Clients) -> str:
    from .sync import sync_contacts

    if isinstance(event, ContactUserEvent) and event.ChangeType == "update_user" and event.NewUserID:
        _rename_userid(event.UserID, event.NewUserID)
    sync_contacts(clients("contact"))
    if isinstance(event, ContactUserEvent) and event.ChangeType in ("create_user", "update_user"):
        from .profiles import profile_check_mark_due

        # the event never carries the external profile (API.md §15.2): look at the member's profile soon
        profile_check_mark_due(event.NewUserID or event.UserID)
    return "processed"


def _rename_userid(old: str, new: str) -> None:
    with transaction.atomic():
        member = Member.objects.filter(wecom_userid=old).first()
        if member is None or Member.objects.filter(wecom_userid=new).exists():
            return
        member_unbind_wecom(actor=None, member=member, reason=f"WeCom userid changed to {new}")
        member_bind_wecom(actor=None, member=member, wecom_userid=new)


def refresh_customer(client: Any, external_userid: str) -> dict[str, int]:
    """Refetch one customer with all its followers and store it like the sync does."""
    from .sync import customer_data, follow_data, sync_tags

    response = client.externalcontact_get_all(external_userid)
    tag_ids = {t.tag_id for f in response.follow_user for t in f.tags if t.tag_id and t.type == 1}
    if tag_ids - set(Tag.objects.filter(wecom_id__in=tag_ids).values_list("wecom_id", flat=True)):
        sync_tags(client)  # a tag we have not seen yet
    follows = [
        follow_data(external_userid, f, [t.tag_id for t in f.tags if t.tag_id and t.type == 1])
        for f in response.follow_user
    ]
    return customers_apply(
        customers=[customer_data(response.external_contact)],
        follows=follows,
        complete_external_userids=[external_userid],
    )


def _on_external_contact(event: ExternalContactEvent, clients: _Clients) -> str:
    from .client import WeComNotFound

    change, userid, external_userid = event.ChangeType, event.UserID, event.ExternalUserID
    if change in ("add_external_contact", "edit_external_contact", "add_half_external_contact"):
        try:
            refresh_customer(clients("customer"), external_userid)
        except WeComNotFound:
            return f"ignored: {external_userid} is not visible (half relation or already gone)"
        return "processed"
    if change == "del_external_contact":
        reason = FollowEnd.BY_TRANSFER if event.Source == "DELETE_BY_TRANSFER" else FollowEnd.BY_MEMBER
        follow_end(external_userid=external_userid, userid=userid, reason=reason)
    elif change == "del_follow_user":
        follow_end(external_userid=external_userid, userid=userid, reason=FollowEnd.BY_CUSTOMER)
    elif change == "transfer_fail":
        follow_transfer_failed(external_userid=external_userid, userid=userid, reason=event.FailReason)
        transfer_fail_reported(external_userid=external_userid, userid=userid, fail_reason=event.FailReason)
    elif change == "msg_audit_approved":
        at = dt.datetime.fromtimestamp(event.CreateTime, tz=dt.UTC)
        follow_archive_agree(external_userid=external_userid, userid=userid, at=at)
    return "processed"


def refresh_group(client: Any, chat_id: str) -> dict[str, int]:
    from .sync import group_data

    detail = client.groupchat_get(chat_id, need_name=True).group_chat
    counts = groups_apply(groups=[group_data(detail)])
    conventions_check_chats(chat_ids=[chat_id])
    return counts


def _on_external_chat(event: ExternalChatEvent, clients: _Clients) -> str:
    if event.ChangeType == "dismiss":
        group_dismiss(chat_id=event.ChatId)
        conventions_check_chats(chat_ids=[event.ChatId])  # a dismissed group's issues are resolved
        return "processed"
    refresh_group(clients("customer"), event.ChatId)
    if event.UpdateDetail in ("add_member", "del_member"):
        bans_check_chat(chat_id=event.ChatId)  # a banned person re-joining alerts the owner and the decider
    return "processed"


def _on_external_tag(event: ExternalTagEvent, clients: _Clients) -> str:
    from .sync import sync_tags, tag_groups_from

    client = clients("customer")
    if event.ChangeType == "shuffle":
        sync_tags(client)
    elif event.ChangeType == "delete":
        tag_mark_deleted(wecom_id=event.Id, is_group=event.TagType == "tag_group")
    elif event.TagType == "tag_group":
        tags_apply(groups=tag_groups_from(client.get_corp_tag_list(group_id=[event.Id])), complete=False)
    else:
        tags_apply(groups=tag_groups_from(client.get_corp_tag_list(tag_id=[event.Id])), complete=False)
    return "processed"


def _on_msgaudit_notify() -> str:
    """New chat archive data: tell whoever ingests the archive (compliance subscribes in its ready())."""
    if not subscribers(MSGAUDIT_NOTIFY_EVENT):
        return "ignored: no archive ingestion installed"
    publish(MSGAUDIT_NOTIFY_EVENT)
    return "processed"


__all__ = ["SYNC_ACTOR", "CallbackRefused", "callback_process", "callback_receive", "callback_verify", "parse_event"]
