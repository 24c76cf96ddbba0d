"""The callback endpoint: URL verification, refusals that store nothing, idempotent replays, event effects.

Events that carry everything they need are tested here with our crypto; events that make us refetch
from WeCom are tested against the simulator in test_sync.py.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
import time_machine
from django.urls import reverse

from zhidu.core.models import AuditEvent
from zhidu.customers.models import Customer, FollowEnd, FollowRelation, Tag
from zhidu.customers.tests.factories import FollowFactory, TagFactory
from zhidu.groups.models import GroupChat, GroupMember, GroupStatus
from zhidu.groups.tests.factories import GroupChatFactory, GroupMemberFactory
from zhidu.wecom.crypto import WXBizMsgCrypt, build_xml
from zhidu.wecom.models import CallbackInbox

CORP_ID = "wwcallbacktest"
TOKEN = "cbtoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
URL = "/wecom/callback/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def callback_settings(settings):  # type: ignore[no-untyped-def]
    settings.WECOM_CORP_ID = CORP_ID
    settings.WECOM_TOKEN = TOKEN
    settings.WECOM_ENCODING_AES_KEY = AES_KEY
    settings.WECOM_API_BASE = "http://127.0.0.1:9"  # nothing listens: these events must not call WeCom
    settings.WECOM_MAX_TRIES = 1
    return settings


@pytest.fixture(autouse=True)
def clock():  # type: ignore[no-untyped-def]
    """The envelopes below are stamped 1700000000: stand half a minute after it (inside the freshness window)."""
    with time_machine.travel(dt.datetime.fromtimestamp(1700000030, dt.UTC), tick=True) as traveller:
        yield traveller


def crypto(corp_id: str = CORP_ID, token: str = TOKEN) -> WXBizMsgCrypt:
    return WXBizMsgCrypt(token, AES_KEY, corp_id)


def event_xml(event: str, change_type: str = "", create_time: int = 1700000000, **fields: object) -> str:
    head: dict[str, object] = {
        "ToUserName": CORP_ID,
        "FromUserName": "sys",
        "CreateTime": create_time,
        "MsgType": "event",
        "Event": event,
    }
    if change_type:
        head["ChangeType"] = change_type
    return build_xml({**head, **fields})


def post(
    client,
    xml: str,
    *,
    sender: WXBizMsgCrypt | None = None,
    nonce: str = "n123",
    timestamp: str = "1700000000",
    signature: str | None = None,
):  # type: ignore[no-untyped-def]
    body, sig = (sender or crypto()).encrypt_callback(xml, nonce=nonce, timestamp=timestamp)
    query = urlencode({"msg_signature": signature or sig, "timestamp": timestamp, "nonce": nonce})
    return client.post(f"{URL}?{query}", data=body, content_type="text/xml")


def state() -> tuple[int, ...]:
    return (
        CallbackInbox.objects.count(),
        AuditEvent.objects.count(),
        FollowRelation.objects.filter(deleted=True).count(),
        GroupChat.objects.filter(status=GroupStatus.DISMISSED).count(),
        Customer.objects.count(),
    )


def test_url_is_named_callback():
    assert reverse("wecom:callback") == URL


# --- GET verification ---------------------------------------------------------------------------


def test_get_verification_returns_plain_echostr(client, callback_settings):  # type: ignore[no-untyped-def]
    # API.md §5.5 vector B, URL-encoded as WeCom sends it.
    callback_settings.WECOM_TOKEN = "QDG6eK"
    callback_settings.WECOM_ENCODING_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    callback_settings.WECOM_CORP_ID = "wx5823bf96d3bd56c7"
    query = (
        "msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr="
        "P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D"
    )
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert response.content == b"1616140317555161061"
    assert response["Content-Type"].startswith("text/plain")


def test_get_verification_accepts_unescaped_plus(client):  # type: ignore[no-untyped-def]
    c = crypto()
    echostr = c.encrypt("4242424242")
    while "+" not in echostr:  # make sure the case is exercised
        echostr = c.encrypt("4242424242")
    sig = c.signature("1700000000", "n1", echostr)
    response = client.get(f"{URL}?msg_signature={sig}&timestamp=1700000000&nonce=n1&echostr={echostr}")
    assert response.status_code == 200
    assert response.content == b"4242424242"


@pytest.mark.parametrize(
    "query",
    [
        "msg_signature=0000&timestamp=1&nonce=2&echostr=abc",
        "timestamp=1&nonce=2&echostr=abc",
        "",
    ],
)
def test_get_verification_refused(client, query):  # type: ignore[no-untyped-def]
    response = client.get(f"{URL}?{query}")
    assert response.status_code in (400, 403)
    assert CallbackInbox.objects.count() == 0


# --- POST refusals store nothing ----------------------------------------------------------------


@pytest.fixture
def follow(actors):  # type: ignore[no-untyped-def]
    return FollowFactory(member=actors.sales, customer__external_userid="wmREFUSE1")


def del_follow_xml(follow, create_time: int = 1700000000) -> str:  # type: ignore[no-untyped-def]
    return event_xml(
        "change_external_contact",
        "del_follow_user",
        create_time=create_time,
        UserID=follow.member.wecom_userid,
        ExternalUserID=follow.customer.external_userid,
    )


def test_bad_signature_is_refused_and_nothing_stored(client, follow, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, del_follow_xml(follow), signature="0" * 40)
    assert response.status_code == 403
    assert state() == before


def test_wrong_token_is_refused(client, follow, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, del_follow_xml(follow), sender=crypto(token="othertoken"))
    assert response.status_code == 403
    assert state() == before


def test_wrong_receiveid_is_refused(client, follow, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, del_follow_xml(follow), sender=crypto(corp_id="wwsomeoneelse"))
    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize(
    "xml",
    [
        "not xml at all",
        "<xml><ToUserName>x</ToUserName>",
        "<xml></xml>",
        # required field missing
        event_xml("change_external_contact", "del_follow_user", UserID="u1"),
        # unknown change type of a known event
        event_xml("change_external_chat", "explode", ChatId="wr1"),
        # bad UpdateDetail
        event_xml("change_external_chat", "update", ChatId="wr1", UpdateDetail="rename_everything"),
        # not a number
        event_xml("change_contact", "delete_party", Id="abc"),
        # wrong MsgType
        build_xml({"ToUserName": CORP_ID, "CreateTime": 1, "MsgType": "text", "Event": "msgaudit_notify"}),
        # an entity declaration
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xml><ToUserName>&a;</ToUserName></xml>',
    ],
)
def test_malformed_event_is_refused(client, xml, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    before = state()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, xml)
    assert response.status_code == 400
    assert state() == before


def test_malformed_envelope_is_refused(client):  # type: ignore[no-untyped-def]
    for body in (b"", b"garbage", b"<xml><Encrypt>!!notbase64!!</Encrypt></xml>"):
        response = client.post(f"{URL}?msg_signature=abc&timestamp=1&nonce=2", data=body, content_type="text/xml")
        assert response.status_code in (400, 403)
    assert CallbackInbox.objects.count() == 0


def test_event_for_another_corp_is_refused(client, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    xml = event_xml("msgaudit_notify").replace(CORP_ID, "wwother")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, xml)
    assert response.status_code == 403
    assert CallbackInbox.objects.count() == 0


def test_other_methods_are_refused(client):  # type: ignore[no-untyped-def]
    assert client.put(URL).status_code == 405


# --- idempotence and effects --------------------------------------------------------------------


def test_del_follow_user_replayed_has_one_effect(client, follow, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    xml = del_follow_xml(follow)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, xml, nonce="a1")
    assert first.status_code == 200
    assert first.content == b"success"
    follow.refresh_from_db()
    assert follow.deleted and follow.end_reason == FollowEnd.BY_CUSTOMER
    audits = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        again = post(client, xml, nonce="a2", timestamp="1700000099")  # a re-delivery: new envelope, same event
    assert again.status_code == 200
    row = CallbackInbox.objects.get()
    assert row.replays == 1
    assert row.processed_at is not None and row.attempts == 1 and row.error == ""
    assert row.event == "change_external_contact" and row.change_type == "del_follow_user"
    assert row.payload["ExternalUserID"] == "wmREFUSE1"
    assert AuditEvent.objects.count() == audits
    assert AuditEvent.objects.filter(verb="follow.end", target_id=str(follow.pk)).count() == 1


def test_same_change_later_is_a_new_event(client, follow, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        post(client, del_follow_xml(follow, create_time=1700000000))
        post(client, del_follow_xml(follow, create_time=1700000500))
    assert CallbackInbox.objects.count() == 2
    assert AuditEvent.objects.filter(verb="follow.end").count() == 1  # the relation had already ended


def test_del_external_contact_by_transfer(client, follow, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    xml = event_xml(
        "change_external_contact",
        "del_external_contact",
        UserID=follow.member.wecom_userid,
        ExternalUserID=follow.customer.external_userid,
        Source="DELETE_BY_TRANSFER",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, xml).status_code == 200
    follow.refresh_from_db()
    assert follow.deleted and follow.end_reason == FollowEnd.BY_TRANSFER


def test_del_external_contact_by_member(client, follow, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    xml = event_xml(
        "change_external_contact",
        "del_external_contact",
        UserID=follow.member.wecom_userid,
        ExternalUserID=follow.customer.external_userid,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, xml).status_code == 200
    follow.refresh_from_db()
    assert follow.deleted and follow.end_reason == FollowEnd.BY_MEMBER


def test_msg_audit_approved_and_transfer_fail(client, follow, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    ids = {"UserID": follow.member.wecom_userid, "ExternalUserID": follow.customer.external_userid}
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event_xml("change_external_contact", "msg_audit_approved", create_time=1700001234, **ids))
        post(client, event_xml("change_external_contact", "transfer_fail", FailReason="customer_refused", **ids))
    follow.refresh_from_db()
    assert follow.archive_agreed_at is not None and int(follow.archive_agreed_at.timestamp()) == 1700001234
    assert not follow.deleted
    fail = AuditEvent.objects.get(verb="follow.transfer_fail")
    assert fail.reason == "customer_refused" and fail.actor_label == "wecom-sync"


def test_group_dismiss(client, actors, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    group = GroupChatFactory(owner=actors.sales, chat_id="wrDISMISS")
    GroupMemberFactory(group=group)
    xml = event_xml("change_external_chat", "dismiss", ChatId="wrDISMISS")
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, xml).status_code == 200
        assert post(client, xml, nonce="again").status_code == 200
    group.refresh_from_db()
    assert group.status == GroupStatus.DISMISSED and group.dismissed_at is not None
    assert not GroupMember.objects.filter(group=group, left_at=None).exists()
    assert AuditEvent.objects.filter(verb="group.dismiss").count() == 1


def test_tag_delete(client, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    tag = TagFactory(wecom_id="etDEL1")
    other = TagFactory(group=tag.group)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event_xml("change_external_tag", "delete", Id="etDEL1", TagType="tag"))
    assert Tag.objects.get(pk=tag.pk).deleted
    assert not Tag.objects.get(pk=other.pk).deleted
    with django_capture_on_commit_callbacks(execute=True):
        post(client, event_xml("change_external_tag", "delete", Id=tag.group.wecom_id, TagType="tag_group"))
    assert Tag.objects.get(pk=other.pk).deleted


def test_msgaudit_notify_is_stored_and_processed(client, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event_xml("msgaudit_notify", AgentID="2000004"))
    assert response.status_code == 200
    row = CallbackInbox.objects.get()
    assert row.event == "msgaudit_notify" and row.processed_at is not None


def test_unhandled_event_is_acknowledged_and_marked_ignored(client, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event_xml("enter_agent", AgentID="1000002"))
    assert response.status_code == 200
    row = CallbackInbox.objects.get()
    assert row.processed_at is not None and row.error.startswith("ignored")


def test_renamed_userid_is_rebound_before_the_contacts_sync(client, actors, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    old = actors.sales.wecom_userid
    xml = event_xml("change_contact", "update_user", UserID=old, NewUserID="renamed_sales")
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, xml).status_code == 200
    actors.sales.refresh_from_db()
    assert actors.sales.wecom_userid == "renamed_sales"
    assert AuditEvent.objects.filter(verb="member.bind_wecom", target_id=str(actors.sales.pk)).exists()
    row = CallbackInbox.objects.get()
    assert row.processed_at is None and row.error  # the contacts sync itself needs WeCom (unreachable here)


def test_failed_processing_is_kept_for_retry(client, actors, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    # A group update makes us fetch the group from WeCom, which is unreachable here.
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event_xml("change_external_chat", "update", ChatId="wrX", UpdateDetail="change_name"))
    assert response.status_code == 200  # stored: WeCom must not resend it
    row = CallbackInbox.objects.get()
    assert row.processed_at is None and row.attempts == 1 and row.error
