"""Sync against the simulator over HTTP: exact counts and fields from the simulator's own data."""

from __future__ import annotations

import datetime as dt

import pytest

from zhidu.core.models import AuditEvent
from zhidu.customers.models import Customer, FollowRelation, Tag, TagGroup
from zhidu.groups.models import GroupChat, GroupMember, GroupStatus
from zhidu.org.models import Department, Member, MemberStatus, Role
from zhidu.org.services import member_update
from zhidu.wecom.models import SyncRun
from zhidu.wecom.sync import sync_all

pytestmark = pytest.mark.django_db


def ts(seconds: int) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC) if seconds else None


@pytest.fixture
def synced(wecom_sim, wecom_settings):  # type: ignore[no-untyped-def]
    return sync_all()


def test_sync_contacts_match_the_company(wecom_sim, synced):  # type: ignore[no-untyped-def]
    company = wecom_sim.company
    assert Department.objects.count() == len(company.departments)
    for d in company.departments.values():
        dept = Department.objects.get(wecom_id=d.id)
        assert dept.name == d.name
        assert (dept.parent.wecom_id if dept.parent else 0) == d.parentid
    active = company.active_users()
    assert Member.objects.count() == len(active)
    for u in active:
        m = Member.objects.select_related("department", "reports_to").get(wecom_userid=u.userid)
        assert (m.name, m.position, m.mobile, m.email) == (u.name, u.position, u.mobile, u.email)
        assert m.department.wecom_id == u.main_department
        assert m.role == u.role, u.position
        assert m.status == MemberStatus.ACTIVE and not m.role_locked
        expected_lead = u.direct_leader[0] if u.direct_leader else None
        assert (m.reports_to.wecom_userid if m.reports_to else None) == expected_lead, u.userid
    assert synced["contacts"]["members_created"] == len(active)
    assert AuditEvent.objects.filter(verb="member.create", actor_label="wecom-sync").count() == len(active)


def test_sync_customers_match_the_company(wecom_sim, synced):  # type: ignore[no-untyped-def]
    company = wecom_sim.company
    live_tags = [t for t in company.tags.values() if not t.deleted]
    assert Tag.objects.filter(deleted=False).count() == len(live_tags)
    assert TagGroup.objects.count() == len(company.tag_groups)
    for t in live_tags:
        tag = Tag.objects.select_related("group").get(wecom_id=t.id)
        assert (tag.name, tag.group.wecom_id, tag.order) == (t.name, t.group_id, t.order)

    visible = company.visible_customers()
    pairs = company.follow_pairs()
    assert Customer.objects.count() == len(visible) == synced["customers"]["customers_created"]
    assert FollowRelation.objects.filter(deleted=False).count() == len(pairs)
    assert FollowRelation.objects.count() == len(pairs)
    rels = {
        (r.customer.external_userid, r.member.wecom_userid): r
        for r in FollowRelation.objects.select_related("customer", "member").prefetch_related("tags")
    }
    for c in visible:
        customer = Customer.objects.get(external_userid=c.external_userid)
        assert (customer.name, customer.type, customer.gender, customer.avatar) == (c.name, c.type, c.gender, c.avatar)
        assert (customer.corp_name, customer.corp_full_name, customer.position) == (
            c.corp_name,
            c.corp_full_name,
            c.position,
        )
        for userid, f in c.follows.items():
            if not company.users[userid].active:
                assert (c.external_userid, userid) not in rels
                continue
            rel = rels[(c.external_userid, userid)]
            assert (rel.remark, rel.description, rel.remark_corp_name) == (f.remark, f.description, f.remark_corp_name)
            assert rel.remark_mobiles == f.remark_mobiles
            assert (rel.add_way, rel.oper_userid, rel.state) == (f.add_way, f.oper_userid, f.state)
            assert rel.createtime == ts(f.createtime)
            assert {t.wecom_id for t in rel.tags.all()} == set(f.tag_ids)


def test_sync_groups_match_the_company(wecom_sim, synced):  # type: ignore[no-untyped-def]
    company = wecom_sim.company
    live = company.live_groups()
    assert GroupChat.objects.count() == len(live)
    assert GroupMember.objects.count() == sum(len(g.members) for g in live)
    status = {0: GroupStatus.NORMAL, 1: GroupStatus.OWNER_LEFT, 2: GroupStatus.INHERITING, 3: GroupStatus.INHERITED}
    for g in live:
        group = GroupChat.objects.select_related("owner").get(chat_id=g.chat_id)
        assert (group.name, group.owner_userid, group.notice) == (g.name, g.owner, g.notice)
        assert group.created == ts(g.create_time)
        assert group.member_version == g.member_version
        assert group.status == status[g.status]
        owner_active = company.users[g.owner].active
        assert (group.owner.wecom_userid if group.owner else None) == (g.owner if owner_active else None)
        rows = {m.userid: m for m in group.members.all()}
        assert set(rows) == {m.userid for m in g.members}
        for m in g.members:
            row = rows[m.userid]
            assert (row.type, row.name, row.group_nickname) == (
                "staff" if m.type == 1 else "customer",
                m.name,
                m.group_nickname,
            )
            assert (row.join_time, row.join_scene, row.invitor_userid) == (ts(m.join_time), m.join_scene, m.invitor)
            assert (row.unionid, row.state, row.is_admin) == (m.unionid, m.state, m.userid in g.admins)
            assert row.left_at is None
            if m.type == 1 and company.users[m.userid].active:
                assert row.member is not None and row.member.wecom_userid == m.userid
            if m.type == 2:
                known = Customer.objects.filter(external_userid=m.userid).first()
                assert row.customer == known


def test_second_sync_changes_nothing(wecom_sim, synced):  # type: ignore[no-untyped-def]
    audits = AuditEvent.objects.count()
    updated = {m.pk: m.updated_at for m in Member.objects.all()}
    again = sync_all()
    assert AuditEvent.objects.count() == audits
    assert {m.pk: m.updated_at for m in Member.objects.all()} == updated
    for part, counts in again.items():
        if part == "seconds":
            continue
        changed = {
            k: v for k, v in counts.items() if v and not k.endswith(("_seen", "_skipped", "_unchanged", "seconds"))
        }
        assert changed == {}, (part, changed)
    assert again["groups"]["groups_members_skipped"] == GroupChat.objects.count()
    assert SyncRun.objects.count() == 2
    run = SyncRun.objects.first()
    assert run is not None and run.finished_at is not None and run.error == ""


def test_sync_never_demotes_a_locked_role(wecom_sim, synced):  # type: ignore[no-untyped-def]
    supervisor_user = next(u for u in wecom_sim.company.active_users() if u.role == "supervisor")
    member = Member.objects.get(wecom_userid=supervisor_user.userid)
    member_update(actor=None, member=member, role=Role.SALES)  # a person decided; the role is now locked
    member.refresh_from_db()
    assert member.role == Role.SALES and member.role_locked
    audits = AuditEvent.objects.count()
    sync_all(what=["contacts"])
    member.refresh_from_db()
    assert member.role == Role.SALES and member.role_locked
    assert AuditEvent.objects.count() == audits


def test_sync_only_some_parts(wecom_sim, wecom_settings):  # type: ignore[no-untyped-def]
    result = sync_all(what=["contacts", "tags"])
    assert set(result) == {"contacts", "tags", "seconds"}
    assert Member.objects.exists() and Tag.objects.exists()
    assert not Customer.objects.exists() and not GroupChat.objects.exists()
