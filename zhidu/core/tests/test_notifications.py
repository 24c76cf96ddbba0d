"""Core notifications: queued in the caller's transaction, one per member, deduplicated; WeCom queues them in its
outbox (batched userids) and never sends them from the process that notified."""

from __future__ import annotations

import pytest
from django.db import transaction

from zhidu.core.models import Notification
from zhidu.core.notifications import channels, notify
from zhidu.wecom import notify as wecom_notify
from zhidu.wecom.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


def test_wecom_is_a_registered_channel():  # type: ignore[no-untyped-def]
    assert "wecom" in channels()


def test_rollback_queues_nothing(actors):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError), transaction.atomic():
        notify(member_ids=[actors.sales.pk], title="t", body="b", url="/x/")
        raise ValueError
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()


def test_one_row_per_member_and_one_pending_outbox_message(actors, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    settings.ZHIDU_BASE_URL = "https://zhidu.example"
    members = [actors.sales, actors.sales_b, actors.sales]  # a repeated id is notified once
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            member_ids=[m.pk for m in members], title="提醒", body="请查看", url="/compliance/", action="处理"
        )
    assert sorted(n.recipient_id for n in rows) == sorted([actors.sales.pk, actors.sales_b.pk])
    (message,) = OutboxMessage.objects.all()
    assert sorted(message.to_userids) == sorted([actors.sales.wecom_userid, actors.sales_b.wecom_userid])
    assert message.msgtype == "textcard"
    assert message.content == {
        "title": "提醒",
        "description": "请查看",
        "url": "https://zhidu.example/compliance/",
        "btntxt": "处理",
    }
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)  # the outbox worker sends it


def test_without_a_base_url_or_body_wecom_gets_plain_text(actors, settings):  # type: ignore[no-untyped-def]
    settings.ZHIDU_BASE_URL = ""
    notify(member_ids=[actors.sales.pk], title="提醒", body="请查看", url="/compliance/")
    assert OutboxMessage.objects.get().content == {"content": "提醒\n请查看\n/compliance/"}


def test_dedupe_key_notifies_each_member_once(actors):  # type: ignore[no-untyped-def]
    assert len(notify(member_ids=[actors.sales.pk], title="t", body="b", dedupe_key="k1")) == 1
    assert notify(member_ids=[actors.sales.pk], title="t", body="b", dedupe_key="k1") == []
    assert len(notify(member_ids=[actors.sales.pk, actors.sales_b.pk], title="t", body="b", dedupe_key="k1")) == 1
    assert Notification.objects.filter(dedupe_key="k1").count() == 2
    assert [m.to_userids for m in OutboxMessage.objects.order_by("id")] == [
        [actors.sales.wecom_userid],
        [actors.sales_b.wecom_userid],
    ]


def test_members_without_wecom_are_notified_in_app_only(actors):  # type: ignore[no-untyped-def]
    actors.sales.wecom_userid = None
    actors.sales.save()
    assert len(notify(member_ids=[actors.sales.pk], title="t", body="b")) == 1
    assert not OutboxMessage.objects.exists()


def test_wecom_batches_userids(actors, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(wecom_notify, "APP_MAX_RECIPIENTS", 2)
    notify(member_ids=[actors.sales.pk, actors.sales_b.pk, actors.outsider.pk], title="t", body="b")
    assert [len(m.to_userids) for m in OutboxMessage.objects.order_by("id")] == [2, 1]


def test_members_see_only_their_own(actors):  # type: ignore[no-untyped-def]
    notify(member_ids=[actors.sales.pk, actors.sales_b.pk], title="t")
    assert [n.recipient for n in Notification.objects.visible_to(actors.sales)] == [actors.sales]
    assert not Notification.objects.visible_to(None).exists()
