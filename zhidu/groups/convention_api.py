"""REST: /api/groups/conventions/ — convention issues of groups in the asking member's scope, reminders, and
designated admins."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from zhidu.core.schemas import PageIn, paginate

from . import conventions, selectors
from .models import ConventionIssue, GroupAdminDesignation

router = Router(tags=["groups"])


class ConventionIssueOut(Schema):
    id: int
    group_id: int
    group_name: str
    kind: str
    userid: str
    member_name: str
    responsible_name: str
    expected: str
    actual: str
    first_seen: dt.datetime
    resolved_at: dt.datetime | None
    reminded_at: dt.datetime | None
    reminders: int


class RemindAllOut(Schema):
    sent: int


class DesignateIn(Schema):
    member_id: int


class DesignationOut(Schema):
    id: int
    group_id: int
    member_id: int
    member_name: str
    designated_by_name: str
    designated_at: dt.datetime


def _issue(i: ConventionIssue) -> dict:  # type: ignore[type-arg]
    return {
        "id": i.pk,
        "group_id": i.group_id,
        "group_name": i.group.name,
        "kind": i.kind,
        "userid": i.userid,
        "member_name": i.member.name if i.member else "",
        "responsible_name": i.responsible.name if i.responsible else "",
        "expected": i.expected,
        "actual": i.actual,
        "first_seen": i.first_seen,
        "resolved_at": i.resolved_at,
        "reminded_at": i.reminded_at,
        "reminders": i.reminders,
    }


def _designation(d: GroupAdminDesignation) -> dict:  # type: ignore[type-arg]
    return {
        "id": d.pk,
        "group_id": d.group_id,
        "member_id": d.member_id,
        "member_name": d.member.name,
        "designated_by_name": d.designated_by.name if d.designated_by else "",
        "designated_at": d.created_at,
    }


@router.get("/issues", response=list[ConventionIssueOut])
def issue_list(  # type: ignore[no-untyped-def]
    request: HttpRequest, page: Query[PageIn], group: int | None = None, resolved: bool = False
):
    """Open issues (with `resolved=true` also resolved ones), newest first; `group` narrows to one group."""
    qs = selectors.issue_list(viewer=request.auth, group_id=group, include_resolved=resolved)  # type: ignore[attr-defined]
    return [_issue(i) for i in paginate(qs, page, descending=True)]


@router.post("/issues/{issue_id}/remind", response=ConventionIssueOut)
def issue_remind(request: HttpRequest, issue_id: int):  # type: ignore[no-untyped-def]
    """Remind the responsible member through WeCom (at most once per GROUP_CONVENTION_REMIND_HOURS)."""
    issue = conventions.issue_remind(actor=request.auth, issue_id=issue_id)  # type: ignore[attr-defined]
    return _issue(selectors.issue_list(viewer=request.auth, include_resolved=True).get(pk=issue.pk))  # type: ignore[attr-defined]


@router.post("/groups/{group_id}/remind-all", response=RemindAllOut)
def remind_all(request: HttpRequest, group_id: int):  # type: ignore[no-untyped-def]
    return {"sent": conventions.group_remind_all(actor=request.auth, group_id=group_id)}  # type: ignore[attr-defined]


@router.get("/groups/{group_id}/admins", response=list[DesignationOut])
def designation_list(request: HttpRequest, group_id: int):  # type: ignore[no-untyped-def]
    group = selectors.group_get_for(request.auth, group_id)  # type: ignore[attr-defined]
    return [_designation(d) for d in selectors.group_designations(group=group)]


@router.post("/groups/{group_id}/admins", response={201: DesignationOut})
def designate(request: HttpRequest, group_id: int, body: DesignateIn):  # type: ignore[no-untyped-def]
    """The head of the group's department (or the director) designates a staff member of the group as admin."""
    row = conventions.group_admin_designate(actor=request.auth, group_id=group_id, member_id=body.member_id)  # type: ignore[attr-defined]
    row = GroupAdminDesignation.objects.select_related("member", "designated_by").get(pk=row.pk)
    return Status(201, _designation(row))
