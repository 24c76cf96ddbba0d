"""Incremental updates: the simulator pushes real callbacks to our live server; the records follow.

After a series of changes, a full sync finds nothing left to change: callbacks and sync write the
same records.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import httpx
import pytest

from zhidu.core.models import AuditEvent
from zhidu.customers.models import Customer, FollowEnd, FollowRelation, Tag
from zhidu.groups.models import GroupChat, GroupStatus
from zhidu.org.models import Department, Member, MemberStatus, Role
from zhidu.wecom.models import CallbackInbox
from zhidu.wecom.sync import sync_all
from zhidu.wecom.tests.conftest import client_for, delivered

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sim(pushing_sim):  # type: ignore[no-untyped-def]
    """A fresh simulated company, synced, pushing its callbacks to our live server."""
    return pushing_sim


def assert_full_sync_finds_nothing() -> None:
    audits = AuditEvent.objects.count()
    result = sync_all()
    assert AuditEvent.objects.count() == audits
    for part, counts in result.items():
        if part != "seconds":
            changed = {
                k: v for k, v in counts.items() if v and not k.endswith(("_seen", "_skipped", "_unchanged", "seconds"))
            }
            assert changed == {}, (part, changed)


def a_sales_user(sim, n: int = 0):  # type: ignore[no-untyped-def]
    return [u for u in sim.company.active_users() if u.role == "sales"][n]


def test_customer_lifecycle(sim):  # type: ignore[no-untyped-def]
    user = a_sales_user(sim)
    tags = list(sim.company.tags)[:2]
    result = sim.mutate(
        "customer_add", userid=user.userid, name="新客户甲", remark="甲的备注", tag_ids=tags[:1], add_way=2
    )
    delivered(result)
    ext = result["external_userid"]
    rel = FollowRelation.objects.select_related("customer").get(
        customer__external_userid=ext, member__wecom_userid=user.userid
    )
    assert rel.customer.name == "新客户甲" and rel.remark == "甲的备注" and rel.add_way == 2
    assert [t.wecom_id for t in rel.tags.all()] == tags[:1]
    assert AuditEvent.objects.filter(verb="follow.create", target_id=str(rel.pk), actor_label="wecom-sync").exists()

    delivered(
        sim.mutate(
            "customer_edit",
            userid=user.userid,
            external_userid=ext,
            remark="改过的备注",
            description="下周回访",
            add_tags=tags[1:2],
            remove_tags=tags[:1],
        )
    )
    rel.refresh_from_db()
    assert (rel.remark, rel.description) == ("改过的备注", "下周回访")
    assert [t.wecom_id for t in rel.tags.all()] == tags[1:2]

    colleague = a_sales_user(sim, 1)
    delivered(sim.mutate("customer_add", userid=colleague.userid, external_userid=ext))
    assert FollowRelation.objects.filter(customer__external_userid=ext, deleted=False).count() == 2
    delivered(sim.mutate("customer_set_agree", external_userid=ext, agree_status="Agree", userid=user.userid))
    rel.refresh_from_db()
    assert rel.archive_agreed_at is not None
    assert_full_sync_finds_nothing()

    delivered(sim.mutate("customer_delete", userid=user.userid, external_userid=ext))
    rel.refresh_from_db()
    assert rel.deleted and rel.end_reason == FollowEnd.BY_MEMBER
    delivered(sim.mutate("customer_del_follow_user", userid=colleague.userid, external_userid=ext))
    other = FollowRelation.objects.get(customer__external_userid=ext, member__wecom_userid=colleague.userid)
    assert other.deleted and other.end_reason == FollowEnd.BY_CUSTOMER
    assert_full_sync_finds_nothing()


def test_half_contact_is_stored(sim):  # type: ignore[no-untyped-def]
    user = a_sales_user(sim, 2)
    result = sim.mutate("customer_add", userid=user.userid, name="半好友", half=True, state_param="qr_campaign_7")
    delivered(result)
    assert result["events"][0]["fields"]["ChangeType"] == "add_half_external_contact"
    row = CallbackInbox.objects.get(change_type="add_half_external_contact")
    assert row.processed_at is not None
    rel = FollowRelation.objects.get(customer__external_userid=result["external_userid"])
    assert rel.member.wecom_userid == user.userid and rel.state == "qr_campaign_7"
    assert_full_sync_finds_nothing()


def test_customer_edits_through_the_api_push_events(sim):  # type: ignore[no-untyped-def]
    ext, userid = sim.company.follow_pairs()[0]
    client = client_for(sim, sim.secrets["customer"])
    new_tag = client.add_corp_tag(tags=["新标签"], group_name="新标签组").tag_group
    assert sim.wait_callbacks()
    tag = Tag.objects.select_related("group").get(wecom_id=new_tag.tag[0].id)
    assert (tag.name, tag.group.name) == ("新标签", "新标签组")
    client.mark_tag(userid, ext, add_tag=[tag.wecom_id])
    client.remark(userid, ext, remark="接口改的备注")
    assert sim.wait_callbacks()
    rel = FollowRelation.objects.get(customer__external_userid=ext, member__wecom_userid=userid)
    assert rel.remark == "接口改的备注"
    assert tag in rel.tags.all()
    client.close()
    assert_full_sync_finds_nothing()


def test_group_lifecycle(sim):  # type: ignore[no-untyped-def]
    owner = a_sales_user(sim)
    mate = a_sales_user(sim, 1)
    customers = sim.company.customers_of(owner.userid)[:2]
    result = sim.mutate(
        "group_create",
        owner=owner.userid,
        name="一部一组-新客户-服务群",
        member_ids=[customers[0], mate.userid],
        admins=[mate.userid],
    )
    delivered(result)
    group = GroupChat.objects.get(chat_id=result["chat_id"])
    assert group.owner is not None and group.owner.wecom_userid == owner.userid
    assert set(group.members.values_list("userid", flat=True)) == {owner.userid, customers[0], mate.userid}
    assert group.members.get(userid=mate.userid).is_admin

    delivered(sim.mutate("group_update", chat_id=group.chat_id, add_members=[customers[1]], join_scene=3))
    assert group.members.filter(left_at=None).count() == 4
    delivered(sim.mutate("group_update", chat_id=group.chat_id, remove_members=[customers[0]], quit_scene=1))
    left = group.members.get(userid=customers[0])
    assert left.left_at is not None
    delivered(sim.mutate("group_update", chat_id=group.chat_id, name="改名后的群", notice="新公告"))
    group.refresh_from_db()
    assert (group.name, group.notice) == ("改名后的群", "新公告")
    delivered(sim.mutate("group_update", chat_id=group.chat_id, owner=mate.userid))
    group.refresh_from_db()
    assert group.owner is not None and group.owner.wecom_userid == mate.userid
    group_rows = group.members.count()
    assert_full_sync_finds_nothing()
    assert group.members.count() == group_rows

    delivered(sim.mutate("group_dismiss", chat_id=group.chat_id))
    group.refresh_from_db()
    assert group.status == GroupStatus.DISMISSED
    assert not group.members.filter(left_at=None).exists()
    assert_full_sync_finds_nothing()


def test_contact_changes(sim):  # type: ignore[no-untyped-def]
    team = next(d for d in sim.company.departments.values() if d.name.endswith("组"))
    supervisor = team.leaders[0]
    result = sim.mutate("user_create", name="新同事", department=team.id, position="销售顾问")
    delivered(result)
    member = Member.objects.get(wecom_userid=result["userid"])
    assert (member.name, member.role, member.department.wecom_id) == ("新同事", Role.SALES, team.id)
    assert member.reports_to is not None and member.reports_to.wecom_userid == supervisor

    delivered(sim.mutate("user_update", userid=result["userid"], position="销售经理", mobile="13900000000"))
    member.refresh_from_db()
    assert (member.role, member.position, member.mobile) == (Role.MANAGER, "销售经理", "13900000000")

    created = sim.mutate("department_create", name="新销售组", parentid=team.parentid)
    delivered(created)
    dept = Department.objects.get(wecom_id=created["id"])
    assert dept.name == "新销售组" and dept.parent is not None and dept.parent.wecom_id == team.parentid
    delivered(sim.mutate("department_update", id=created["id"], name="改名销售组"))
    dept.refresh_from_db()
    assert dept.name == "改名销售组"

    delivered(sim.mutate("user_resign", userid=result["userid"]))
    member.refresh_from_db()
    assert member.status == MemberStatus.REMOVED
    removal = AuditEvent.objects.get(verb="member.remove", target_id=str(member.pk))
    assert removal.actor_label == "wecom-sync" and removal.actor is None
    assert_full_sync_finds_nothing()


def test_replayed_callback_has_one_effect(sim, live_server):  # type: ignore[no-untyped-def]
    user = a_sales_user(sim)
    result = sim.mutate("customer_add", userid=user.userid, name="重放客户")
    delivered(result)
    xml = sim.events[-1]["xml"] if "xml" in sim.events[-1] else sim.pusher.log[-1].xml
    audits, customers = AuditEvent.objects.count(), Customer.objects.count()
    # A re-delivery: a new envelope stamped when it is sent (inside WECOM_CALLBACK_MAX_AGE_SECONDS), the same event.
    timestamp = str(int(time.time()))
    body, signature = sim.pusher.crypto.encrypt_callback(xml, nonce="replay1", timestamp=timestamp)
    response = httpx.post(
        f"{live_server.url}/wecom/callback/",
        content=body.encode(),
        params={"msg_signature": signature, "timestamp": timestamp, "nonce": "replay1"},
    )
    assert response.status_code == 200 and response.text == "success"
    assert (AuditEvent.objects.count(), Customer.objects.count()) == (audits, customers)
    row = CallbackInbox.objects.get(
        change_type="add_external_contact", payload__ExternalUserID=result["external_userid"]
    )
    assert row.replays == 1 and row.attempts == 1


def test_msgaudit_notify_is_processed(sim):  # type: ignore[no-untyped-def]
    delivered(sim.mutate("msgaudit_notify"))
    row = CallbackInbox.objects.get(event="msgaudit_notify")
    assert row.processed_at is not None
    assert json.dumps(row.payload)
    assert row.received_at <= dt.datetime.now(dt.UTC)
