"""The simulator's /cgi-bin/ API: request plumbing, route table, contacts (§3) and msgaudit (§7.5).

Each handler takes (state, request) and returns the success payload (without errcode/errmsg) or raises
SimError. Customer contact lives in `customers.py`, transfers in `transfers.py`, outbound messages in
`outbound.py`; each registers its routes here with `@route`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wecomsim.state import SimError, SimState


@dataclass
class Request:
    api: str
    method: str
    query: dict[str, str]
    body: dict[str, Any]
    kind: str  # secret kind of the token ("" for gettoken / webhook)
    request_id: str = ""

    def arg(self, name: str, default: Any = None) -> Any:
        if name in self.body:
            return self.body[name]
        return self.query.get(name, default)


Handler = Callable[[SimState, Request], dict[str, Any]]
ROUTES: dict[str, tuple[str, Handler]] = {}  # api → (required method or "ANY", handler)


def route(api: str, method: str = "ANY") -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ROUTES[api] = (method, fn)
        return fn

    return register


def _int(value: Any, default: int | None = None) -> int:
    if value is None or value == "":
        if default is None:
            raise SimError(40058)
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SimError(40058) from None


def _str_list(value: Any, *, max_len: int | None = None) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SimError(40058)
    if max_len is not None and len(value) > max_len:
        raise SimError(40058)
    return value


# --- contacts (§3) ------------------------------------------------------------------------------


def _department_json(state: SimState, d: Any) -> dict[str, Any]:
    leaders = [u for u in d.leaders if u in state.company.users and state.company.users[u].active]
    return {
        "id": d.id,
        "name": d.name,
        "name_en": d.name_en,
        "department_leader": leaders,
        "parentid": d.parentid,
        "order": d.order,
    }


def _visible_dept_ids(state: SimState, req: Request) -> list[int]:
    company = state.company
    visible = state.visible_departments(req.kind)
    root = req.arg("id")
    if root not in (None, ""):
        root_id = _int(root)
        if root_id not in company.departments:
            raise SimError(60123 if visible is None else 60011)
        if visible is not None and root_id not in visible:
            raise SimError(60011)
        ids = company.subtree(root_id)
    else:
        ids = company.subtree(1)
    return [i for i in ids if visible is None or i in visible]


@route("department/list", "GET")
def department_list(state: SimState, req: Request) -> dict[str, Any]:
    with state.lock:
        ids = _visible_dept_ids(state, req)
        return {"department": [_department_json(state, state.company.departments[i]) for i in ids]}


@route("department/simplelist", "GET")
def department_simplelist(state: SimState, req: Request) -> dict[str, Any]:
    with state.lock:
        depts = [state.company.departments[i] for i in _visible_dept_ids(state, req)]
        return {"department_id": [{"id": d.id, "parentid": d.parentid, "order": d.order} for d in depts]}


@route("department/get", "GET")
def department_get(state: SimState, req: Request) -> dict[str, Any]:
    with state.lock:
        ids = _visible_dept_ids(state, Request(req.api, req.method, {"id": req.arg("id", "")}, {}, req.kind))
        return {"department": _department_json(state, state.company.departments[ids[0]])}


def user_json(state: SimState, u: Any) -> dict[str, Any]:
    return {
        "userid": u.userid,
        "name": u.name,
        "department": list(u.department),
        "order": list(u.order),
        "position": u.position,
        "mobile": u.mobile,
        "gender": u.gender,
        "email": u.email,
        "biz_mail": "",
        "is_leader_in_dept": list(u.is_leader_in_dept),
        "direct_leader": list(u.direct_leader),
        "avatar": u.avatar,
        "thumb_avatar": u.avatar[:-2] + "/100" if u.avatar.endswith("/0") else u.avatar,
        "telephone": "",
        "alias": u.alias,
        "address": "",
        "main_department": u.main_department,
        "status": u.status,
        "enable": 1,
        "extattr": {"attrs": []},
        "external_position": u.external_position,
        "external_profile": u.external_profile or {"external_corp_name": state.company.name, "external_attr": []},
        "qr_code": "",
    }


@route("user/get", "GET")
def user_get(state: SimState, req: Request) -> dict[str, Any]:
    with state.lock:
        return user_json(state, state.require_user(req.kind, req.arg("userid", "")))


EXTERNAL_POSITION_MAX = 12  # characters (API.md §15.1)
ALIAS_MAX = 64


def _text(value: Any, max_len: int) -> str:
    if not isinstance(value, str) or len(value) > max_len:
        raise SimError(40058)
    return value


def _external_profile(value: Any) -> dict[str, Any]:
    """Validate user/update's external_profile: a corp name, a channels nickname, typed attribute rows."""
    if not isinstance(value, dict):
        raise SimError(40058)
    out: dict[str, Any] = {"external_corp_name": _text(value.get("external_corp_name", ""), 64)}
    channels = value.get("wechat_channels")
    if channels is not None:
        if not isinstance(channels, dict):
            raise SimError(40058)
        out["wechat_channels"] = {"nickname": _text(channels.get("nickname", ""), 64), "status": 1}
    attrs = value.get("external_attr", [])
    if not isinstance(attrs, list) or len(attrs) > 20:
        raise SimError(40058)
    rows = []
    for attr in attrs:
        if not isinstance(attr, dict) or attr.get("type") not in (0, 1, 2) or not attr.get("name"):
            raise SimError(40058)
        rows.append(dict(attr))
    out["external_attr"] = rows
    return out


