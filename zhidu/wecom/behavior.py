"""WeCom's own reply statistics (`externalcontact/get_user_behavior_data`): fetched per member for the last
WECOM_BEHAVIOR_DAYS days by a periodic task and stored per member and day (`BehaviorDay`); the reply dashboard reads
the table, never WeCom."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhidu.core.audit import audit_record
from zhidu.org.models import SALES_ROLES, Member, MemberStatus

from .client.errors import WeComError
from .models import BehaviorDay

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_DAYS = 30  # the API's longest range


def _day_start(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).timestamp())


def behavior_sync(*, client: Any = None, days: int | None = None, today: dt.date | None = None) -> dict[str, int]:
    """Fetch and store WeCom's behaviour data of every active salesperson with a WeCom account, one call per
    member for [today - days, yesterday]. Members WeCom refuses (no customer-contact licence) are counted."""
    if client is None:
        from .sync import default_client_factory

        client = default_client_factory("customer")
    days = max(1, min(days or settings.WECOM_BEHAVIOR_DAYS, MAX_DAYS))
    today = today or timezone.now().astimezone(SHANGHAI).date()
    start, end = _day_start(today - dt.timedelta(days=days)), _day_start(today - dt.timedelta(days=1))
    members = list(
        Member.objects.filter(status=MemberStatus.ACTIVE, role__in=SALES_ROLES)
        .exclude(wecom_userid=None)
        .exclude(wecom_userid="")
        .values_list("pk", "wecom_userid")
    )
    now = timezone.now()
    rows: list[BehaviorDay] = []
    failed = 0
    for pk, userid in members:
        try:
            answer = client.get_user_behavior_data([userid], start_time=start, end_time=end)
        except WeComError as exc:
            failed += 1
            log.warning("behaviour data of %s unavailable: %s", userid, exc)
            continue
        for d in answer.behavior_data:
            rows.append(
                BehaviorDay(
                    member_id=pk,
                    day=dt.datetime.fromtimestamp(d.stat_time, tz=SHANGHAI).date(),
                    chat_cnt=d.chat_cnt,
                    message_cnt=d.message_cnt,
                    reply_percentage=d.reply_percentage,
                    avg_reply_time=d.avg_reply_time,
                    negative_feedback_cnt=d.negative_feedback_cnt,
                    new_apply_cnt=d.new_apply_cnt,
                    new_contact_cnt=d.new_contact_cnt,
                    fetched_at=now,
                )
            )
    fields = [
        "chat_cnt", "message_cnt", "reply_percentage", "avg_reply_time", "negative_feedback_cnt", "new_apply_cnt",
        "new_contact_cnt", "fetched_at",
    ]  # fmt: skip
    with transaction.atomic():
        BehaviorDay.objects.bulk_create(
            rows, batch_size=500, update_conflicts=True, unique_fields=["member", "day"], update_fields=fields
        )
        audit_record(
            actor=None,
            actor_label="wecom",
            verb="wecom.behavior_sync",
            target_type="wecom.behaviorday",
            after={"members": len(members), "rows": len(rows), "failed": failed, "days": days},
        )
    return {"members": len(members), "rows": len(rows), "failed": failed}
