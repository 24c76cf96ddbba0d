"""Test-only state changes (POST /sim/mutate/<op>, `SimulatorServer.mutate(op, **kwargs)`).

Each op changes the company the way a person in WeCom would and emits the callback WeCom would send.
Keyword arguments are the JSON body of the HTTP form. Ops are listed in `OPS`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from wecomsim import events as ev
from wecomsim.company import (
    SimCustomer,
    SimDepartment,
    SimFollow,
    SimGroup,
    SimGroupMember,
    SimRoom,
    SimRoomMember,
    SimUser,
)
from wecomsim.company import staff_nickname as _staff_nickname
from wecomsim.state import SimError, SimState

OPS: dict[str, Callable[..., dict[str, Any]]] = {}


def op(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    OPS[fn.__name__] = fn
    return fn


def _user(state: SimState, userid: str, *, active: bool = True) -> SimUser:
    user = state.company.users.get(userid)
    if user is None or (active and not user.active):
        raise SimError(60111)
    return user


def _customer(state: SimState, external_userid: str) -> SimCustomer:
    c = state.company.customers.get(external_userid)
    if c is None:
        raise SimError(40096)
    return c


def _group(state: SimState, chat_id: str) -> SimGroup:
    g = state.company.groups.get(chat_id)
    if g is None or g.dismissed:
        raise SimError(40050)
    return g


def _ext_event(state: SimState, change: str, userid: str, ext: str, **extra: Any) -> None:
    state.emit(ev.external_contact_event(state.corp_id, state.now(), change, userid, ext, **extra))


# --- customers ----------------------------------------------------------------------------------


@op
def customer_add(
    state: SimState,
    *,
    userid: str,
    external_userid: str = "",
    name: str = "",
    remark: str = "",
    description: str = "",
    tag_ids: list[str] | None = None,
    add_way: int = 1,
    state_param: str = "",
    half: bool = False,
    corp_name: str = "",
    agree_status: str = "Agree",
) -> dict[str, Any]:
    """A member adds a customer (a new one, or an existing customer of a colleague)."""
    with state.lock:
        user = _user(state, userid)
        company = state.company
        c = company.customers.get(external_userid) if external_userid else None
        if c is None:
            ext = external_userid or "wm" + secrets.token_urlsafe(22).replace("-", "x").replace("_", "y")
            c = SimCustomer(
                external_userid=ext,
                name=name or "新客户",
                type=2 if corp_name else 1,
                corp_name=corp_name,
                corp_full_name=f"{corp_name}有限公司" if corp_name else "",
                agree_status=agree_status,
                agree_time=state.now(),
            )
            company.customers[ext] = c
        if user.userid in c.follows:
            raise SimError(40058)
        if any(t not in company.tags for t in tag_ids or []):
            raise SimError(40068)
        oper = c.external_userid if add_way in (1, 16) else user.userid
        follow = SimFollow(
            userid=user.userid,
            remark=remark,
            description=description,
            createtime=state.now(),
            tag_ids=list(tag_ids or []),
            remark_corp_name=corp_name,
            oper_userid=oper,
            add_way=int(add_way),
            state=state_param,
        )
        company.add_follow(c, follow)
        change = "add_half_external_contact" if half else "add_external_contact"
        welcome = secrets.token_urlsafe(16)
        _ext_event(state, change, user.userid, c.external_userid, State=state_param, WelcomeCode=welcome)
        return {"external_userid": c.external_userid, "welcome_code": welcome}


@op
def customer_edit(
    state: SimState,
    *,
    userid: str,
    external_userid: str,
    remark: str | None = None,
    description: str | None = None,
    add_tags: list[str] | None = None,
    remove_tags: list[str] | None = None,
) -> dict[str, Any]:
    """A member edits a customer's remark, description or tags."""
    with state.lock:
        c = _customer(state, external_userid)
        follow = c.follows.get(userid)
        if follow is None:
            raise SimError(84061)
        if any(t not in state.company.tags for t in (add_tags or []) + (remove_tags or [])):
            raise SimError(40068)
        if remark is not None:
            follow.remark = remark
        if description is not None:
            follow.description = description
        follow.tag_ids = [t for t in follow.tag_ids if t not in (remove_tags or [])]
        follow.tag_ids += [t for t in add_tags or [] if t not in follow.tag_ids]
        _ext_event(state, "edit_external_contact", userid, external_userid)
        return {}


