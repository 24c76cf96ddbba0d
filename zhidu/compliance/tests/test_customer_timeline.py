"""Archived chats on the customer page (the `zhidu.web.timeline` source compliance registers) and the last-chat
time compliance reports to customers after each archive batch (event `compliance.customer_chats`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhidu.compliance.services import archive_ingest
from zhidu.customers.models import Development
from zhidu.customers.tests.factories import FollowFactory
from zhidu.web.timeline import customer_timeline, timeline_sources
from zhidu.wecom.archive import JsonlFileSource

from .factories import BASE_MS, text_record, write_jsonl

CUSTOMER = "wmTimelineCust01"


@pytest.fixture
def chats(actors, tmp_path, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    follow = FollowFactory(member=actors.sales, customer__external_userid=CUSTOMER, customer__name="永辉生活")
    FollowFactory(member=actors.sales_b, customer=follow.customer)
    s, b = actors.sales.wecom_userid, actors.sales_b.wecom_userid
    records = [
        text_record(s, CUSTOMER, "您好，方案已发您邮箱", msgtime=BASE_MS + 1000),
        text_record(CUSTOMER, s, "收到，周五前答复", msgtime=BASE_MS + 2000),
        text_record(b, CUSTOMER, "我是吴销售，另一条线的报价", msgtime=BASE_MS + 3000),
        text_record(s, "wmSomebodyElse01", "别的客户", msgtime=BASE_MS + 4000),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / "c.jsonl", records)))
    return follow


def test_compliance_registers_the_chat_source():  # type: ignore[no-untyped-def]
    assert "chats" in timeline_sources()


def test_timeline_is_scoped_newest_first_bounded_and_one_query(actors, chats, django_assert_num_queries):  # type: ignore[no-untyped-def]
    userids = [actors.sales.wecom_userid, actors.sales_b.wecom_userid]
    with django_assert_num_queries(1):
        mine = customer_timeline(viewer=actors.sales, external_userid=CUSTOMER, member_userids=userids, limit=50)
    assert [e.text for e in mine] == ["收到，周五前答复", "您好，方案已发您邮箱"]
    assert [e.from_customer for e in mine] == [True, False]
    lead = customer_timeline(viewer=actors.manager, external_userid=CUSTOMER, member_userids=userids, limit=50)
    assert len(lead) == 3 and lead[0].member_name == "吴销售"
    assert len(customer_timeline(viewer=actors.manager, external_userid=CUSTOMER, member_userids=userids, limit=2)) == 2
    assert customer_timeline(viewer=actors.outsider, external_userid=CUSTOMER, member_userids=userids, limit=50) == []
    assert customer_timeline(viewer=actors.admin, external_userid=CUSTOMER, member_userids=userids, limit=50) == []


def test_ingest_reports_the_last_chat_to_customers(actors, chats):  # type: ignore[no-untyped-def]
    dev = Development.objects.get(follow=chats)
    assert dev.last_chat_at == dt.datetime.fromtimestamp((BASE_MS + 2000) / 1000, tz=dt.UTC)
    assert dev.last_contact_at == dev.last_chat_at
    other = Development.objects.get(follow__member=actors.sales_b)
    assert other.last_chat_at == dt.datetime.fromtimestamp((BASE_MS + 3000) / 1000, tz=dt.UTC)


def test_customer_page_shows_chats_in_scope(actors, chats, login, settings):  # type: ignore[no-untyped-def]
    url = reverse("customers:detail", args=[chats.customer_id])
    body = login(actors.sales).get(url).content.decode()
    assert "收到，周五前答复" in body and "另一条线的报价" not in body
    settings.CUSTOMER_TIMELINE_MESSAGES = 1
    body = login(actors.director).get(url).content.decode()
    assert "另一条线的报价" in body and "收到，周五前答复" not in body


def test_sources_are_merged_newest_first_within_the_limit(actors, chats):  # type: ignore[no-untyped-def]
    from zhidu.web.timeline import TimelineEntry, register_timeline_source, unregister_timeline_source

    seen = {}

    def calls(*, viewer, external_userid, member_userids, limit):  # type: ignore[no-untyped-def]
        seen.update(viewer=viewer, external_userid=external_userid, member_userids=member_userids, limit=limit)
        at = dt.datetime.fromtimestamp((BASE_MS + 1500) / 1000, tz=dt.UTC)
        return [
            TimelineEntry(at=at, source="call", member_name="周销售", from_customer=False, kind="call", text="电话")
        ]

    register_timeline_source("calls", calls)
    try:
        merged = customer_timeline(
            viewer=actors.sales, external_userid=CUSTOMER, member_userids=[actors.sales.wecom_userid, ""], limit=2
        )
    finally:
        unregister_timeline_source("calls")
    assert [e.text for e in merged] == ["收到，周五前答复", "电话"]
    assert seen == {
        "viewer": actors.sales,
        "external_userid": CUSTOMER,
        "member_userids": [actors.sales.wecom_userid],
        "limit": 2,
    }
