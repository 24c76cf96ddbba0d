"""Group rules announcements through the group robot webhook: the `groups.rules_announce` event → `webhook/send`."""

from __future__ import annotations

import logging

from django.conf import settings

from zhidu.groups.moderation import rules_announcement_sent, rules_announcement_webhook

log = logging.getLogger(__name__)


def on_rules_announce(*, id: int) -> bool:
    """Handler (subscribed in WecomConfig.ready()). A transient WeCom error raises, so the event is retried with
    back-off; a permanent one (bad or removed robot key) is recorded on the announcement. False: nothing to send."""
    found = rules_announcement_webhook(id)
    if found is None:
        return False
    announcement, webhook = found
    if not settings.WECOM_CORP_ID:
        log.info("WeCom not configured: rules announcement %s stays pending", id)
        return False
    from .client import WeComError
    from .send import default_app_client

    try:
        default_app_client().robot_send(webhook, {"msgtype": "text", "text": {"content": announcement.text}})
    except WeComError as exc:
        if not exc.permanent:
            raise
        rules_announcement_sent(announcement_id=id, error=f"errcode {exc.errcode}")
        return False
    rules_announcement_sent(announcement_id=id)
    return True
