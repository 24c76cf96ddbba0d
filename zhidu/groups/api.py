"""REST: /api/groups/ (list with kind filter, detail with members), scoped to the asking member. Customer groups
(kind customer) and internal groups (kind internal: staff only, from the chat archive)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhidu.core.schemas import PageIn, SearchText, paginate

from . import selectors

router = Router(tags=["groups"])
GroupKindFilter = Literal["", "customer", "internal"]


class GroupOut(Schema):
    id: int
    chat_id: str
    name: str
    kind: str
    creator_userid: str
    owner_userid: str
    owner_name: str
    status: str
    created: dt.datetime | None
    members: int


class GroupMemberOut(Schema):
    userid: str
    type: str
    name: str
    group_nickname: str
    is_admin: bool
    join_time: dt.datetime | None
    join_scene: int


class GroupDetailOut(GroupOut):
    notice: str
    member_list: list[GroupMemberOut]


def _out(g, members: int) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": g.pk,
        "chat_id": g.chat_id,
        "name": g.name,
        "kind": g.kind,
        "creator_userid": g.creator_userid,
        "owner_userid": g.owner_userid,
        "owner_name": g.owner.name if g.owner else "",
        "status": g.status,
        "created": g.created,
        "members": members,
    }


@router.get("/", response=list[GroupOut])
def group_list(  # type: ignore[no-untyped-def]
    request: HttpRequest, page: Query[PageIn], q: SearchText = "", kind: GroupKindFilter = ""
):
    """Newest first; `after` is the id of the last group of the previous page; `kind` customer or internal."""
    qs = selectors.group_list(viewer=request.auth, q=q, kind=kind)  # type: ignore[attr-defined]
    return [_out(g, g.present_count) for g in paginate(qs, page, descending=True)]  # type: ignore[attr-defined]


@router.get("/{group_id}", response=GroupDetailOut)
def group_detail(request: HttpRequest, group_id: int):  # type: ignore[no-untyped-def]
    group = selectors.group_get_for(request.auth, group_id)  # type: ignore[attr-defined]
    members = selectors.group_members(group=group)
    return {**_out(group, len(members)), "notice": group.notice, "member_list": members}
