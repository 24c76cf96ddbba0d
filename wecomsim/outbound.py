"""message/send (API.md §6.1) and the group robot webhook (§6.2). Accepted messages are recorded in
`state.sent` (inspectable at GET /sim/sent)."""

from __future__ import annotations

import secrets
import time
from collections import deque
from typing import Any

from wecomsim.api import Request, _int, route
from wecomsim.state import SimError, SimState

APP_TYPES = {
    "text", "image", "voice", "video", "file", "textcard", "news", "mpnews", "markdown", "miniprogram_notice",
    "template_card",
}  # fmt: skip
ROBOT_TYPES = {"text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"}


def _check_content(msgtype: str, body: dict[str, Any], *, robot: bool) -> None:
    payload = body.get(msgtype)
    if not isinstance(payload, dict):
        raise SimError(40058)
    if msgtype in ("text", "markdown"):
        content = payload.get("content")
        if not isinstance(content, str) or not content.strip():
            raise SimError(44004)
        limit = 4096 if robot and msgtype == "markdown" else 2048
        if len(content.encode("utf-8")) > limit:
            raise SimError(45002)
    if msgtype == "textcard":
        for key, limit in (("title", 128), ("description", 512), ("url", 2048)):
            value = payload.get(key)
            if not isinstance(value, str) or not value:
                raise SimError(41033 if key == "description" else 40058)
            if len(value.encode("utf-8")) > limit:
                raise SimError(45002)


@route("message/send", "POST")
def message_send(state: SimState, req: Request) -> dict[str, Any]:
    body = req.body
    msgtype = str(body.get("msgtype") or "")
    if msgtype not in APP_TYPES:
        raise SimError(40008)
    if _int(body.get("agentid"), 0) != state.agent_id:
        raise SimError(40056)
    _check_content(msgtype, body, robot=False)
    touser = [u for u in str(body.get("touser") or "").split("|") if u]
    toparty = [p for p in str(body.get("toparty") or "").split("|") if p]
    totag = [t for t in str(body.get("totag") or "").split("|") if t]
    if not touser and not toparty and not totag:
        raise SimError(82001)
    if len(touser) > 1000 or len(toparty) > 100 or len(totag) > 100:
        raise SimError(40058)
    with state.lock:
        company = state.company
        if "@all" in touser:
            valid = [u.userid for u in company.active_users() if state.user_visible(req.kind, u.userid)]
            invalid: list[str] = []
        else:
            valid, invalid = [], []
            for userid in touser:
                user = company.users.get(userid)
                ok = user is not None and user.active and state.user_visible(req.kind, userid)
                (valid if ok else invalid).append(userid)
        parties_ok = [p for p in toparty if p.isdigit() and int(p) in company.departments]
        parties_bad = [p for p in toparty if p not in parties_ok]
        for p in parties_ok:
            ids = set(company.subtree(int(p)))
            valid += [u.userid for u in company.active_users() if ids.intersection(u.department)]
        msgid = secrets.token_urlsafe(24)
        extra = {"invaliduser": "|".join(invalid), "invalidparty": "|".join(parties_bad), "invalidtag": "|".join(totag)}
        if not valid:
            raise SimError(81013, msgid=msgid, **extra)
        state.sent.append(
            {
                "channel": "app",
                "msgid": msgid,
                "time": time.time(),
                "msgtype": msgtype,
                "touser": sorted(set(valid)),
                "payload": body,
                **extra,
            }
        )
    return {**extra, "unlicenseduser": "", "msgid": msgid}


@route("webhook/send", "POST")
def robot_send(state: SimState, req: Request) -> dict[str, Any]:
    key = str(req.query.get("key") or "")
    body = req.body
    with state.lock:
        if key not in state.robot_keys:
            raise SimError(93000)
        msgtype = str(body.get("msgtype") or "")
        if msgtype not in ROBOT_TYPES:
            raise SimError(40008)
        _check_content(msgtype, body, robot=True)
        now = state.clock()
        hits = state.robot_hits.setdefault(key, deque())
        while hits and hits[0] <= now - 60:
            hits.popleft()
        if len(hits) >= state.config.robot_limit_per_minute:
            raise SimError(45009)
        hits.append(now)
        state.sent.append({"channel": "robot", "key": key, "time": time.time(), "msgtype": msgtype, "payload": body})
    return {}
