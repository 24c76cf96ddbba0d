"""The WeCom notification channel: core notifications become application messages in the outbox.

Registered in `WecomConfig.ready()`. Runs in the notifying caller's transaction and only writes outbox rows
(at most APP_MAX_RECIPIENTS userids each); the outbox worker or the scheduler's `outbox-flush` sends them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from zhidu.core.models import Notification
from zhidu.org.models import Member

from .models import OutboxChannel, OutboxMsgType
from .send import outbox_enqueue

APP_MAX_RECIPIENTS = 1000  # WeCom accepts at most 1000 userids per application message


def queue_notifications(notifications: Sequence[Notification]) -> None:
    """Queue the rows of one `notify` call (same title, body, url) as app messages to their recipients."""
    if not notifications:
        return
    by_member = {n.recipient_id: n for n in notifications}
    userids: list[str] = [
        userid
        for userid in Member.objects.filter(pk__in=by_member)
        .exclude(wecom_userid__isnull=True)
        .exclude(wecom_userid="")
        .order_by("pk")
        .values_list("wecom_userid", flat=True)
        if userid
    ]
    if not userids:
        return
    first = notifications[0]
    base = (getattr(settings, "ZHIDU_BASE_URL", "") or "").rstrip("/")
    url = base + first.url if base and first.url.startswith("/") else first.url
    if url.startswith("http") and first.body:
        msgtype = OutboxMsgType.TEXTCARD
        button = first.action or _button_text()
        content = {"title": first.title, "description": first.body, "url": url, "btntxt": button}
    else:
        msgtype = OutboxMsgType.TEXT
        content = {"content": "\n".join(part for part in (first.title, first.body, url) if part)}
    for index, start in enumerate(range(0, len(userids), APP_MAX_RECIPIENTS)):
        dedupe = f"{first.dedupe_key}-{first.pk}-{index}" if first.dedupe_key else ""
        outbox_enqueue(
            channel=OutboxChannel.APP,
            to_userids=userids[start : start + APP_MAX_RECIPIENTS],
            msgtype=msgtype,
            content=content,
            dedupe_key=dedupe,
        )


def _button_text() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Details")