@op
def customer_delete(state: SimState, *, userid: str, external_userid: str) -> dict[str, Any]:
    """The member deletes the customer (del_external_contact)."""
    with state.lock:
        c = _customer(state, external_userid)
        if state.company.remove_follow(c, userid) is None:
            raise SimError(84061)
        _ext_event(state, "del_external_contact", userid, external_userid)
        return {}


@op
def customer_del_follow_user(state: SimState, *, userid: str, external_userid: str) -> dict[str, Any]:
    """The customer deletes the member (del_follow_user)."""
    with state.lock:
        c = _customer(state, external_userid)
        if state.company.remove_follow(c, userid) is None:
            raise SimError(84061)
        _ext_event(state, "del_follow_user", userid, external_userid)
        return {}


@op
def customer_set_agree(
    state: SimState, *, external_userid: str, agree_status: str = "Agree", userid: str = ""
) -> dict[str, Any]:
    """Archive consent changes; agreeing with a `userid` sends msg_audit_approved."""
    if agree_status not in ("Agree", "Disagree", "Default_Agree"):
        raise SimError(40058)
    with state.lock:
        c = _customer(state, external_userid)
        c.agree_status, c.agree_time = agree_status, state.now()
        if agree_status == "Agree" and userid:
            _ext_event(state, "msg_audit_approved", userid, external_userid)
        return {}


# --- groups -------------------------------------------------------------------------------------


def _member(state: SimState, member_id: str, *, invitor: str, scene: int) -> SimGroupMember:
    company = state.company
    now = state.now()
    if member_id in company.users:
        user = company.users[member_id]
        return SimGroupMember(
            member_id, 1, now, scene, invitor, _staff_nickname(company, user), user.name, follows_nickname=True
        )
    if not member_id.startswith(("wm", "wo")):
        raise SimError(40003)
    c = company.customers.get(member_id)
    return SimGroupMember(member_id, 2, now, scene, invitor if scene != 3 else "", "", c.name if c else "微信用户")


def _bump(g: SimGroup, last: str) -> tuple[str, str]:
    """(member version before the change, after it); `last` was read before changing the members."""
    g.version += 1
    return last, g.member_version


@op
def group_create(
    state: SimState, *, owner: str, name: str = "", member_ids: list[str] | None = None, admins: list[str] | None = None
) -> dict[str, Any]:
    with state.lock:
        user = _user(state, owner)
        g = SimGroup(
            chat_id="wr" + secrets.token_urlsafe(22).replace("-", "x").replace("_", "y"),
            name=name,
            owner=user.userid,
            create_time=state.now(),
        )
        g.members.append(_member(state, user.userid, invitor="", scene=1))
        for member_id in member_ids or []:
            if all(m.userid != member_id for m in g.members):
                g.members.append(_member(state, member_id, invitor=user.userid, scene=1))
        g.admins = [a for a in admins or [] if any(m.userid == a for m in g.members)]
        state.company.groups[g.chat_id] = g
        state.emit(ev.external_chat_event(state.corp_id, state.now(), "create", g.chat_id))
        return {"chat_id": g.chat_id}


def group_change_owner(state: SimState, g: SimGroup, new_owner: str, *, status: int = 0) -> None:
    with state.lock:
        before = g.member_version
        if all(m.userid != new_owner for m in g.members):
            g.members.append(_member(state, new_owner, invitor=g.owner, scene=1))
        g.owner, g.status = new_owner, status
        g.admins = [a for a in g.admins if a != new_owner]
        last, cur = _bump(g, before)
        state.emit(
            ev.external_chat_event(
                state.corp_id,
                state.now(),
                "update",
                g.chat_id,
                UpdateDetail="change_owner",
                LastMemVer=last,
                CurMemVer=cur,
            )
        )


