"""WeCom's reply statistics fetched from the simulator over HTTP and stored per member and day."""

from __future__ import annotations

import datetime as dt

import pytest

from zhidu.core.models import AuditEvent
from zhidu.org.models import Member
from zhidu.wecom.behavior import SHANGHAI, _day_start, behavior_sync
from zhidu.wecom.models import BehaviorDay
from zhidu.wecom.sync import sync_all

pytestmark = pytest.mark.django_db


def test_behavior_sync_stores_what_wecom_reports(wecom_sim, wecom_settings, wecom_client):  # type: ignore[no-untyped-def]
    sync_all(what=["contacts"])
    today = dt.datetime.now(SHANGHAI).date()
    report = behavior_sync(client=wecom_client, days=3, today=today)
    assert report["members"] > 0 and report["failed"] == 0
    assert BehaviorDay.objects.count() == report["rows"] == report["members"] * 3
    member = Member.objects.get(pk=BehaviorDay.objects.values_list("member_id", flat=True).first())
    direct = wecom_client.get_user_behavior_data(
        [member.wecom_userid],
        start_time=_day_start(today - dt.timedelta(days=3)),
        end_time=_day_start(today - dt.timedelta(days=1)),
    )
    stored = {
        (b.day, b.chat_cnt, b.message_cnt, b.reply_percentage, b.avg_reply_time)
        for b in BehaviorDay.objects.filter(member=member)
    }
    assert stored == {
        (
            dt.datetime.fromtimestamp(d.stat_time, tz=SHANGHAI).date(),
            d.chat_cnt,
            d.message_cnt,
            d.reply_percentage,
            d.avg_reply_time,
        )
        for d in direct.behavior_data
    }
    # a second run updates in place
    behavior_sync(client=wecom_client, days=3, today=today)
    assert BehaviorDay.objects.count() == report["rows"]
    assert AuditEvent.objects.filter(verb="wecom.behavior_sync").count() == 2
