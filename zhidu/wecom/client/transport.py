"""The client's transport: one (corpid, secret) pair's token cache, retries, back-off and typed errors.
The API areas (contacts, customers, messages, archive) build on `WeComTransport`."""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Protocol, Self, TypeVar

import httpx
from pydantic import BaseModel

from zhidu.wecom import schemas as s

from .errors import (
    RETRY_CODES,
    TOKEN_CODES,
    TOKEN_CODES_NON_GETTOKEN,
    TRANSPORT_ERROR,
    WeComTransportError,
    error_for,
)

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"


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


class WeComTransport:
    """Token handling and the HTTP exchange shared by every API area of `WeComClient`."""

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

    def __enter__(self) -> Self:
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
