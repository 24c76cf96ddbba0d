"""WeCom server API client (API.md §1–§7): httpx, typed pydantic responses, shared token cache.

* One access token per (corpid, secret), cached in the Django cache (Redis in production, so every
  process shares it) under ``wecom:token:<corpid>:<sha256(secret)[:32]>``.
* 40014/42001 (and 40001/41001 on calls other than gettoken): drop the token, fetch a new one, retry
  once. Never a loop.
* -1, 45009, 45033 and transport failures: bounded exponential back-off (``max_tries``,
  ``backoff_base``, ``backoff_max``; settings WECOM_MAX_TRIES, WECOM_BACKOFF_BASE, WECOM_BACKOFF_MAX).
* 84061 from ``externalcontact/list`` is an empty list.
* ``errmsg`` is never parsed; every other error raises a `WeComError` (or subclass) carrying the
  errcode, the API path and a request id (generated per call and sent as ``X-Request-Id``; WeCom
  documents no request id of its own).
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel

from zhidu.wecom import schemas as s

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
TRANSPORT_ERROR = -2  # not a WeCom code: the HTTP exchange itself failed (after retries)
TOKEN_CODES = frozenset({40014, 42001})
TOKEN_CODES_NON_GETTOKEN = frozenset({40001, 41001})
RETRY_CODES = frozenset({-1, 45009, 45033})
TRANSIENT_CODES = RETRY_CODES | TOKEN_CODES | {TRANSPORT_ERROR, 41063}


class WeComError(Exception):
    """A WeCom call failed. ``errcode`` is WeCom's code (or TRANSPORT_ERROR); never parse errmsg."""

    def __init__(
        self, errcode: int, api: str, request_id: str, *, errmsg: str = "", payload: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"WeCom {api} failed: errcode {errcode} (request {request_id})")
        self.errcode = errcode
        self.api = api
        self.request_id = request_id
        self.errmsg = errmsg  # kept for logs only
        self.payload = payload or {}

    @property
    def permanent(self) -> bool:
        """True when retrying the same call cannot succeed (bad recipient, bad key, no privilege…)."""
        return self.errcode not in TRANSIENT_CODES


class WeComTransportError(WeComError):
    """Network failure, timeout, 5xx or a non-JSON answer (after the retries)."""


class WeComBusy(WeComError):
    """-1: system busy, still failing after the retries."""


class WeComRateLimited(WeComError):
    """45009 / 45033: frequency or concurrency limit, still failing after the retries."""


class WeComAuthError(WeComError):
    """Credentials or configuration: 40001, 40013, 41001, 40014/42001 twice, 48002, 60020, 84074."""


class WeComNoPrivilege(WeComError):
    """60011: the object is outside the app's visibility."""


class WeComNotFound(WeComError):
    """60111 unknown user, 40003 invalid userid, 40096 invalid external userid, 84061 no relationship."""


class WeComInvalidRecipient(WeComError):
    """81013 / 82001: no valid recipient; ``invaliduser`` lists the rejected userids."""

    @property
    def invaliduser(self) -> list[str]:
        raw = str(self.payload.get("invaliduser") or "")
        return [u for u in raw.split("|") if u]


class WeComRobotError(WeComError):
    """93000 invalid webhook key / robot removed, 93004 robot disabled."""


_ERROR_CLASSES: dict[int, type[WeComError]] = {
    TRANSPORT_ERROR: WeComTransportError,
    -1: WeComBusy,
    45009: WeComRateLimited,
    45033: WeComRateLimited,
    40001: WeComAuthError,
    40013: WeComAuthError,
    40014: WeComAuthError,
    41001: WeComAuthError,
    42001: WeComAuthError,
    48002: WeComAuthError,
    60020: WeComAuthError,
    84074: WeComAuthError,
    60011: WeComNoPrivilege,
    60111: WeComNotFound,
    40003: WeComNotFound,
    40096: WeComNotFound,
    84061: WeComNotFound,
    81013: WeComInvalidRecipient,
    82001: WeComInvalidRecipient,
    93000: WeComRobotError,
    93004: WeComRobotError,
}


