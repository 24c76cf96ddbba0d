"""iCalendar (RFC 5545) output of meetings and sessions: CRLF line ends, content lines folded at 75 octets without
splitting a UTF-8 character, TEXT values escaped (backslash, comma, semicolon, newline), times in UTC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .meetings_selectors import FeedItem

CRLF = "\r\n"
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash first, then `;` `,` and line breaks."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets (continuations start with one space, which counts)."""
    out: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = "", 0, LINE_OCTETS - 1
        current += ch
        size += n
    out.append(current)
    return (CRLF + " ").join(out)


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(item: FeedItem, stamp: dt.datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{item.uid}",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(item.starts_at)}",
        f"DTEND:{utc(item.ends_at)}",
        f"SUMMARY:{escape_text(item.title)}",
        f"LAST-MODIFIED:{utc(item.updated_at)}",
        f"STATUS:{'CANCELLED' if item.cancelled else 'CONFIRMED'}",
    ]
    if item.description:
        lines.append(f"DESCRIPTION:{escape_text(item.description)}")
    if item.location:
        lines.append(f"LOCATION:{escape_text(item.location)}")
    if item.url:
        lines.append(f"URL:{item.url}")
    lines.append("END:VEVENT")
    return lines


def calendar(items: Iterable[FeedItem], *, name: str, now: dt.datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//zhidu//meetings//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for item in items:
        lines += _event(item, now)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
