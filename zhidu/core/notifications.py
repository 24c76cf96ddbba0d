"""Notifications: any app tells members something; channels (WeCom) carry it to them.

    notify(member_ids=[...], title="…", body="…", url="/compliance/violations/7/", action="处理", dedupe_key="v:7")

`notify` writes one `Notification` per recipient in the caller's transaction and hands the new rows to every
registered channel, still in that transaction. A channel only QUEUES (e.g. `wecom` writes outbox rows); delivery
happens later in the outbox worker or the scheduler, never inside the request or an ingestion batch.
Channels register in their app's `AppConfig.ready()` with `register_channel(name, queue)`.

With a `dedupe_key`, a member who already has a notification with that key is not notified again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from django.db import transaction

from .models import Notification

log = logging.getLogger(__name__)

Channel = Callable[[Sequence[Notification]], None]
_channels: dict[str, Channel] = {}


def register_channel(name: str, queue: Channel) -> None:
    """`queue(notifications)` is called in the caller's transaction with the rows of one `notify` call."""
    _channels[name] = queue


def unregister_channel(name: str) -> None:
    _channels.pop(name, None)


def channels() -> list[str]:
    return list(_channels)


def notify(
    *,
    member_ids: Iterable[int],
    title: str,
    body: str = "",
    url: str = "",
    action: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Queue one notification per member (in the caller's transaction). Returns the rows written."""
    ids = list(dict.fromkeys(int(pk) for pk in member_ids))
    key = dedupe_key.strip()[:200]
    if key:
        done = set(
            Notification.objects.filter(dedupe_key=key, recipient_id__in=ids).values_list("recipient_id", flat=True)
        )
        ids = [pk for pk in ids if pk not in done]
    if not ids:
        return []
    with transaction.atomic():
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=pk,
                    title=str(title)[:200],
                    body=str(body),
                    url=url[:500],
                    action=str(action)[:20],
                    dedupe_key=key,
                )
                for pk in ids
            ]
        )
        for name, queue in _channels.items():
            log.debug("notification channel %s: %d rows", name, len(rows))
            queue(rows)
    return rows
