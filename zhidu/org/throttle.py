"""Brute-force protection: failure counters in the Django cache (Redis, file or local memory).

Login is throttled per account and per client address: after `LOGIN_FAILURES_PER_ACCOUNT` failures for a
login name, or `LOGIN_FAILURES_PER_ADDRESS` failures from one address, further attempts are refused for
`LOGIN_LOCKOUT_SECONDS` (counted from the last failure) without checking the password, so a locked-out
caller learns nothing about it. Anonymous writes (membership applications) are limited per address to
`APPLICATION_RATE_LIMIT` per `APPLICATION_RATE_WINDOW` seconds.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_noop

ERR_LOCKED = gettext_noop("Too many failed sign-in attempts. Please try again in {minutes} minutes.")
ERR_RATE_LIMITED = gettext_noop("Too many requests from your network. Please try again later.")


def client_address(request: HttpRequest | None) -> str:
    """The caller's address: REMOTE_ADDR, or the header named by `CLIENT_IP_HEADER` behind a proxy."""
    if request is None:
        return ""
    meta = request.META
    header = settings.CLIENT_IP_HEADER
    if header and meta.get(header):
        # X-Forwarded-For style lists: the last entry is the one our own proxy appended.
        return str(meta[header]).split(",")[-1].strip()
    return str(meta.get("REMOTE_ADDR", ""))


def _key(kind: str, value: str) -> str:
    return f"throttle:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _bump(key: str, timeout: int) -> int:
    """Add one failure; the window restarts at every failure. Atomic on Redis (INCR)."""
    if cache.add(key, 1, timeout):
        return 1
    try:
        value = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1
    cache.touch(key, timeout)  # the file cache's incr rewrites the entry with the default timeout
    return int(value)


def _login_keys(username: str, address: str) -> list[tuple[str, int]]:
    keys = [(_key("login-account", username.strip().casefold()), settings.LOGIN_FAILURES_PER_ACCOUNT)]
    if address:
        keys.append((_key("login-address", address), settings.LOGIN_FAILURES_PER_ADDRESS))
    return keys


def login_locked(username: str, address: str) -> bool:
    return any(_count(key) >= limit for key, limit in _login_keys(username, address))


def login_failed(username: str, address: str) -> None:
    for key, _limit in _login_keys(username, address):
        _bump(key, settings.LOGIN_LOCKOUT_SECONDS)


def login_succeeded(username: str) -> None:
    """A right password (while not locked) clears the account's counter, not the address's."""
    cache.delete(_key("login-account", username.strip().casefold()))


def lockout_minutes() -> int:
    return max(1, -(-settings.LOGIN_LOCKOUT_SECONDS // 60))


def application_allowed(request: HttpRequest) -> bool:
    """Count one anonymous application from this address; False once over the limit."""
    key = _key("application-address", client_address(request))
    if _count(key) >= settings.APPLICATION_RATE_LIMIT:
        return False
    _bump(key, settings.APPLICATION_RATE_WINDOW)
    return True
