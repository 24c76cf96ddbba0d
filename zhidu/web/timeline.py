"""Customer timeline sources: apps above customers (compliance: archived chats) show what they know about a
customer on the customer page without customers importing them.

    # compliance/apps.py, in ready()
    register_timeline_source("chats", recent_chats)

A source is called as `source(viewer=member, external_userid="wm…", member_userids=["zhangsan", …],
limit=50)` and returns at most `limit` `TimelineEntry`s, newest first, read through the viewer's scope in one
bounded query. `member_userids` are the WeCom userids of the customer's followers the viewer may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from zhidu.org.models import Member


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    source: str
    member_name: str
    from_customer: bool
    kind: str
    text: str


TimelineSource = Callable[..., Sequence[TimelineEntry]]
_sources: dict[str, TimelineSource] = {}


def register_timeline_source(name: str, source: TimelineSource) -> None:
    _sources[name] = source


def unregister_timeline_source(name: str) -> None:
    _sources.pop(name, None)


def timeline_sources() -> list[str]:
    return list(_sources)


def customer_timeline(
    *, viewer: Member, external_userid: str, member_userids: Sequence[str], limit: int
) -> list[TimelineEntry]:
    """Entries of every source, newest first, at most `limit` in all."""
    entries: list[Any] = []
    userids = [u for u in member_userids if u]
    for source in _sources.values():
        entries.extend(
            source(viewer=viewer, external_userid=external_userid, member_userids=userids, limit=limit)[:limit]
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
