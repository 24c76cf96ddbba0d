"""WeCom error codes and the typed errors the client raises (never parse ``errmsg``)."""

from __future__ import annotations

from typing import Any

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
