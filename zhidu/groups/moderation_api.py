"""REST: /api/moderation/ — the moderation ledger, owner tasks (confirm / decline), ban re-join alerts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhidu.core.errors import NotFound
from zhidu.core.schemas import PageIn, Text, paginate
from zhidu.org.models import Department
from zhidu.policies.models import Article, Policy

from . import moderation, selectors
from .models import ActionStatus, BanAlert, ModerationAction, ModerationCase

router = Router(tags=["moderation"])


class ModerationActionOut(Schema):
    id: int
    group_id: int
    kind: str
    status: str
    target_userid: str
    target_type: str
    target_name: str
    decided_by: str
    citation: str
    reason: str
    msgid: str
    company_wide: bool
    decline_reason: str
    created_at: dt.datetime
    done_at: dt.datetime | None


class ModerationCaseOut(Schema):
    id: int
    group_id: int | None
    offender_userid: str
    offender_type: str
    reason: str
    category: str
    msgid: str
    text: str
    status: str
    occurred_at: dt.datetime | None


class BanAlertOut(Schema):
    id: int
    group_id: int
    userid: str
    name: str
    joined_at: dt.datetime


class ModerationOrderIn(Schema):
    kind: str
    target_userid: Annotated[str, Text(64, min_length=1)]
    article_id: int
    reason: Annotated[str, Text(2000, min_length=1)]
    case_id: int | None = None
    company_wide: bool = False


class ModerationDeclineIn(Schema):
    reason: Annotated[str, Text(2000, min_length=1)]


def _action(a: ModerationAction) -> ModerationActionOut:
    return ModerationActionOut(
        id=a.pk,
        group_id=a.group_id,
        kind=a.kind,
        status=a.status,
        target_userid=a.target_userid,
        target_type=a.target_type,
        target_name=a.target_name,
        decided_by=a.decided_by.name,
        citation=a.citation,
        reason=a.reason,
        msgid=a.msgid,
        company_wide=a.company_wide,
        decline_reason=a.decline_reason,
        created_at=a.created_at,
        done_at=a.done_at,
    )


@router.get("/actions", response=list[ModerationActionOut])
def action_list(request: HttpRequest, page: Query[PageIn], status: str = ""):  # type: ignore[no-untyped-def]
    """Newest first; `status=pending` for open owner tasks."""
    qs = ModerationAction.objects.visible_to(request.auth).select_related("decided_by")  # type: ignore[attr-defined]
    if status in ActionStatus.values:
        qs = qs.filter(status=status)
    return [_action(a) for a in paginate(qs, page, descending=True)]


@router.post("/groups/{group_id}/actions", response=ModerationActionOut)
def action_order(request: HttpRequest, group_id: int, payload: ModerationOrderIn) -> ModerationActionOut:
    group = selectors.group_get_for(request.auth, group_id)  # type: ignore[attr-defined]
    case = ModerationCase.objects.filter(pk=payload.case_id, group=group).first() if payload.case_id else None
    action = moderation.moderation_action_order(
        actor=request.auth,  # type: ignore[attr-defined]
        group=group,
        kind=payload.kind,
        target_userid=payload.target_userid,
        article=Article.objects.select_related("version").filter(pk=payload.article_id).first(),
        reason=payload.reason,
        msgid=case.msgid if case else "",
        message_text=case.text if case else "",
        case=case,
        company_wide=payload.company_wide,
    )
    return _action(action)


@router.post("/actions/{action_id}/confirm", response=ModerationActionOut)
def action_confirm(request: HttpRequest, action_id: int) -> ModerationActionOut:
    return _action(moderation.moderation_action_confirm(actor=request.auth, action_id=action_id))  # type: ignore[attr-defined]


@router.post("/actions/{action_id}/decline", response=ModerationActionOut)
def action_decline(request: HttpRequest, action_id: int, payload: ModerationDeclineIn) -> ModerationActionOut:
    action = moderation.moderation_action_decline(actor=request.auth, action_id=action_id, reason=payload.reason)  # type: ignore[attr-defined]
    return _action(action)


@router.get("/cases", response=list[ModerationCaseOut])
def case_list(request: HttpRequest, page: Query[PageIn]):  # type: ignore[no-untyped-def]
    """Newest first."""
    return paginate(ModerationCase.objects.visible_to(request.auth), page, descending=True)  # type: ignore[attr-defined]


@router.get("/alerts", response=list[BanAlertOut])
def alert_list(request: HttpRequest, page: Query[PageIn]):  # type: ignore[no-untyped-def]
    """Banned people who re-joined a group, newest first."""
    return paginate(BanAlert.objects.visible_to(request.auth), page, descending=True)  # type: ignore[attr-defined]


class GroupRulesIn(Schema):
    policy_id: int
    group_id: int | None = None
    department_id: int | None = None


class GroupRulesOut(Schema):
    policy_id: int
    group_id: int | None
    department_id: int | None


@router.post("/rules", response=GroupRulesOut)
def rules_link(request: HttpRequest, payload: GroupRulesIn) -> GroupRulesOut:
    """Make a published regulation the rules of a group, or of every group owned in a department's subtree."""
    viewer = request.auth  # type: ignore[attr-defined]
    group = selectors.group_get_for(viewer, payload.group_id) if payload.group_id else None
    department = Department.objects.visible_to(viewer).filter(pk=payload.department_id or 0).first()
    policy = Policy.objects.visible_to(viewer).filter(pk=payload.policy_id).first()
    if policy is None or (payload.department_id and department is None):
        raise NotFound
    link = moderation.group_rules_link(actor=viewer, policy=policy, group=group, department=department)
    return GroupRulesOut(policy_id=link.policy_id, group_id=link.group_id, department_id=link.department_id)
