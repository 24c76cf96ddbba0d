"""On-job and resigned customer transfers (API.md §4.8) as a state machine, plus group-chat transfers.

A transfer starts in status 2 (waiting) and resolves when `transfer_delay` seconds have passed (standing
in for WeCom's 24 h) or, if `transfer_result_calls` > 0, after that many transfer_result calls have seen
it: status 1 (done: the follow relation moves, del_external_contact Source=DELETE_BY_TRANSFER for the
old follower on-job, add_external_contact for the new one), 3 (customer refused) or 4 (takeover member
at the customer cap), the last two with a transfer_fail callback. Outcomes 3/4 are forced per customer
with `transfer_outcomes` or drawn with `transfer_refuse_share`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from wecomsim import events as ev
from wecomsim.api import Request, _int, _str_list, route
from wecomsim.company import DAY, SimFollow
from wecomsim.state import SimError, SimState

WAITING, DONE, REFUSED, LIMIT = 2, 1, 3, 4


@dataclass
class Transfer:
    kind: str  # "onjob" | "resigned"
    handover: str
    takeover: str
    external_userid: str
    start: float
    due: float
    status: int = WAITING
    finished: float = 0.0
    result_calls: int = 0

    @property
    def takeover_time(self) -> int:
        return int(self.finished or self.due)


def _start(state: SimState, req: Request, kind: str) -> dict[str, Any]:
    handover_id = str(req.arg("handover_userid") or "")
    takeover_id = str(req.arg("takeover_userid") or "")
    externals = _str_list(req.arg("external_userid"), max_len=100)
    if not externals:
        raise SimError(40058)
    with state.lock:
        company = state.company
        handover = company.users.get(handover_id)
        if handover is None:
            raise SimError(60111)
        if kind == "onjob" and not handover.active:
            raise SimError(60111)
        if kind == "resigned" and handover.status != 5:
            raise SimError(40097)
        state.require_user(req.kind, takeover_id)
        if handover_id == takeover_id:
            raise SimError(40130)
        now = state.clock()
        out = []
        for ext in externals:
            c = company.customers.get(ext)
            if c is None:
                code = 40096
            elif handover_id not in c.follows:
                code = 40131
            elif any(t.status == WAITING and t.external_userid == ext for t in state.transfers.values()):
                code = 40129
            elif kind == "onjob" and len([x for x in state.transfer_counts.get(ext, []) if x > now - 90 * DAY]) >= 2:
                code = 40128
            else:
                code = 0
                state.transfers[(kind, ext)] = Transfer(
                    kind, handover_id, takeover_id, ext, now, now + float(state.config.transfer_delay)
                )
                if kind == "onjob":
                    state.transfer_counts.setdefault(ext, []).append(now)
            out.append({"external_userid": ext, "errcode": code})
        return {"customer": out}


@route("externalcontact/transfer_customer", "POST")
def transfer_customer(state: SimState, req: Request) -> dict[str, Any]:
    if req.arg("transfer_success_msg") and len(str(req.arg("transfer_success_msg"))) > 200:
        raise SimError(40058)
    return _start(state, req, "onjob")


@route("externalcontact/resigned/transfer_customer", "POST")
def resigned_transfer_customer(state: SimState, req: Request) -> dict[str, Any]:
    return _start(state, req, "resigned")


def _result(state: SimState, req: Request, kind: str) -> dict[str, Any]:
    handover, takeover = str(req.arg("handover_userid") or ""), str(req.arg("takeover_userid") or "")
    if not handover or not takeover:
        raise SimError(40058)
    with state.lock:
        mine = [
            t for t in state.transfers.values() if t.kind == kind and t.handover == handover and t.takeover == takeover
        ]
        for t in mine:
            if t.status == WAITING:
                t.result_calls += 1
        advance(state)
        rows = sorted(
            (
                t.external_userid,
                {"external_userid": t.external_userid, "status": t.status, "takeover_time": t.takeover_time},
            )
            for t in mine
        )
    scope = state.scope_of("transfer_result", kind, handover, takeover)
    items, next_cursor = state.page(scope, rows, str(req.arg("cursor") or ""), 1000)
    return {"customer": items, "next_cursor": next_cursor}


@route("externalcontact/transfer_result", "POST")
def transfer_result(state: SimState, req: Request) -> dict[str, Any]:
    return _result(state, req, "onjob")


@route("externalcontact/resigned/transfer_result", "POST")
def resigned_transfer_result(state: SimState, req: Request) -> dict[str, Any]:
    return _result(state, req, "resigned")


def _outcome(state: SimState, ext: str) -> int:
    forced = state.config.transfer_outcomes.get(ext)
    if forced in (REFUSED, LIMIT, DONE):
        return int(forced)
    share = float(state.config.transfer_refuse_share)
    if share > 0:
        h = int.from_bytes(hashlib.sha256(f"{state.company.seed}:{ext}".encode()).digest()[:4], "big")
        if h / 2**32 < share:
            return REFUSED
    return DONE


def advance(state: SimState, *, force: bool = False) -> int:
    """Resolve due transfers (all waiting ones with `force`). Returns how many resolved."""
    resolved = 0
    with state.lock:
        now = state.clock()
        calls = int(state.config.transfer_result_calls)
        for t in list(state.transfers.values()):
            if t.status != WAITING:
                continue
            if not (force or now >= t.due or (calls > 0 and t.result_calls >= calls)):
                continue
            _resolve(state, t, now)
            resolved += 1
    return resolved


def _resolve(state: SimState, t: Transfer, now: float) -> None:
    company = state.company
    c = company.customers.get(t.external_userid)
    outcome = _outcome(state, t.external_userid) if c is not None and t.handover in c.follows else REFUSED
    t.status, t.finished = outcome, now
    ts = int(now)
    if outcome != DONE:
        reason = "customer_refused" if outcome == REFUSED else "customer_limit_exceed"
        state.emit(
            ev.external_contact_event(
                state.corp_id, ts, "transfer_fail", t.takeover, t.external_userid, FailReason=reason
            )
        )
        return
    assert c is not None
    old = company.remove_follow(c, t.handover)
    if t.takeover not in c.follows:
        company.add_follow(
            c,
            SimFollow(
                userid=t.takeover,
                remark=old.remark if old else "",
                description=old.description if old else "",
                createtime=ts,
                tag_ids=list(old.tag_ids) if old else [],
                remark_corp_name=old.remark_corp_name if old else "",
                remark_mobiles=list(old.remark_mobiles) if old else [],
                oper_userid=t.handover,
                add_way=202,
            ),
        )
    if t.kind == "onjob":
        state.emit(
            ev.external_contact_event(
                state.corp_id, ts, "del_external_contact", t.handover, t.external_userid, Source="DELETE_BY_TRANSFER"
            )
        )
    state.emit(ev.external_contact_event(state.corp_id, ts, "add_external_contact", t.takeover, t.external_userid))


@route("externalcontact/get_unassigned_list", "POST")
def get_unassigned_list(state: SimState, req: Request) -> dict[str, Any]:
    page_size = _int(req.arg("page_size"), 1000)
    if not 1 <= page_size <= 1000:
        raise SimError(40058)
    with state.lock:
        rows = sorted(
            ((h, e), {"handover_userid": h, "external_userid": e, "dimission_time": d})
            for h, e, d in state.company.unassigned()
        )
    items, next_cursor = state.page(state.scope_of("unassigned"), rows, str(req.arg("cursor") or ""), page_size)
    return {"info": items, "is_last": not next_cursor, "next_cursor": next_cursor}


def _group_transfer(state: SimState, req: Request, resigned: bool) -> dict[str, Any]:
    chat_ids = _str_list(req.arg("chat_id_list"), max_len=100)
    if not chat_ids:
        raise SimError(40058)
    with state.lock:
        new_owner = state.require_user(req.kind, str(req.arg("new_owner") or ""))
        company = state.company
        failed = []
        for chat_id in chat_ids:
            g = company.groups.get(chat_id)
            owner = company.users.get(g.owner) if g else None
            owner_left = owner is None or not owner.active
            if g is None or g.dismissed:
                code = 40050
            elif resigned and not owner_left:
                code = 90500  # owner has not resigned
            elif not resigned and owner_left:
                code = 90502  # owner already resigned: use the resigned API
            elif g.owner == new_owner.userid:
                code = 40130
            else:
                code = 0
            if code:
                failed.append({"chat_id": chat_id, "errcode": code, "errmsg": "failed"})
                continue
            assert g is not None
            from wecomsim.mutations import group_change_owner

            group_change_owner(state, g, new_owner.userid, status=3 if resigned else 0)
        return {"failed_chat_list": failed}


@route("externalcontact/groupchat/onjob_transfer", "POST")
def groupchat_onjob_transfer(state: SimState, req: Request) -> dict[str, Any]:
    return _group_transfer(state, req, resigned=False)


@route("externalcontact/groupchat/transfer", "POST")
def groupchat_transfer(state: SimState, req: Request) -> dict[str, Any]:
    return _group_transfer(state, req, resigned=True)
