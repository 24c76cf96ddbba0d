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

Layout: `errors` (codes, typed errors), `transport` (token cache, retries: `WeComTransport`), and one
module per API area (`contacts`, `customers`, `messages`, `archive`) that `WeComClient` combines.
"""

from .archive import ArchiveAPI
from .contacts import ContactsAPI
from .customers import CustomersAPI
from .errors import (
    RETRY_CODES,
    TOKEN_CODES,
    TOKEN_CODES_NON_GETTOKEN,
    TRANSIENT_CODES,
    TRANSPORT_ERROR,
    WeComAuthError,
    WeComBusy,
    WeComError,
    WeComInvalidRecipient,
    WeComNoPrivilege,
    WeComNotFound,
    WeComRateLimited,
    WeComRobotError,
    WeComTransportError,
    error_for,
)
from .messages import MessagesAPI
from .transport import DEFAULT_API_BASE, MemoryTokenCache, TokenCache, WeComTransport, token_cache_key


class WeComClient(ContactsAPI, CustomersAPI, MessagesAPI, ArchiveAPI):
    """One (corpid, secret) pair, i.e. one WeCom application's view of the company."""


__all__ = [
    "DEFAULT_API_BASE",
    "RETRY_CODES",
    "TOKEN_CODES",
    "TOKEN_CODES_NON_GETTOKEN",
    "TRANSIENT_CODES",
    "TRANSPORT_ERROR",
    "ArchiveAPI",
    "ContactsAPI",
    "CustomersAPI",
    "MemoryTokenCache",
    "MessagesAPI",
    "TokenCache",
    "WeComAuthError",
    "WeComBusy",
    "WeComClient",
    "WeComError",
    "WeComInvalidRecipient",
    "WeComNoPrivilege",
    "WeComNotFound",
    "WeComRateLimited",
    "WeComRobotError",
    "WeComTransport",
    "WeComTransportError",
    "error_for",
    "token_cache_key",
]
