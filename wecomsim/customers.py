"""The simulator's customer-contact API (API.md §4): customers, tags, group chats, statistics."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from wecomsim import events as ev
from wecomsim.api import Request, _int, _str_list, route
from wecomsim.company import DAY, SHANGHAI, SimFollow, SimTag, SimTagGroup
from wecomsim.state import SimError, SimState

# --- customer contact (§4) ----------------------------------------------------------------------


@route("externalcontact/get_follow_user_list", "GET")
def get_follow_user_list(state: SimState, req: Request) -> dict[str, Any]:
    with state.lock:
        ids = [u for u in state.company.follow_user_ids() if state.user_visible(req.kind, u)]
        return {"follow_user": ids}


@route("externalcontact/list", "GET")
def externalcontact_list(state: SimState, req: Request) -> dict[str, Any]:
    with state.lock:
        user = state.require_user(req.kind, req.arg("userid", ""))
        ids = state.company.customers_of(user.userid)
        if not ids:
            raise SimError(84061)
        return {"external_userid": ids}


def customer_json(c: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "external_userid": c.external_userid,
        "name": c.name,
        "avatar": c.avatar,
        "type": c.type,
        "gender": c.gender,
    }
    if c.unionid:
        out["unionid"] = c.unionid
    if c.type == 2:
        out.update(position=c.position, corp_name=c.corp_name, corp_full_name=c.corp_full_name)
        out["external_profile"] = {"external_attr": []}
    return out


def follow_json(state: SimState, f: SimFollow, *, batch: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "userid": f.userid,
        "remark": f.remark,
        "description": f.description,
        "createtime": f.createtime,
    }
    tags = state.company.tags
    live = [tags[t] for t in f.tag_ids if t in tags and not tags[t].deleted]
    if batch:
        out["tag_id"] = [t.id for t in live]
    else:
        groups = state.company.tag_groups
        out["tags"] = [
            {"group_name": groups[t.group_id].group_name, "tag_name": t.name, "tag_id": t.id, "type": 1} for t in live
        ] + [{"group_name": "", "tag_name": name, "type": 2} for name in f.personal_tags]
    out.update(
        remark_corp_name=f.remark_corp_name,
        remark_mobiles=list(f.remark_mobiles),
        oper_userid=f.oper_userid,
        add_way=f.add_way,
    )
    if f.state:
        out["state"] = f.state
    return out


def _visible_follows(state: SimState, kind: str, c: Any) -> list[SimFollow]:
    company = state.company
    return [
        f
        for u, f in c.follows.items()
        if u in company.users and company.users[u].active and state.user_visible(kind, u)
    ]


@route("externalcontact/get", "GET")
def externalcontact_get(state: SimState, req: Request) -> dict[str, Any]:
    ext = str(req.arg("external_userid") or "")
    if not ext:
        raise SimError(41035)
    with state.lock:
        c = state.company.customers.get(ext)
        if c is None:
            raise SimError(40096)
        follows = _visible_follows(state, req.kind, c)
        if not follows:
            raise SimError(84061)
        rows = [((i,), follow_json(state, f, batch=False)) for i, f in enumerate(follows)]
        contact = customer_json(c)
    scope = state.scope_of("externalcontact/get", ext)
    page, next_cursor = state.page(scope, rows, str(req.arg("cursor") or ""), state.config.follow_page_size)
    out: dict[str, Any] = {"external_contact": contact, "follow_user": page}
    if next_cursor:
        out["next_cursor"] = next_cursor
    return out


@route("externalcontact/batch/get_by_user", "POST")
def batch_get_by_user(state: SimState, req: Request) -> dict[str, Any]:
    userids = _str_list(req.arg("userid_list"), max_len=100)
    if not userids:
        raise SimError(40058)
    limit = _int(req.arg("limit"), 50)
    limit = 50 if limit < 1 else min(limit, 100)
    company = state.company

    def build() -> list[tuple[Any, Any]]:
        rows: list[tuple[Any, Any]] = []
        for index, userid in enumerate(userids):
            user = company.users.get(userid)
            if user is None or not user.active or not state.user_visible(req.kind, userid):
                continue
            for ext in company.customers_of(userid):
                f = company.customers[ext].follows[userid]
                rows.append(((index, f.createtime, ext), (ext, userid)))
        return rows

    scope = state.scope_of("batch/get_by_user", tuple(userids))
    visibility = (req.kind, state.config.app_visible_departments)
    rows = state.cached_rows(state.scope_of(scope, visibility), build)
    refs, next_cursor = state.page(scope, rows, str(req.arg("cursor") or ""), limit)
    items = []
    with state.lock:  # render only the page
        for ext, userid in refs:
            c = company.customers.get(ext)
            f = c.follows.get(userid) if c else None
            if c is not None and f is not None:
                items.append({"external_contact": customer_json(c), "follow_info": follow_json(state, f, batch=True)})
    return {"external_contact_list": items, "next_cursor": next_cursor}


def _relation(state: SimState, req: Request) -> tuple[Any, SimFollow]:
    user = state.require_user(req.kind, req.arg("userid", ""))
    ext = str(req.arg("external_userid") or "")
    if not ext:
        raise SimError(41035)
    c = state.company.customers.get(ext)
    if c is None:
        raise SimError(40096)
    follow = c.follows.get(user.userid)
    if follow is None:
        raise SimError(84061)
    return c, follow


@route("externalcontact/remark", "POST")
def remark(state: SimState, req: Request) -> dict[str, Any]:
    limits = {"remark": 20, "description": 150, "remark_company": 20}
    for key, size in limits.items():
        if key in req.body and (not isinstance(req.body[key], str) or len(req.body[key]) > size):
            raise SimError(40058)
    with state.lock:
        c, follow = _relation(state, req)
        if "remark" in req.body:
            follow.remark = req.body["remark"]
        if "description" in req.body:
            follow.description = req.body["description"]
        if "remark_company" in req.body:
            follow.remark_corp_name = req.body["remark_company"]
        if "remark_mobiles" in req.body:
            follow.remark_mobiles = _str_list(req.body["remark_mobiles"], max_len=5)
        state.emit(
            ev.external_contact_event(
                state.corp_id, state.now(), "edit_external_contact", follow.userid, c.external_userid
            )
        )
    return {}


def _tag_group_json(state: SimState, group: SimTagGroup, tags: list[SimTag], *, show_deleted: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "group_id": group.group_id,
        "group_name": group.group_name,
        "create_time": group.create_time,
        "order": group.order,
    }
    if show_deleted:
        out["deleted"] = group.deleted
    out["tag"] = []
    for t in tags:
        item: dict[str, Any] = {"id": t.id, "name": t.name, "create_time": t.create_time, "order": t.order}
        if show_deleted:
            item["deleted"] = t.deleted
        out["tag"].append(item)
    return out


@route("externalcontact/get_corp_tag_list", "POST")
def get_corp_tag_list(state: SimState, req: Request) -> dict[str, Any]:
    tag_ids = _str_list(req.arg("tag_id"))
    group_ids = _str_list(req.arg("group_id"))
    with state.lock:
        company = state.company
        out = []
        by_id = bool(tag_ids or group_ids)
        for group in company.tag_groups.values():
            if group_ids and group.group_id not in group_ids:
                selected = [company.tags[t] for t in group.tags if t in tag_ids]
                if not selected:
                    continue
            elif group_ids:
                selected = [company.tags[t] for t in group.tags]
            elif tag_ids:
                selected = [company.tags[t] for t in group.tags if t in tag_ids]
                if not selected:
                    continue
            else:
                if group.deleted:
                    continue
                selected = [company.tags[t] for t in group.tags if not company.tags[t].deleted]
            out.append(_tag_group_json(state, group, selected, show_deleted=by_id))
        return {"tag_group": out}


@route("externalcontact/add_corp_tag", "POST")
def add_corp_tag(state: SimState, req: Request) -> dict[str, Any]:
    raw_tags = req.arg("tag")
    if not isinstance(raw_tags, list) or not raw_tags:
        raise SimError(40058)
    names = []
    for t in raw_tags:
        name = t.get("name") if isinstance(t, dict) else None
        if not isinstance(name, str) or not name or len(name) > 30:
            raise SimError(40058)
        names.append((name, _int(t.get("order"), 0)))
    with state.lock:
        company = state.company
        now = state.now()
        group_id, group_name = req.arg("group_id"), req.arg("group_name")
        group = None
        created_group = False
        if group_id:
            group = company.tag_groups.get(group_id)
            if group is None or group.deleted:
                raise SimError(40068)
        elif group_name:
            group = next((g for g in company.tag_groups.values() if g.group_name == group_name and not g.deleted), None)
            if group is None:
                group = SimTagGroup(_new_id(state, "et"), str(group_name), now, order=_int(req.arg("order"), 0))
                company.tag_groups[group.group_id] = group
                created_group = True
        else:
            raise SimError(40058)
        if sum(1 for t in company.tags.values() if not t.deleted) + len(names) > 3000:
            raise SimError(40126)
        existing = {company.tags[t].name for t in group.tags if not company.tags[t].deleted}
        added = []
        for name, order in names:
            if name in existing:
                raise SimError(40071)
            tag = SimTag(_new_id(state, "et"), name, group.group_id, now, order=order)
            company.tags[tag.id] = tag
            group.tags.append(tag.id)
            added.append(tag)
        if created_group:
            state.emit(ev.external_tag_event(state.corp_id, now, "create", group.group_id, "tag_group"))
        for tag in added:
            state.emit(ev.external_tag_event(state.corp_id, now, "create", tag.id, "tag"))
        return {"tag_group": _tag_group_json(state, group, added, show_deleted=False)}


@route("externalcontact/edit_corp_tag", "POST")
def edit_corp_tag(state: SimState, req: Request) -> dict[str, Any]:
    with state.lock:
        company = state.company
        target_id = str(req.arg("id") or "")
        target: Any = company.tags.get(target_id) or company.tag_groups.get(target_id)
        if target is None or target.deleted:
            raise SimError(40068)
        name = req.arg("name")
        if name is not None:
            if not isinstance(name, str) or not name or len(name) > 30:
                raise SimError(40058)
            if isinstance(target, SimTag):
                target.name = name
            else:
                target.group_name = name
        if req.arg("order") is not None:
            target.order = _int(req.arg("order"))
        kind = "tag" if isinstance(target, SimTag) else "tag_group"
        state.emit(ev.external_tag_event(state.corp_id, state.now(), "update", target_id, kind))
    return {}


@route("externalcontact/del_corp_tag", "POST")
def del_corp_tag(state: SimState, req: Request) -> dict[str, Any]:
    tag_ids = _str_list(req.arg("tag_id"))
    group_ids = _str_list(req.arg("group_id"))
    if not tag_ids and not group_ids:
        raise SimError(40058)
    with state.lock:
        company = state.company
        if any(t not in company.tags for t in tag_ids) or any(g not in company.tag_groups for g in group_ids):
            raise SimError(40068)
        now = state.now()
        for gid in group_ids:
            group = company.tag_groups[gid]
            group.deleted = True
            for t in group.tags:
                company.tags[t].deleted = True
            state.emit(ev.external_tag_event(state.corp_id, now, "delete", gid, "tag_group"))
        for tid in tag_ids:
            company.tags[tid].deleted = True
            state.emit(ev.external_tag_event(state.corp_id, now, "delete", tid, "tag"))
    return {}


@route("externalcontact/mark_tag", "POST")
def mark_tag(state: SimState, req: Request) -> dict[str, Any]:
    add, remove = _str_list(req.arg("add_tag")), _str_list(req.arg("remove_tag"))
    if not add and not remove:
        raise SimError(40058)
    with state.lock:
        c, follow = _relation(state, req)
        tags = state.company.tags
        if any(t not in tags or tags[t].deleted for t in add + remove):
            raise SimError(40068)
        follow.tag_ids = [t for t in follow.tag_ids if t not in remove]
        follow.tag_ids += [t for t in add if t not in follow.tag_ids]
        state.emit(
            ev.external_contact_event(
                state.corp_id, state.now(), "edit_external_contact", follow.userid, c.external_userid
            )
        )
    return {}


def _new_id(state: SimState, prefix: str) -> str:
    return prefix + secrets.token_urlsafe(22).replace("-", "x").replace("_", "y")[:22]


# --- group chats (§4.9) -------------------------------------------------------------------------


@route("externalcontact/groupchat/list", "POST")
def groupchat_list(state: SimState, req: Request) -> dict[str, Any]:
    status_filter = _int(req.arg("status_filter"), 0)
    limit = _int(req.arg("limit"), 100)
    if not 1 <= limit <= 1000 or status_filter not in (0, 1, 2, 3):
        raise SimError(40058)
    owner_filter = req.arg("owner_filter") or {}
    owners = _str_list(owner_filter.get("userid_list") if isinstance(owner_filter, dict) else None, max_len=100)
    with state.lock:
        company = state.company
        visible_members = [u for u in company.follow_user_ids() if state.user_visible(req.kind, u)]
        if not owners and len(visible_members) > state.config.owner_filter_threshold:
            raise SimError(81017)
        rows = []
        for g in company.live_groups():
            owner = company.users.get(g.owner)
            if owners:
                if g.owner not in owners:
                    continue
            elif owner is None or not owner.active or not state.user_visible(req.kind, g.owner):
                continue  # resigned owners must be named explicitly
            if status_filter and g.status != status_filter:
                continue
            rows.append((g.chat_id, {"chat_id": g.chat_id, "status": g.status}))
    rows.sort(key=lambda r: r[0])
    scope = state.scope_of("groupchat/list", status_filter, tuple(owners))
    items, next_cursor = state.page(scope, rows, str(req.arg("cursor") or ""), limit)
    return {"group_chat_list": items, "next_cursor": next_cursor}


def group_json(state: SimState, g: Any, *, need_name: bool) -> dict[str, Any]:
    members = []
    for m in g.members:
        item: dict[str, Any] = {"userid": m.userid, "type": m.type, "join_time": m.join_time}
        item["join_scene"] = m.join_scene
        if m.invitor:
            item["invitor"] = {"userid": m.invitor}
        item["group_nickname"] = m.group_nickname
        if need_name:
            item["name"] = m.name
        if m.unionid:
            item["unionid"] = m.unionid
        if m.state:
            item["state"] = m.state
        members.append(item)
    return {
        "chat_id": g.chat_id,
        "name": g.name,
        "owner": g.owner,
        "create_time": g.create_time,
        "notice": g.notice,
        "member_list": members,
        "admin_list": [{"userid": a} for a in g.admins],
        "member_version": g.member_version,
    }


@route("externalcontact/groupchat/get", "POST")
def groupchat_get(state: SimState, req: Request) -> dict[str, Any]:
    chat_id = str(req.arg("chat_id") or "")
    with state.lock:
        g = state.company.groups.get(chat_id)
        if g is None or g.dismissed:
            raise SimError(40050)
        if not state.user_visible(req.kind, g.owner):
            raise SimError(60011)
        return {"group_chat": group_json(state, g, need_name=str(req.arg("need_name", 0)) == "1")}


# --- statistics (§4.11) -------------------------------------------------------------------------


def _day_floor(ts: int) -> int:
    return ts - (ts + int(SHANGHAI.utcoffset(None).total_seconds())) % DAY


@route("externalcontact/get_user_behavior_data", "POST")
def get_user_behavior_data(state: SimState, req: Request) -> dict[str, Any]:
    userids = _str_list(req.arg("userid"), max_len=100)
    parties = req.arg("partyid") or []
    if not isinstance(parties, list) or len(parties) > 100 or (not userids and not parties):
        raise SimError(40058)
    start, end = _day_floor(_int(req.arg("start_time"))), _day_floor(_int(req.arg("end_time")))
    now = state.now()
    if end < start or end - start > 30 * DAY or start < _day_floor(now) - 180 * DAY:
        raise SimError(40058)
    with state.lock:
        company = state.company
        members = set()
        for userid in userids:
            members.add(state.require_user(req.kind, userid, active=False).userid)
        for party in parties:
            ids = set(company.subtree(_int(party)))
            members.update(u.userid for u in company.users.values() if ids.intersection(u.department))
    rows = []
    for day in range(start, end + DAY, DAY):
        totals = {"chat_cnt": 0, "message_cnt": 0, "negative_feedback_cnt": 0, "new_apply_cnt": 0}
        totals["new_contact_cnt"] = 0
        replied = initiated = reply_minutes = 0
        for userid in sorted(members):
            h = hashlib.sha256(f"{company.seed}:{userid}:{day}".encode()).digest()
            if day > now:
                continue
            chats = h[0] % 12
            totals["chat_cnt"] += chats
            totals["message_cnt"] += chats * (2 + h[1] % 6)
            totals["negative_feedback_cnt"] += 1 if h[2] < 8 else 0
            totals["new_apply_cnt"] += h[3] % 4
            totals["new_contact_cnt"] += h[4] % 3
            started = h[5] % (chats + 1)
            initiated += started
            replied += min(started, started - (h[6] % 2 if started else 0))
            reply_minutes += started * (1 + h[7] % 30)
        row: dict[str, Any] = {"stat_time": day, **totals}
        if initiated:
            row["reply_percentage"] = round(100.0 * replied / initiated, 2)
            row["avg_reply_time"] = round(reply_minutes / initiated)
        rows.append(row)
    return {"behavior_data": rows}