@route("user/update", "POST")
def user_update(state: SimState, req: Request) -> dict[str, Any]:
    """Write contact fields (contact-sync secret only; omitted = unchanged). WeCom sends no callback for
    changes made through the sync assistant's own API (API.md §15.2)."""
    with state.lock:
        u = state.require_user(req.kind, req.arg("userid", ""))
        changes: dict[str, Any] = {}
        if "name" in req.body:
            changes["name"] = _text(req.body["name"], 64) or u.name
        if "alias" in req.body:
            changes["alias"] = _text(req.body["alias"], ALIAS_MAX)
        if "position" in req.body:
            changes["position"] = _text(req.body["position"], 128)
        if "external_position" in req.body:
            changes["external_position"] = _text(req.body["external_position"], EXTERNAL_POSITION_MAX)
        if "external_profile" in req.body:
            changes["external_profile"] = _external_profile(req.body["external_profile"])
        if "avatar_mediaid" in req.body:
            changes["avatar"] = f"https://wework.qpic.cn/wwpic/{_text(req.body['avatar_mediaid'], 128)}/0"
        for name, value in changes.items():
            setattr(u, name, value)
        state.revision += 1
        return {"errmsg": "updated"}


def _users_in(state: SimState, req: Request) -> list[Any]:
    company = state.company
    dept_id = _int(req.arg("department_id"))
    if dept_id not in company.departments:
        raise SimError(60123)
    visible = state.visible_departments(req.kind)
    if visible is not None and dept_id not in visible:
        raise SimError(60011)
    fetch_child = str(req.arg("fetch_child", "0")) == "1"
    ids = set(company.subtree(dept_id) if fetch_child else [dept_id])
    return [u for u in company.users.values() if u.active and ids.intersection(u.department)]


@route("user/list", "GET")
def user_list(state: SimState, req: Request) -> dict[str, Any]:
    with state.lock:
        return {"userlist": [user_json(state, u) for u in _users_in(state, req)]}


@route("user/simplelist", "GET")
def user_simplelist(state: SimState, req: Request) -> dict[str, Any]:
    with state.lock:
        users = _users_in(state, req)
        return {"userlist": [{"userid": u.userid, "name": u.name, "department": list(u.department)} for u in users]}


@route("user/list_id", "POST")
def user_list_id(state: SimState, req: Request) -> dict[str, Any]:
    limit = _int(req.arg("limit"), 10000)
    if not 1 <= limit <= 10000:
        raise SimError(40058)
    with state.lock:
        rows = sorted(
            ((u.userid.lower(), d), {"userid": u.userid, "department": d})
            for u in state.company.users.values()
            if u.active
            for d in u.department
        )
    items, next_cursor = state.page(state.scope_of("user/list_id"), rows, str(req.arg("cursor") or ""), limit)
    return {"next_cursor": next_cursor, "dept_user": items}


# --- chat archive (§7.5) ------------------------------------------------------------------------


@route("msgaudit/get_permit_user_list", "POST")
def get_permit_user_list(state: SimState, req: Request) -> dict[str, Any]:
    kind = req.arg("type")
    if kind not in (None, "", 1, 2, 3):
        raise SimError(40058)
    with state.lock:
        return {"ids": state.company.follow_user_ids()}


@route("msgaudit/check_single_agree", "POST")
def check_single_agree(state: SimState, req: Request) -> dict[str, Any]:
    info = req.arg("info")
    if not isinstance(info, list) or not info:
        raise SimError(40058)
    if len(info) >= 100:
        raise SimError(301060)
    out = []
    with state.lock:
        company = state.company
        for item in info:
            if not isinstance(item, dict):
                raise SimError(40058)
            userid, ext = str(item.get("userid") or ""), str(item.get("exteranalopenid") or "")
            c = company.customers.get(ext)
            if userid not in company.users or c is None:
                raise SimError(301061)
            out.append(
                {
                    "userid": userid,
                    "exteranalopenid": ext,
                    "agree_status": c.agree_status,
                    "status_change_time": c.agree_time,
                }
            )
    return {"agreeinfo": out}


@route("msgaudit/groupchat/get", "POST")
def archive_room_get(state: SimState, req: Request) -> dict[str, Any]:
    """An internal group (API.md §7.5, §16). Customer groups and unknown ids: 40050 (use
    externalcontact/groupchat/get for customer groups)."""
    roomid = req.arg("roomid")
    if not isinstance(roomid, str) or not roomid:
        raise SimError(40058)
    if state.archive is None:
        raise SimError(301053)
    with state.lock:
        room = state.company.rooms.get(roomid)
        if room is None or room.dismissed:
            raise SimError(40050)
        return {
            "roomname": room.name,
            "creator": room.creator,
            "room_create_time": room.create_time,
            "notice": room.notice,
            "members": [{"memberid": m.userid, "jointime": m.join_time} for m in room.members],
        }


@route("msgaudit/getchatdata", "POST")
def get_chat_data(state: SimState, req: Request) -> dict[str, Any]:
    """Simulator-only: the Finance SDK's GetChatData over HTTP (archive secret)."""
    seq = _int(req.arg("seq"), 0)
    limit = _int(req.arg("limit"), 1000)
    if limit > 1000:
        raise SimError(301058)
    if seq < 0 or limit < 1:
        raise SimError(40058)
    if state.archive is None:
        raise SimError(301053)
    return {"chatdata": state.archive.chat_data(seq, limit)}


ROUTES["finance/getchatdata"] = ("POST", get_chat_data)
