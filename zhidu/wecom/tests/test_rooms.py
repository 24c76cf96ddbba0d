"""Internal groups (内部群) over real HTTP against the simulator: `msgaudit/groupchat/get`, discovery of
unknown room ids, refresh by the full sync, members joining and leaving, and who may see the room."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from wecomsim import SimulatorServer
from zhidu.core.models import AuditEvent
from zhidu.groups.models import GroupChat, GroupKind, GroupMember, GroupStatus, MemberType
from zhidu.groups.selectors import group_get_for, group_list
from zhidu.org.models import Member, Role
from zhidu.wecom.client import WeComClient, WeComError
from zhidu.wecom.rooms import internal_rooms_refresh, internal_rooms_sync
from zhidu.wecom.sync import sync_all

from .conftest import client_for


def ts(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def department_room(sim: SimulatorServer, name: str = "销售一部群"):  # type: ignore[no-untyped-def]
    return next(r for r in sim.company.rooms.values() if r.name == name)


# --- client ↔ simulator --------------------------------------------------------------------------


def test_room_info_over_http(wecom_sim: SimulatorServer) -> None:
    room = department_room(wecom_sim)
    client = client_for(wecom_sim, wecom_sim.secrets["archive"])
    try:
        info = client.archive_room_get(room.roomid)
    finally:
        client.close()
    assert (info.roomname, info.creator, info.room_create_time, info.notice) == (
        "销售一部群",
        room.creator,
        room.create_time,
        room.notice,
    )
    assert [(m.memberid, m.jointime) for m in info.members] == [(m.userid, m.join_time) for m in room.members]
    assert info.members[0].memberid == room.creator and len(info.members) >= 3


def test_seeded_rooms_follow_and_break_the_naming_rule(wecom_sim: SimulatorServer) -> None:
    company = wecom_sim.company
    names = {r.name for r in company.rooms.values()}
    departments = [d.name for d in company.departments.values() if d.parentid == company.sales_center_id]
    assert {f"{d}群" for d in departments} <= names and "销售经验交流群" in names
    assert [r.name for r in company.rooms.values() if not r.follows_naming] == [
        n for n in names if n not in {f"{d}群" for d in departments} | {"销售经验交流群"}
    ]
    staff = {u.userid for u in company.users.values()}
    assert all(m.userid in staff for r in company.rooms.values() for m in r.members)


def test_customer_groups_unknown_rooms_and_errors(wecom_sim: SimulatorServer) -> None:
    customer_group = wecom_sim.company.live_groups()[0].chat_id
    client = client_for(wecom_sim, wecom_sim.secrets["archive"])
    try:
        for roomid in (customer_group, "wrNoSuchRoom"):
            with pytest.raises(WeComError) as refused:
                client.archive_room_get(roomid)
            assert refused.value.errcode == 40050
        wecom_sim.inject(301052, count=1, api="msgaudit/groupchat/get")
        with pytest.raises(WeComError) as expired:
            client.archive_room_get(department_room(wecom_sim).roomid)
        assert expired.value.errcode == 301052 and expired.value.permanent
    finally:
        wecom_sim.reset_faults()
        client.close()
    customer = client_for(wecom_sim, wecom_sim.secrets["customer"])
    try:
        with pytest.raises(WeComError) as forbidden:  # the archive secret's API
            customer.archive_room_get(department_room(wecom_sim).roomid)
        assert forbidden.value.errcode == 48002
    finally:
        customer.close()


# --- discovery and refresh ------------------------------------------------------------------------


@pytest.fixture
def synced(db, fresh_sim, settings):  # type: ignore[no-untyped-def]
    """Contacts and customer groups synced from a fresh simulator (its rooms may be changed by the test)."""
    sim = fresh_sim
    settings.WECOM_API_BASE = sim.url
    settings.WECOM_CORP_ID = sim.company.corp_id
    for kind in ("contact", "customer", "app", "archive"):
        setattr(settings, f"WECOM_{kind.upper()}_SECRET", sim.secrets[kind])
    settings.WECOM_MAX_TRIES = 2
    settings.WECOM_BACKOFF_BASE = 0.005
    settings.WECOM_BACKOFF_MAX = 0.01
    cache.clear()  # refused room ids are remembered in the cache
    sync_all(what=("contacts", "groups"))
    return sim


def archive_client(sim: SimulatorServer) -> WeComClient:
    return client_for(sim, sim.secrets["archive"], max_tries=1)


def test_discovery_stores_internal_rooms_and_leaves_the_rest(synced: SimulatorServer) -> None:
    sim = synced
    rooms = list(sim.company.rooms.values())
    customer_group = sim.company.live_groups()[0].chat_id
    unsynced_customer_group = "wrzzCustomerGroupNotSyncedYet"  # sorts after the rooms: asked last
    failed = sorted(r.roomid for r in rooms)[1]
    sim.inject(60011, count=1, api="msgaudit/groupchat/get", after=1)  # the second room asked fails
    client = archive_client(sim)
    try:
        counts = internal_rooms_sync(
            [r.roomid for r in rooms] + [customer_group, unsynced_customer_group], client=client
        )
    finally:
        client.close()
    assert counts["rooms_asked"] == len(rooms) + 1  # the synced customer group is not asked
    assert counts["rooms_failed"] == 1 and counts["rooms_refused"] == 1
    assert counts["rooms_synced"] == len(rooms) - 1
    stored = {g.chat_id: g for g in GroupChat.objects.filter(kind=GroupKind.INTERNAL)}
    assert set(stored) == {r.roomid for r in rooms} - {failed}
    assert not GroupChat.objects.filter(chat_id=unsynced_customer_group).exists()
    for room in rooms:
        if room.roomid == failed:
            continue
        group = stored[room.roomid]
        assert (group.name, group.creator_userid, group.created) == (room.name, room.creator, ts(room.create_time))
        assert group.owner is not None and group.owner.wecom_userid == room.creator
        members = {m.userid: m for m in GroupMember.objects.filter(group=group)}
        assert set(members) == set(room.member_ids)
        assert all(m.type == MemberType.STAFF and m.member_id and not m.is_admin for m in members.values())
        assert [members[m.userid].join_time for m in room.members] == [ts(m.join_time) for m in room.members]
    created = AuditEvent.objects.filter(verb="group.create", target_id__in=[str(g.pk) for g in stored.values()])
    assert created.count() == len(rooms) - 1

    # again: the refused id is remembered, the stored ones are known; only the failed room is asked
    client = archive_client(sim)
    try:
        again = internal_rooms_sync([r.roomid for r in rooms] + [unsynced_customer_group], client=client)
    finally:
        client.close()
    assert (again["rooms_asked"], again["rooms_synced"]) == (1, 1)
    assert GroupChat.objects.filter(kind=GroupKind.INTERNAL).count() == len(rooms)


def test_expired_archive_stops_the_run(synced: SimulatorServer) -> None:
    sim = synced
    rooms = sorted(r.roomid for r in sim.company.rooms.values())
    sim.inject(301052, count=10, api="msgaudit/groupchat/get")
    client = archive_client(sim)
    try:
        counts = internal_rooms_sync(rooms, client=client)
    finally:
        sim.reset_faults()
        client.close()
    assert counts["rooms_stopped"] == 301052 and counts["rooms_failed"] == len(rooms)
    assert not GroupChat.objects.filter(kind=GroupKind.INTERNAL).exists()


def test_members_join_and_leave_through_the_full_sync(synced: SimulatorServer) -> None:
    sim = synced
    room = department_room(sim, "销售二部群")
    internal_rooms_sync([room.roomid])
    group = GroupChat.objects.get(chat_id=room.roomid)
    leaver = next(m.userid for m in room.members if m.userid != room.creator)
    outsider = next(u for u in sim.company.follow_user_ids() if u not in room.member_ids)
    sim.mutate(
        "room_update", roomid=room.roomid, add_members=[outsider], remove_members=[leaver], name="销售二部群(新)"
    )

    result = sync_all(what=("groups", "rooms"))

    assert result["rooms"]["rooms_synced"] == 1
    assert result["groups"]["groups_dismissed"] == 0  # the customer-group list never names internal groups
    group.refresh_from_db()
    assert group.name == "销售二部群(新)" and group.kind == GroupKind.INTERNAL and group.status == GroupStatus.NORMAL
    left = GroupMember.objects.get(group=group, userid=leaver)
    joined = GroupMember.objects.get(group=group, userid=outsider)
    assert left.left_at is not None and joined.left_at is None and joined.join_time is not None
    event = AuditEvent.objects.filter(verb="group.members", target_id=str(group.pk)).latest("id")
    assert event.before == {"left": [leaver]} and event.after == {"joined": [outsider]}
    assert sync_all(what=("rooms",))["rooms"]["group_members_left"] == 0  # nothing new: nothing written

    sim.mutate("room_dismiss", roomid=room.roomid)
    internal_rooms_refresh(archive_client(sim))
    group.refresh_from_db()
    assert group.status == GroupStatus.DISMISSED


def test_scope_of_internal_rooms(synced: SimulatorServer) -> None:
    sim = synced
    room = department_room(sim)
    internal_rooms_sync([room.roomid])
    group = GroupChat.objects.get(chat_id=room.roomid)
    inside = Member.objects.filter(role=Role.SALES, wecom_userid__in=room.member_ids).first()
    outside = Member.objects.filter(role=Role.SALES).exclude(wecom_userid__in=room.member_ids).first()
    director = Member.objects.get(role=Role.DIRECTOR)
    assert inside is not None and outside is not None
    assert group_get_for(inside, group.pk) == group
    assert group in group_list(viewer=director)
    assert group not in group_list(viewer=outside)
    from zhidu.core.errors import NotFound

    with pytest.raises(NotFound):
        group_get_for(outside, group.pk)
    # the member leaves the room: they no longer see it
    sim.mutate("room_update", roomid=room.roomid, remove_members=[inside.wecom_userid])
    sync_all(what=("rooms",))
    with pytest.raises(NotFound):
        group_get_for(inside, group.pk)