@op
def group_update(
    state: SimState,
    *,
    chat_id: str,
    add_members: list[str] | None = None,
    remove_members: list[str] | None = None,
    name: str | None = None,
    notice: str | None = None,
    owner: str | None = None,
    join_scene: int = 0,
    quit_scene: int = 0,
) -> dict[str, Any]:
    """Members join (JoinScene 0 invited, 3 QR) or leave (QuitScene 0 left, 1 removed); rename; notice; owner."""
    with state.lock:
        g = _group(state, chat_id)
        now = state.now()
        emit = state.emit
        if add_members:
            new = [m for m in add_members if all(x.userid != m for x in g.members)]
            before = g.member_version
            for member_id in new:
                g.members.append(_member(state, member_id, invitor=g.owner, scene=3 if join_scene == 3 else 1))
            last, cur = _bump(g, before)
            emit(
                ev.external_chat_event(
                    state.corp_id, now, "update", chat_id, UpdateDetail="add_member", JoinScene=join_scene,
                    MemChangeCnt=len(new), MemChangeList=new, LastMemVer=last, CurMemVer=cur,
                )
            )  # fmt: skip
        if remove_members:
            gone = [m.userid for m in g.members if m.userid in remove_members and m.userid != g.owner]
            before = g.member_version
            g.members = [m for m in g.members if m.userid not in gone]
            g.admins = [a for a in g.admins if a not in gone]
            last, cur = _bump(g, before)
            emit(
                ev.external_chat_event(
                    state.corp_id, now, "update", chat_id, UpdateDetail="del_member", QuitScene=quit_scene,
                    MemChangeCnt=len(gone), MemChangeList=gone, LastMemVer=last, CurMemVer=cur,
                )
            )  # fmt: skip
        if name is not None:
            g.name = name
            emit(ev.external_chat_event(state.corp_id, now, "update", chat_id, UpdateDetail="change_name"))
        if notice is not None:
            g.notice = notice
            emit(ev.external_chat_event(state.corp_id, now, "update", chat_id, UpdateDetail="change_notice"))
        if owner is not None:
            _user(state, owner)
            group_change_owner(state, g, owner)
        return {"member_version": g.member_version}


@op
def group_dismiss(state: SimState, *, chat_id: str) -> dict[str, Any]:
    with state.lock:
        g = _group(state, chat_id)
        g.dismissed = True
        state.emit(ev.external_chat_event(state.corp_id, state.now(), "dismiss", chat_id))
        return {}


# --- contacts -----------------------------------------------------------------------------------


def _user_fields(state: SimState, u: SimUser) -> dict[str, Any]:
    return {
        "UserID": u.userid,
        "Name": u.name,
        "Department": ",".join(str(d) for d in u.department),
        "MainDepartment": u.main_department,
        "IsLeaderInDept": ",".join(str(i) for i in u.is_leader_in_dept),
        "DirectLeader": ",".join(u.direct_leader),
        "Position": u.position,
        "Mobile": u.mobile,
        "Gender": int(u.gender or 0),
        "Email": u.email,
        "Status": u.status,
        "Alias": u.alias,
    }


@op
def user_create(
    state: SimState,
    *,
    name: str,
    department: int,
    position: str = "销售顾问",
    userid: str = "",
    direct_leader: list[str] | None = None,
    is_leader: bool = False,
    mobile: str = "",
) -> dict[str, Any]:
    with state.lock:
        company = state.company
        if int(department) not in company.departments:
            raise SimError(60123)
        userid = userid or "u" + secrets.token_hex(5)
        if userid.lower() in {u.lower() for u in company.users}:
            raise SimError(60102)
        from wecomsim.company import POSITION_ROLES

        u = SimUser(
            userid=userid,
            name=name,
            department=[int(department)],
            position=position,
            role=POSITION_ROLES.get(position, "sales"),
            mobile=mobile,
            is_leader_in_dept=[1 if is_leader else 0],
            direct_leader=list(direct_leader or []),
            main_department=int(department),
            order=[0],
        )
        company.users[userid] = u
        if is_leader:
            company.departments[int(department)].leaders.append(userid)
        state.emit(ev.contact_event(state.corp_id, state.now(), "create_user", **_user_fields(state, u)))
        return {"userid": userid}


