"""Callback events (API.md §5.6/§5.7) and the pusher that delivers them with real crypto (§5.2/§5.3).

Every state change in the simulator calls one of the `*_event` builders, which hands an ordered dict of
the plaintext event fields to `SimState.emit`. The `CallbackPusher` (one thread, in order) encrypts it
with WXBizMsgCrypt, signs it, POSTs it to the configured URL and retries on failure.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from zhidu.wecom.crypto import WXBizMsgCrypt, build_xml

log = logging.getLogger(__name__)


def header(corp_id: str, now: int, event: str) -> dict[str, Any]:
    return {"ToUserName": corp_id, "FromUserName": "sys", "CreateTime": now, "MsgType": "event", "Event": event}


def external_contact_event(corp_id: str, now: int, change_type: str, userid: str, external_userid: str, **extra: Any):
    """change_external_contact: add/edit/del_external_contact, del_follow_user, add_half_external_contact,
    transfer_fail (FailReason first), msg_audit_approved."""
    fields = header(corp_id, now, "change_external_contact")
    fields["ChangeType"] = change_type
    if change_type == "transfer_fail":
        fields["FailReason"] = extra.pop("FailReason", "customer_refused")
    fields["UserID"] = userid
    fields["ExternalUserID"] = external_userid
    for key in ("State", "WelcomeCode", "Source"):
        if extra.get(key):
            fields[key] = extra[key]
    return fields


def external_chat_event(corp_id: str, now: int, change_type: str, chat_id: str, **extra: Any) -> dict[str, Any]:
    """change_external_chat: create / update (UpdateDetail …) / dismiss. ChatId precedes ChangeType."""
    fields = header(corp_id, now, "change_external_chat")
    fields["ChatId"] = chat_id
    fields["ChangeType"] = change_type
    for key in ("UpdateDetail", "JoinScene", "QuitScene", "MemChangeCnt", "MemChangeList", "LastMemVer", "CurMemVer"):
        if key in extra and extra[key] is not None:
            fields[key] = extra[key]
    return fields


def external_tag_event(corp_id: str, now: int, change_type: str, tag_id: str, tag_type: str) -> dict[str, Any]:
    fields = header(corp_id, now, "change_external_tag")
    fields["Id"] = tag_id
    fields["TagType"] = tag_type
    fields["ChangeType"] = change_type
    return fields


def contact_event(corp_id: str, now: int, change_type: str, **extra: Any) -> dict[str, Any]:
    """change_contact: create_user/update_user/delete_user/create_party/update_party/delete_party."""
    fields = header(corp_id, now, "change_contact")
    fields["ChangeType"] = change_type
    fields.update({k: v for k, v in extra.items() if v is not None})
    return fields


def msgaudit_notify_event(corp_id: str, now: int, agent_id: int) -> dict[str, Any]:
    fields = {"ToUserName": corp_id, "FromUserName": "sys", "CreateTime": now, "MsgType": "event"}
    fields["AgentID"] = agent_id
    fields["Event"] = "msgaudit_notify"
    return fields


@dataclass
class Delivery:
    id: int
    fields: dict[str, Any]
    xml: str
    status: str = "pending"  # pending | delivered | failed | recorded (no callback URL)
    attempts: int = 0
    http_status: int = 0
    error: str = ""
    done: threading.Event = field(default_factory=threading.Event)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event": self.fields.get("Event"),
            "change_type": self.fields.get("ChangeType", ""),
            "fields": self.fields,
            "status": self.status,
            "attempts": self.attempts,
            "http_status": self.http_status,
            "error": self.error,
        }


class CallbackPusher:
    """Delivers events in order on one thread. Without a URL, events are only recorded."""

    def __init__(
        self,
        *,
        corp_id: str,
        url: str | None,
        token: str,
        encoding_aes_key: str,
        agent_id: int,
        config: Any,
    ) -> None:
        self.url = url
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.config = config
        self.crypto = WXBizMsgCrypt(token, encoding_aes_key, corp_id)
        self.log: list[Delivery] = []
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._http = httpx.Client(timeout=config.callback_timeout)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="wecom-sim-callbacks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None
        self._http.close()

    def emit(self, fields: dict[str, Any]) -> Delivery:
        xml = build_xml(fields)
        with self._lock:
            delivery = Delivery(id=len(self.log) + 1, fields=fields, xml=xml)
            self.log.append(delivery)
        if not self.url:
            delivery.status = "recorded"
            delivery.done.set()
        else:
            self._queue.put(delivery)
        return delivery

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every event emitted so far is delivered or failed."""
        deadline = time.monotonic() + timeout
        return all(d.done.wait(max(0.0, deadline - time.monotonic())) for d in list(self.log))

    def verify_url(self) -> bool:
        """The GET handshake (§5.1): send an encrypted echostr, expect its plaintext back."""
        if not self.url:
            return False
        plain = str(secrets.randbelow(10**19))
        echostr = self.crypto.encrypt(plain)
        timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
        params = {"msg_signature": self.crypto.signature(timestamp, nonce, echostr), "timestamp": timestamp}
        params.update({"nonce": nonce, "echostr": echostr})
        try:
            response = self._http.get(self.url, params=params)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and response.text == plain

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            if delivery is None:
                return
            try:
                self._deliver(delivery)
            finally:
                delivery.done.set()

    def _deliver(self, delivery: Delivery) -> None:
        assert self.url
        tries = max(1, int(self.config.callback_retries))
        for attempt in range(1, tries + 1):
            delivery.attempts = attempt
            timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
            body, signature = self.crypto.encrypt_callback(
                delivery.xml, nonce=nonce, timestamp=timestamp, agent_id=str(self.agent_id)
            )
            try:
                response = self._http.post(
                    self.url,
                    params={"msg_signature": signature, "timestamp": timestamp, "nonce": nonce},
                    content=body.encode("utf-8"),
                    headers={"Content-Type": "text/xml; charset=utf-8"},
                )
                delivery.http_status = response.status_code
                if response.status_code == 200:
                    delivery.status = "delivered"
                    delivery.error = ""
                    return
                delivery.error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                delivery.error = f"{type(exc).__name__}: {exc}"
            if attempt < tries:
                time.sleep(float(self.config.callback_retry_delay))
        delivery.status = "failed"
        log.warning("wecom-sim: callback %s failed after %s tries: %s", delivery.id, tries, delivery.error)
