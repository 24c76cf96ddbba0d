"""REST: the reply dashboard's figures (ours beside WeCom's) in the caller's scope, and the responder of a
customer group."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhidu.core.errors import NotFound
from zhidu.core.schemas import FilterText, Id

from .reply_selectors import dashboard_dict, reply_dashboard, reply_range, waited_minutes
from .services.reply import reply_responder_set

router = Router(tags=["reply"])


class ReplyFiguresOut(Schema):
    label: str
    waits: int
    answered: int
    unanswered: int
    open: int
    in_time_share: float | None
    p50_minutes: float | None
    p90_minutes: float | None
    wecom_chats: int
    wecom_reply_percentage: float | None
    wecom_avg_reply_time: float | None


class ReplyMemberFiguresOut(ReplyFiguresOut):
    id: int


class ReplySlowWaitOut(Schema):
    member: str
    kind: str
    asked_at: dt.datetime
    deadline: dt.datetime
    waited_minutes: float
    text: str


class ReplyDashboardOut(Schema):
    start: dt.date
    end: dt.date
    members: list[ReplyMemberFiguresOut]
    teams: list[ReplyFiguresOut]
    departments: list[ReplyFiguresOut]
    total: ReplyFiguresOut
    slowest: list[ReplySlowWaitOut]
    truncated: bool


class ReplyRangeIn(Schema):
    start: FilterText = ""
    end: FilterText = ""


class ReplyResponderIn(Schema):
    member: Id | None = None


class ReplyResponderOut(Schema):
    member_name: str


@router.get("/reply", response=ReplyDashboardOut)
def reply_stats(request: HttpRequest, params: Query[ReplyRangeIn]) -> ReplyDashboardOut:
    viewer = request.auth  # type: ignore[attr-defined]
    start, end = reply_range(params.start, params.end)
    board = reply_dashboard(viewer=viewer, start=start, end=end)
    return ReplyDashboardOut(**dashboard_dict(board, waited_minutes(board.slowest)))


@router.post("/reply/groups/{group_id}/responder", response=ReplyResponderOut)
def reply_responder(request: HttpRequest, group_id: int, payload: ReplyResponderIn) -> ReplyResponderOut:
    """Designate who answers customers in a customer group (leads of the group owner's work; null: the owner)."""
    from zhidu.groups.models import GroupChat
    from zhidu.org.models import LEAD_ROLES, Member

    viewer = request.auth  # type: ignore[attr-defined]
    group = GroupChat.objects.visible_to(viewer).filter(pk=group_id).first()
    if group is None or viewer.role not in LEAD_ROLES or group.owner is None or not viewer.can_see_work_of(group.owner):
        raise NotFound()
    member = None
    if payload.member is not None:
        member = Member.objects.visible_to(viewer).filter(pk=payload.member).first()
        if member is None:
            raise NotFound()
    reply_responder_set(actor=viewer, group=group, member=member)
    return ReplyResponderOut(member_name=member.name if member else "")