@op
def user_update(
    state: SimState,
    *,
    userid: str,
    name: str | None = None,
    position: str | None = None,
    department: list[int] | None = None,
    direct_leader: list[str] | None = None,
    is_leader_in_dept: list[int] | None = None,
    mobile: str | None = None,
) -> dict[str, Any]:
    """Changed fields only appear in the update_user event."""
    with state.lock:
        u = _user(state, userid)
        changed: dict[str, Any] = {"UserID": u.userid}
        if name is not None:
            u.name = changed["Name"] = name
        if department is not None:
            if any(int(d) not in state.company.departments for d in department) or not department:
                raise SimError(60123)
            u.department = [int(d) for d in department]
            u.main_department = u.department[0]
            u.is_leader_in_dept = list(is_leader_in_dept or [0] * len(u.department))
            changed["Department"] = ",".join(str(d) for d in u.department)
            changed["MainDepartment"] = u.main_department
            changed["IsLeaderInDept"] = ",".join(str(i) for i in u.is_leader_in_dept)
        elif is_leader_in_dept is not None:
            u.is_leader_in_dept = list(is_leader_in_dept)
            changed["IsLeaderInDept"] = ",".join(str(i) for i in u.is_leader_in_dept)
        for dept_id, leader in zip(u.department, u.is_leader_in_dept, strict=False):
            leaders = state.company.departments[dept_id].leaders
            if leader and userid not in leaders:
                leaders.append(userid)
            if not leader and userid in leaders:
                leaders.remove(userid)
        if position is not None:
            u.position = changed["Position"] = position
        if direct_leader is not None:
            u.direct_leader = list(direct_leader)
            changed["DirectLeader"] = ",".join(direct_leader)
        if mobile is not None:
            u.mobile = changed["Mobile"] = mobile
        state.emit(ev.contact_event(state.corp_id, state.now(), "update_user", **changed))
        return {}


