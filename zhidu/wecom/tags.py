"""Tags changed in zhidu go back to WeCom: the `customers.tags_changed` event → `externalcontact/mark_tag`."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings

log = logging.getLogger(__name__)


def on_tags_changed(*, external_userid: str, userid: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> bool:
    """Handler (subscribed in WecomConfig.ready()). A WeCom error raises, so the event is retried with back-off.
    Returns False when there is nothing to send or WeCom is not configured."""
    if not (add or remove) or not userid:
        return False
    if not (settings.WECOM_CORP_ID and (settings.WECOM_CUSTOMER_SECRET or settings.WECOM_APP_SECRET)):
        log.info("WeCom not configured: tags of %s/%s stay in zhidu only", userid, external_userid)
        return False
    from .sync import default_client_factory

    client = default_client_factory("customer")
    try:
        client.mark_tag(userid, external_userid, add_tag=list(add), remove_tag=list(remove))
    finally:
        client.close()
    return True