def error_for(errcode: int, api: str, request_id: str, payload: dict[str, Any] | None = None) -> WeComError:
    cls = _ERROR_CLASSES.get(errcode, WeComError)
    errmsg = str((payload or {}).get("errmsg", ""))
    return cls(errcode, api, request_id, errmsg=errmsg, payload=payload)


class TokenCache(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...
    def set(self, key: str, value: Any, timeout: float | None = None) -> Any: ...
    def delete(self, key: str) -> Any: ...


class MemoryTokenCache:
    """Process-local cache for use without Django (benchmarks, scripts)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[Any, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            value, expires = self._data.get(key, (default, 0.0))
            if expires and expires < time.monotonic():
                self._data.pop(key, None)
                return default
            return value

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        with self._lock:
            self._data[key] = (value, time.monotonic() + timeout if timeout else 0.0)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


def _django_cache() -> TokenCache:
    try:
        from django.core.cache import cache

        cache.get("wecom:probe")  # raises ImproperlyConfigured outside Django
        return cache
    except Exception:
        return MemoryTokenCache()


def _setting(name: str, default: Any) -> Any:
    try:
        from django.conf import settings

        return getattr(settings, name, default)
    except Exception:
        return default


_fetch_locks: dict[str, threading.Lock] = {}
_fetch_locks_guard = threading.Lock()


def token_cache_key(corp_id: str, secret: str) -> str:
    return f"wecom:token:{corp_id}:{hashlib.sha256(secret.encode('utf-8')).hexdigest()[:32]}"


class WeComClient:
    """One (corpid, secret) pair, i.e. one WeCom application's view of the company."""

    def __init__(
        self,
        corp_id: str,
        secret: str,
        *,
        base_url: str | None = None,
        timeout: float = 10.0,
        agent_id: int | None = None,
        cache: TokenCache | None = None,
        max_tries: int | None = None,
        backoff_base: float | None = None,
        backoff_max: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        http: httpx.Client | None = None,
    ) -> None:
        self.corp_id = corp_id
        self.secret = secret
        self.base_url = (base_url or _setting("WECOM_API_BASE", DEFAULT_API_BASE) or DEFAULT_API_BASE).rstrip("/")
        if self.base_url.endswith("/cgi-bin"):
            self.base_url = self.base_url[: -len("/cgi-bin")]
        self.agent_id = agent_id if agent_id is not None else (_setting("WECOM_AGENT_ID", 0) or None)
        self.cache: TokenCache = cache if cache is not None else _django_cache()
        self.max_tries = max(1, int(max_tries if max_tries is not None else _setting("WECOM_MAX_TRIES", 4)))
        self.backoff_base = float(backoff_base if backoff_base is not None else _setting("WECOM_BACKOFF_BASE", 1.0))
        self.backoff_max = float(backoff_max if backoff_max is not None else _setting("WECOM_BACKOFF_MAX", 30.0))
        self.sleep = sleep
        self._http = http or httpx.Client(timeout=timeout, headers={"User-Agent": "zhidu-wecom/1"})
        self._owns_http = http is None
        self.cache_key = token_cache_key(corp_id, secret)
        with _fetch_locks_guard:
            self._fetch_lock = _fetch_locks.setdefault(self.cache_key, threading.Lock())

    # --- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> WeComClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- token --------------------------------------------------------------------------------

    def get_token(self, *, force: bool = False) -> str:
        """The cached access token, fetched with gettoken when missing (or when ``force``)."""
        if not force:
            token = self.cache.get(self.cache_key)
            if token:
                return str(token)
        with self._fetch_lock:
            if not force:
                token = self.cache.get(self.cache_key)
                if token:
                    return str(token)
            data = self._exchange("GET", "gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret})
            response = s.TokenResponse.model_validate(data)
            ttl = max(1, min(response.expires_in - 120, int(response.expires_in * 0.9)))
            self.cache.set(self.cache_key, response.access_token, timeout=ttl)
            return response.access_token

    def invalidate_token(self, token: str | None = None) -> None:
        """Forget the cached token (only if it is still ``token``, so a fresh one from another process stays)."""
        if token is None or self.cache.get(self.cache_key) == token:
            self.cache.delete(self.cache_key)

    # --- transport ----------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return delay * (0.5 + random.random() / 2)

    def _exchange(
        self,
        method: str,
        api: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        url: str | None = None,
        use_token: bool = False,
        retry_codes: frozenset[int] = RETRY_CODES,
        ok_codes: frozenset[int] = frozenset(),
    ) -> dict[str, Any]:
        """One logical call: token handling, retries, typed errors. Returns the decoded JSON."""
        request_id = uuid.uuid4().hex[:20]
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            query = dict(params or {})
            token = ""
            if use_token:
                token = self.get_token()
                query["access_token"] = token
            target = url or f"{self.base_url}/cgi-bin/{api}"
            try:
                response = self._http.request(
                    method,
                    target,
                    params=query or None,
                    json=json if method == "POST" else None,
                    headers={"X-Request-Id": request_id},
                )
                if response.status_code >= 500:
                    raise httpx.HTTPStatusError("server error", request=response.request, response=response)
                data = response.json()
                if not isinstance(data, dict):
                    raise ValueError("response is not a JSON object")
            except (httpx.HTTPError, ValueError) as exc:
                if attempt < self.max_tries:
                    log.warning("wecom %s transport failure (%s), retrying", api, type(exc).__name__)
                    self.sleep(self._backoff(attempt))
                    continue
                raise WeComTransportError(TRANSPORT_ERROR, api, request_id, errmsg=str(exc)) from exc
            try:
                errcode = int(data.get("errcode", 0) or 0)
            except (TypeError, ValueError):
                errcode = TRANSPORT_ERROR
            if errcode == 0 or errcode in ok_codes:
                return data
            token_codes = TOKEN_CODES | TOKEN_CODES_NON_GETTOKEN if use_token else frozenset()
            if errcode in token_codes and not refreshed:
                log.info("wecom %s: token rejected (%s), refreshing once", api, errcode)
                refreshed = True
                self.invalidate_token(token)
                continue
            if errcode in retry_codes and attempt < self.max_tries:
                log.warning("wecom %s: errcode %s, backing off (attempt %s)", api, errcode, attempt)
                self.sleep(self._backoff(attempt))
                continue
            raise error_for(errcode, api, request_id, data)

    def _get(self, api: str, model: type[M], params: dict[str, Any] | None = None, **kw: Any) -> M:
        return model.model_validate(self._exchange("GET", api, params=params, use_token=True, **kw))

    def _post(self, api: str, model: type[M], body: dict[str, Any], **kw: Any) -> M:
        return model.model_validate(self._exchange("POST", api, json=body, use_token=True, **kw))

    @staticmethod
    def _follow(fetch: Callable[[str], tuple[list[Any], str]]) -> Iterator[Any]:
        cursor = ""
        seen: set[str] = set()
        while True:
            items, next_cursor = fetch(cursor)
            yield from items
            if not next_cursor or next_cursor in seen:
                return
            seen.add(next_cursor)
            cursor = next_cursor

    # --- contacts (§3) ------------------------------------------------------------------------

    def department_list(self, id: int | None = None) -> s.DepartmentListResponse:
        return self._get("department/list", s.DepartmentListResponse, {"id": id} if id is not None else None)

    def user_list(self, department_id: int, fetch_child: bool = True) -> s.UserListResponse:
        params = {"department_id": department_id, "fetch_child": int(fetch_child)}
        return self._get("user/list", s.UserListResponse, params)

    def user_list_id(self, cursor: str = "", limit: int = 10000) -> s.UserListIdResponse:
        return self._post("user/list_id", s.UserListIdResponse, {"cursor": cursor, "limit": limit})

    def iter_user_list_id(self, limit: int = 10000) -> Iterator[s.DeptUser]:
        def page(cursor: str) -> tuple[list[Any], str]:
            r = self.user_list_id(cursor=cursor, limit=limit)
            return r.dept_user, r.next_cursor

        return self._follow(page)

    def user_get(self, userid: str) -> s.UserGetResponse:
        return self._get("user/get", s.UserGetResponse, {"userid": userid})

    # --- customer contact (§4) ----------------------------------------------------------------

    def get_follow_user_list(self) -> s.FollowUserListResponse:
        return self._get("externalcontact/get_follow_user_list", s.FollowUserListResponse)

    def externalcontact_list(self, userid: str) -> s.ExternalContactListResponse:
        """A member's customers; 84061 (no customers) is an empty list."""
        data = self._exchange(
            "GET", "externalcontact/list", params={"userid": userid}, use_token=True, ok_codes=frozenset({84061})
        )
        if int(data.get("errcode", 0)) == 84061:
            return s.ExternalContactListResponse(errcode=0, errmsg="ok", external_userid=[])
        return s.ExternalContactListResponse.model_validate(data)

    def externalcontact_get(self, external_userid: str, cursor: str = "") -> s.ExternalContactGetResponse:
        params = {"external_userid": external_userid}
        if cursor:
            params["cursor"] = cursor
        return self._get("externalcontact/get", s.ExternalContactGetResponse, params)

    def externalcontact_get_all(self, external_userid: str) -> s.ExternalContactGetResponse:
        """externalcontact/get with every follower page merged (customers with >500 followers)."""
        first = self.externalcontact_get(external_userid)
        cursor, seen = first.next_cursor, set()
        while cursor and cursor not in seen:
            seen.add(cursor)
            page = self.externalcontact_get(external_userid, cursor=cursor)
            first.follow_user.extend(page.follow_user)
            cursor = page.next_cursor
        first.next_cursor = ""
        return first

    def batch_get_by_user(
        self, userid_list: Sequence[str], cursor: str = "", limit: int = 100
    ) -> s.BatchGetByUserResponse:
        body = {"userid_list": list(userid_list), "cursor": cursor, "limit": limit}
        return self._post("externalcontact/batch/get_by_user", s.BatchGetByUserResponse, body)

    def iter_batch_get_by_user(self, userid_list: Sequence[str], limit: int = 100) -> Iterator[s.BatchContact]:
        """Every (customer, follower) pair of the given members, 100 members per request."""
        users = list(userid_list)
        for start in range(0, len(users), 100):
            chunk = users[start : start + 100]

            def page(cursor: str, chunk: list[str] = chunk) -> tuple[list[Any], str]:
                r = self.batch_get_by_user(chunk, cursor=cursor, limit=limit)
                return r.external_contact_list, r.next_cursor

            yield from self._follow(page)

    def get_corp_tag_list(
        self, tag_id: Sequence[str] | None = None, group_id: Sequence[str] | None = None
    ) -> s.CorpTagListResponse:
        body: dict[str, Any] = {}
        if tag_id:
            body["tag_id"] = list(tag_id)
        if group_id:
            body["group_id"] = list(group_id)
        return self._post("externalcontact/get_corp_tag_list", s.CorpTagListResponse, body)

    def add_corp_tag(
        self,
        *,
        tags: Sequence[str | dict[str, Any]],
        group_id: str | None = None,
        group_name: str | None = None,
        order: int | None = None,
        agentid: int | None = None,
    ) -> s.AddCorpTagResponse:
        body: dict[str, Any] = {"tag": [t if isinstance(t, dict) else {"name": t} for t in tags]}
        if group_id:
            body["group_id"] = group_id
        if group_name:
            body["group_name"] = group_name
        if order is not None:
            body["order"] = order
        if agentid is not None:
            body["agentid"] = agentid
        return self._post("externalcontact/add_corp_tag", s.AddCorpTagResponse, body)

    def mark_tag(
        self, userid: str, external_userid: str, add_tag: Sequence[str] = (), remove_tag: Sequence[str] = ()
    ) -> s.Envelope:
        body = {
            "userid": userid,
            "external_userid": external_userid,
            "add_tag": list(add_tag),
            "remove_tag": list(remove_tag),
        }
        return self._post("externalcontact/mark_tag", s.Envelope, body)

    def remark(
        self,
        userid: str,
        external_userid: str,
        remark: str | None = None,
        description: str | None = None,
        *,
        remark_company: str | None = None,
        remark_mobiles: Sequence[str] | None = None,
    ) -> s.Envelope:
        body: dict[str, Any] = {"userid": userid, "external_userid": external_userid}
        for key, value in (("remark", remark), ("description", description), ("remark_company", remark_company)):
            if value is not None:
                body[key] = value
        if remark_mobiles is not None:
            body["remark_mobiles"] = list(remark_mobiles)
        return self._post("externalcontact/remark", s.Envelope, body)

    # transfers (§4.8)

    def transfer_customer(
        self,
        handover_userid: str,
        takeover_userid: str,
        external_userid: Sequence[str],
        transfer_success_msg: str | None = None,
    ) -> s.TransferCustomerResponse:
        body: dict[str, Any] = {
            "handover_userid": handover_userid,
            "takeover_userid": takeover_userid,
            "external_userid": list(external_userid),
        }
        if transfer_success_msg:
            body["transfer_success_msg"] = transfer_success_msg
        return self._post("externalcontact/transfer_customer", s.TransferCustomerResponse, body)

    def transfer_result(self, handover_userid: str, takeover_userid: str, cursor: str = "") -> s.TransferResultResponse:
        body = {"handover_userid": handover_userid, "takeover_userid": takeover_userid, "cursor": cursor}
        return self._post("externalcontact/transfer_result", s.TransferResultResponse, body)

    def iter_transfer_result(self, handover_userid: str, takeover_userid: str) -> Iterator[s.TransferResultItem]:
        def page(cursor: str) -> tuple[list[Any], str]:
            r = self.transfer_result(handover_userid, takeover_userid, cursor)
            return r.customer, r.next_cursor

        return self._follow(page)

    def resigned_transfer_customer(
        self, handover_userid: str, takeover_userid: str, external_userid: Sequence[str]
    ) -> s.TransferCustomerResponse:
        body = {
            "handover_userid": handover_userid,
            "takeover_userid": takeover_userid,
            "external_userid": list(external_userid),
        }
        return self._post("externalcontact/resigned/transfer_customer", s.TransferCustomerResponse, body)

    def resigned_transfer_result(
        self, handover_userid: str, takeover_userid: str, cursor: str = ""
    ) -> s.TransferResultResponse:
        body = {"handover_userid": handover_userid, "takeover_userid": takeover_userid, "cursor": cursor}
        return self._post("externalcontact/resigned/transfer_result", s.TransferResultResponse, body)

    def iter_resigned_transfer_result(
        self, handover_userid: str, takeover_userid: str
    ) -> Iterator[s.TransferResultItem]:
        def page(cursor: str) -> tuple[list[Any], str]:
            r = self.resigned_transfer_result(handover_userid, takeover_userid, cursor)
            return r.customer, r.next_cursor

        return self._follow(page)

    def get_unassigned_list(self, cursor: str = "", page_size: int = 1000) -> s.UnassignedListResponse:
        body = {"cursor": cursor, "page_size": page_size}
        return self._post("externalcontact/get_unassigned_list", s.UnassignedListResponse, body)

    def iter_unassigned_list(self, page_size: int = 1000) -> Iterator[s.UnassignedItem]:
        def page(cursor: str) -> tuple[list[Any], str]:
            r = self.get_unassigned_list(cursor=cursor, page_size=page_size)
            return r.info, ("" if r.is_last else r.next_cursor)

        return self._follow(page)

    def groupchat_onjob_transfer(self, chat_id_list: Sequence[str], new_owner: str) -> s.GroupChatTransferResponse:
        body = {"chat_id_list": list(chat_id_list), "new_owner": new_owner}
        return self._post("externalcontact/groupchat/onjob_transfer", s.GroupChatTransferResponse, body)

    def groupchat_transfer(self, chat_id_list: Sequence[str], new_owner: str) -> s.GroupChatTransferResponse:
        body = {"chat_id_list": list(chat_id_list), "new_owner": new_owner}
        return self._post("externalcontact/groupchat/transfer", s.GroupChatTransferResponse, body)

    # group chats (§4.9)

    def groupchat_list(
        self, status_filter: int = 0, owner_userids: Sequence[str] = (), cursor: str = "", limit: int = 1000
    ) -> s.GroupChatListResponse:
        body: dict[str, Any] = {"status_filter": status_filter, "cursor": cursor, "limit": limit}
        if owner_userids:
            body["owner_filter"] = {"userid_list": list(owner_userids)}
        return self._post("externalcontact/groupchat/list", s.GroupChatListResponse, body)

    def iter_groupchat_list(
        self, status_filter: int = 0, owner_userids: Sequence[str] = (), limit: int = 1000
    ) -> Iterator[s.GroupChatListItem]:
        """Every group chat; with owner_userids, 100 owners per request (API limit)."""
        owners = list(owner_userids)
        chunks: list[list[str]] = [owners[i : i + 100] for i in range(0, len(owners), 100)] or [[]]
        for chunk in chunks:

            def page(cursor: str, chunk: list[str] = chunk) -> tuple[list[Any], str]:
                r = self.groupchat_list(status_filter, chunk, cursor, limit)
                return r.group_chat_list, r.next_cursor

            yield from self._follow(page)

    def groupchat_get(self, chat_id: str, need_name: bool = True) -> s.GroupChatGetResponse:
        body = {"chat_id": chat_id, "need_name": int(need_name)}
        return self._post("externalcontact/groupchat/get", s.GroupChatGetResponse, body)

    def get_user_behavior_data(
        self, userid: Sequence[str] = (), *, start_time: int, end_time: int, partyid: Sequence[int] = ()
    ) -> s.BehaviorDataResponse:
        body: dict[str, Any] = {"start_time": int(start_time), "end_time": int(end_time)}
        if userid:
            body["userid"] = list(userid)
        if partyid:
            body["partyid"] = list(partyid)
        return self._post("externalcontact/get_user_behavior_data", s.BehaviorDataResponse, body)

    # --- outbound (§6) ------------------------------------------------------------------------

    def message_send(self, payload: dict[str, Any]) -> s.MessageSendResponse:
        """Application message (text, textcard, markdown…). Adds ``agentid`` when missing.

        Partly invalid recipients come back in ``invaliduser``; all invalid raises WeComInvalidRecipient.
        """
        body = dict(payload)
        if "agentid" not in body and self.agent_id:
            body["agentid"] = self.agent_id
        return self._post("message/send", s.MessageSendResponse, body)

    def robot_send(self, webhook_url_or_key: str, payload: dict[str, Any], *, retry: bool = True) -> s.Envelope:
        """Group robot webhook: a full webhook URL or just its key. No access token."""
        if webhook_url_or_key.startswith(("http://", "https://")):
            url = webhook_url_or_key
        else:
            url = f"{self.base_url}/cgi-bin/webhook/send?{urlencode({'key': webhook_url_or_key})}"
        data = self._exchange(
            "POST", "webhook/send", json=payload, url=url, retry_codes=RETRY_CODES if retry else frozenset()
        )
        return s.Envelope.model_validate(data)

    # --- chat archive (§7) --------------------------------------------------------------------

    def get_permit_user_list(self, type: int | None = None) -> s.PermitUserListResponse:
        body = {"type": type} if type is not None else {}
        return self._post("msgaudit/get_permit_user_list", s.PermitUserListResponse, body)

    def check_single_agree(self, info: Sequence[dict[str, str]]) -> s.CheckSingleAgreeResponse:
        """Archive consent per (userid, external userid); accepts ``external_userid`` or the official
        misspelt ``exteranalopenid`` key; sends at most 99 items per request (≥100 → 301060)."""
        items = [
            {"userid": i["userid"], "exteranalopenid": i.get("exteranalopenid") or i.get("external_userid", "")}
            for i in info
        ]
        out = s.CheckSingleAgreeResponse(errcode=0, errmsg="ok")
        for start in range(0, len(items), 99):
            page = self._post(
                "msgaudit/check_single_agree", s.CheckSingleAgreeResponse, {"info": items[start : start + 99]}
            )
            out.agreeinfo.extend(page.agreeinfo)
        return out

    def get_chat_data(self, seq: int = 0, limit: int = 1000, timeout: int = 5) -> s.ChatDataResponse:
        """SIMULATOR ONLY: the Finance SDK's GetChatData served over HTTP by ``zhidu wecom-sim``
        (``POST /cgi-bin/msgaudit/getchatdata``, archive secret). Real WeCom has no such HTTP API."""
        body = {"seq": int(seq), "limit": int(limit), "timeout": int(timeout)}
        return self._post("msgaudit/getchatdata", s.ChatDataResponse, body)