@op
def user_profile_edit(
    state: SimState,
    *,
    userid: str,
    name: str | None = None,
    alias: str | None = None,
    avatar: str | None = None,
    external_position: str | None = None,
    external_profile: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Someone edits the member's public profile in the admin console (or the member in the app).

    The update_user event carries the changed contact fields WeCom reports (Name, Alias, Avatar); it has
    no element for external_position or external_profile (API.md §15.2), so those edits arrive as a bare
    UserID: only a later user/get shows what changed."""
    with state.lock:
        u = _user(state, userid)
        changed: dict[str, Any] = {"UserID": u.userid}
        if name is not None:
            u.name = changed["Name"] = name
        if alias is not None:
            u.alias = changed["Alias"] = alias
        if avatar is not None:
            u.avatar = changed["Avatar"] = avatar
        if external_position is not None:
            u.external_position = external_position
        if external_profile is not None:
            u.external_profile = dict(external_profile)
        state.emit(ev.contact_event(state.corp_id, state.now(), "update_user", **changed))
        return {}


@op
def user_resign(state: SimState, *, userid: str) -> dict[str, Any]:
    """The member leaves: delete_user; their customers become unassigned, their groups status 1."""
    with state.lock:
        u = _user(state, userid)
        u.status, u.dimission_time = 5, state.now()
        for g in state.company.groups.values():
            if g.owner == userid and not g.dismissed:
                g.status = 1
        state.emit(ev.contact_event(state.corp_id, state.now(), "delete_user", UserID=userid))
        return {"unassigned": len(state.company.customers_of(userid))}


@op
def department_create(state: SimState, *, name: str, parentid: int, order: int = 0) -> dict[str, Any]:
    with state.lock:
        company = state.company
        if int(parentid) not in company.departments:
            raise SimError(60123)
        new_id = max(company.departments) + 1
        company.departments[new_id] = SimDepartment(new_id, name, int(parentid), int(order))
        state.emit(
            ev.contact_event(
                state.corp_id, state.now(), "create_party", Id=new_id, Name=name, ParentId=parentid, Order=order
            )
        )
        return {"id": new_id}


@op
def department_update(state: SimState, *, id: int, name: str | None = None, parentid: int | None = None) -> dict:
    with state.lock:
        d = state.company.departments.get(int(id))
        if d is None:
            raise SimError(60123)
        if parentid is not None:
            if int(parentid) in state.company.subtree(d.id) or int(parentid) not in state.company.departments:
                raise SimError(60123)
            d.parentid = int(parentid)
        if name is not None:
            d.name = name
        state.emit(ev.contact_event(state.corp_id, state.now(), "update_party", Id=d.id, Name=name, ParentId=parentid))
        return {}


@op
def department_delete(state: SimState, *, id: int) -> dict[str, Any]:
    with state.lock:
        company = state.company
        if int(id) not in company.departments or int(id) == 1:
            raise SimError(60123)
        if any(d.parentid == int(id) for d in company.departments.values()) or any(
            int(id) in u.department for u in company.active_users()
        ):
            raise SimError(60005)  # department not empty
        del company.departments[int(id)]
        state.emit(ev.contact_event(state.corp_id, state.now(), "delete_party", Id=int(id)))
        return {}


# --- internal groups (no callbacks: WeCom sends none for them) -----------------------------------


def _room(state: SimState, roomid: str) -> SimRoom:
    room = state.company.rooms.get(roomid)
    if room is None or room.dismissed:
        raise SimError(40050)
    return room


def _rooms_changed(state: SimState) -> None:
    if state.archive is not None:
        state.archive.forget_participants()


@op
def room_create(
    state: SimState, *, name: str, creator: str, members: list[str] | None = None, roomid: str = ""
) -> dict[str, Any]:
    """A member creates an internal group (staff only) with `members`."""
    with state.lock:
        _user(state, creator)
        now = state.now()
        roomid = roomid or "wr" + secrets.token_hex(15)
        if roomid in state.company.rooms or roomid in state.company.groups:
            raise SimError(40058)
        room = SimRoom(roomid, name, creator, now, members=[SimRoomMember(creator, now)], kind="other")
        for userid in dict.fromkeys(members or []):
            if userid != creator:
                _user(state, userid)
                room.members.append(SimRoomMember(userid, now))
        state.company.rooms[roomid] = room
        _rooms_changed(state)
        return {"roomid": roomid, "members": list(room.member_ids)}


@op
def room_update(
    state: SimState,
    *,
    roomid: str,
    add_members: list[str] | None = None,
    remove_members: list[str] | None = None,
    name: str | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    """Members join or leave an internal group; rename; notice."""
    with state.lock:
        room = _room(state, roomid)
        now = state.now()
        for userid in add_members or []:
            _user(state, userid)
            if userid not in room.member_ids:
                room.members.append(SimRoomMember(userid, now))
        gone = set(remove_members or [])
        room.members = [m for m in room.members if m.userid not in gone]
        if name is not None:
            room.name = name
        if notice is not None:
            room.notice = notice
        _rooms_changed(state)
        return {"roomid": roomid, "members": list(room.member_ids)}


@op
def room_dismiss(state: SimState, *, roomid: str) -> dict[str, Any]:
    with state.lock:
        _room(state, roomid).dismissed = True
        _rooms_changed(state)
        return {"roomid": roomid}


# --- archive, transfers, notifications -----------------------------------------------------------


@op
def archive_append(state: SimState, *, count: int = 10) -> dict[str, Any]:
    """New chat messages arrive in the archive; msgaudit_notify follows (throttled)."""
    if state.archive is None:
        raise SimError(301053)
    first, last = state.archive.append(int(count))
    return {"first_seq": first, "last_seq": last}


@op
def archive_burst(
    state: SimState, *, userid: str, count: int = 12, seconds: float = 1.0, text: str = "", roomid: str = ""
) -> dict[str, Any]:
    """A member posts `count` messages into one of their groups (`roomid`, else the first they are in),
    `seconds` apart, starting now: the same `text` each time when given (a repeat), else distinct ones (a flood)."""
    if state.archive is None:
        raise SimError(301053)
    company = state.company
    rooms = [g for g in company.live_groups() if any(m.userid == userid for m in g.members)]
    rooms = [g for g in rooms if g.chat_id == roomid] if roomid else rooms
    if (userid not in company.users and userid not in company.customers) or not rooms:
        raise SimError(40003)
    room = rooms[0]
    others = [m.userid for m in room.members if m.userid != userid]
    start = max(state.archive._last_ms + 1, state.now() * 1000)
    tag = f"burst{len(state.archive)}"
    records = [
        {
            "msgid": f"{tag}-{i}",
            "action": "send",
            "from": userid,
            "tolist": others,
            "roomid": room.chat_id,
            "msgtime": start + int(i * seconds * 1000),
            "msgtype": "text",
            "text": {"content": text or f"第{i + 1}条：请大家看一下这个"},
        }
        for i in range(int(count))
    ]
    first, last = state.archive.inject(records)
    return {"first_seq": first, "last_seq": last, "roomid": room.chat_id}


@op
def msgaudit_notify(state: SimState) -> dict[str, Any]:
    state.emit(ev.msgaudit_notify_event(state.corp_id, state.now(), state.agent_id))
    return {}


@op
def transfers_complete(state: SimState) -> dict[str, Any]:
    """Resolve every waiting transfer now (instead of waiting for transfer_delay)."""
    from wecomsim.transfers import advance

    return {"resolved": advance(state, force=True)}
