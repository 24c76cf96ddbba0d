"""Reads of core records for pages: the member's notification inbox."""

from __future__ import annotations

from typing import Any

from django.utils.http import url_has_allowed_host_and_scheme

from .models import Notification

INBOX_PAGE_SIZE = 30  # notifications per inbox page
UNREAD_BADGE_MAX = 99  # the navigation badge counts this many unread at most, then shows "99+"


def notification_page(member: Any, *, before: int | None = None) -> tuple[list[Notification], int | None]:
    """The member's notifications newest first, at most INBOX_PAGE_SIZE with an id below `before`, and the
    `before` of the next page (None on the last one). One query, paged by key: no OFFSET, no COUNT."""
    qs = Notification.objects.visible_to(member).order_by("-id")
    if before is not None:
        qs = qs.filter(id__lt=before)
    rows = list(qs[: INBOX_PAGE_SIZE + 1])
    if len(rows) > INBOX_PAGE_SIZE:
        rows = rows[:INBOX_PAGE_SIZE]
        return rows, rows[-1].pk
    return rows, None


def notification_unread_count(member: Any) -> int:
    """How many of the member's notifications are unread, counted up to UNREAD_BADGE_MAX + 1 (one bounded query)."""
    qs = Notification.objects.visible_to(member).filter(read_at__isnull=True).order_by()
    return qs[: UNREAD_BADGE_MAX + 1].count()


def safe_link(url: str) -> str | None:
    """`url` when it is a path inside zhidu (one leading "/", no scheme, host, space or control character),
    else None: an external or `javascript:` address is never rendered as a link nor followed."""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return None
    return url
