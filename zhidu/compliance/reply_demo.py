"""The reply part of the demo (`make run`): with the WeCom simulator configured, pull its chat archive now (the
reply tracker runs in each batch), check reply deadlines, and fetch WeCom's own reply statistics, so the reply
dashboard shows our figures beside WeCom's from the start. Real data through the simulator and our services."""

from __future__ import annotations

import logging

from django.conf import settings

log = logging.getLogger(__name__)


def demo_reply() -> None:
    if not (settings.WECOM_CORP_ID and settings.WECOM_ARCHIVE_SECRET):
        return
    from zhidu.wecom.archive import ArchiveError
    from zhidu.wecom.behavior import behavior_sync
    from zhidu.wecom.client.errors import WeComError

    from .services import archive_pull
    from .services.reply import reply_deadlines_run
    from .tasks import archive_pull_lock

    with archive_pull_lock() as acquired:
        if acquired:
            try:
                report = archive_pull()
                log.info("demo archive pull: %s", report.summary())
            except ArchiveError as exc:
                log.warning("demo archive pull unavailable: %s", exc)
            reply_deadlines_run()
    try:
        behavior_sync()
    except WeComError as exc:
        log.warning("demo: WeCom behaviour data unavailable: %s", exc)
