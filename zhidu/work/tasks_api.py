"""REST: plans and tasks (prefixes "work/tasks" and "work/plans"), scoped like the pages; writes go through
`tasks_services` (400 bad input, 403 not allowed, 404 not visible, 409 wrong state)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from zhidu.core.errors import DomainError
from zhidu.core.periods import local_today
from zhidu.core.schemas import FilterText, Id, PageIn, Text

from . import errors as E
from . import tasks_selectors as sel
from . import tasks_services as svc
from .models import Plan, Task, TaskChecklistItem, TaskPriority

router = Router(tags=["work: tasks"])
plans_router = Router(tags=["work: plans"])


def _me(request: HttpRequest):  # type: ignore[no-untyped-def]
    return request.auth  # type: ignore[attr-defined]


class TaskPersonOut(Schema):
    member_id: int
    name: str


class TaskOut(Schema):
    id: int
    title: str
    description: str
    status: str
    priority: str
    recurrence: str
    due_at: dt.datetime
    done_at: dt.datetime | None
    done_on_time: bool | None
    created_by: TaskPersonOut
    assignees: list[TaskPersonOut]
    plan_id: int | None
    series_id: int | None
    checklist_total: int
    checklist_done: int


class TaskCheckOut(Schema):
    id: int
    text: str
    done: bool
    done_by_name: str | None


class TaskAttachmentOut(Schema):
    id: int
    name: str
    kind: str
    size: int
    url: str


class TaskCommentOut(Schema):
    id: int
    author: TaskPersonOut
    text: str
    created_at: dt.datetime


class TaskDetailOut(TaskOut):
    checklist: list[TaskCheckOut]
    attachments: list[TaskAttachmentOut]
    comments: list[TaskCommentOut]
    actions: list[str]


class TaskIn(Schema):
    title: Annotated[str, Text(100, min_length=1)]
    description: Annotated[str, Text(svc.DESCRIPTION_MAX)] = ""
    assignee_ids: list[Id]
    due_at: dt.datetime
    priority: str = TaskPriority.NORMAL
    recurrence: str = ""
    plan_id: Id | None = None
    checklist: list[Annotated[str, Text(200)]] = []


class TaskEditIn(Schema):
    title: Annotated[str, Text(100, min_length=1)]
    description: Annotated[str, Text(svc.DESCRIPTION_MAX)] = ""
    assignee_ids: list[Id]
    due_at: dt.datetime
    priority: str = TaskPriority.NORMAL


class TaskActionIn(Schema):
    action: FilterText


class TaskCheckIn(Schema):
    text: Annotated[str, Text(200)]


class TaskTickIn(Schema):
    done: bool


class TaskCommentIn(Schema):
    text: Annotated[str, Text(svc.DESCRIPTION_MAX)]


class TaskFilter(Schema):
    box: Literal["mine", "created", "all"] = "mine"
    status: FilterText = ""


def _person(m) -> TaskPersonOut:  # type: ignore[no-untyped-def]
    return TaskPersonOut(member_id=m.pk, name=m.name)


def _out(t: Task) -> dict[str, object]:
    return {
        "id": t.pk,
        "title": t.title,
        "description": t.description,
        "status": t.status,
        "priority": t.priority,
        "recurrence": t.recurrence,
        "due_at": t.due_at,
        "done_at": t.done_at,
        "done_on_time": t.done_on_time,
        "created_by": _person(t.created_by),
        "assignees": [_person(m) for m in t.assignees.all()],
        "plan_id": t.plan_id,
        "series_id": t.series_id,
        "checklist_total": getattr(t, "checks", 0),
        "checklist_done": getattr(t, "checks_done", 0),
    }


def _check(i: TaskChecklistItem) -> TaskCheckOut:
    return TaskCheckOut(id=i.pk, text=i.text, done=i.done, done_by_name=i.done_by.name if i.done_by else None)


def _detail(me, task_id: int) -> TaskDetailOut:  # type: ignore[no-untyped-def]
    t = sel.task_get_for(me, task_id)
    return TaskDetailOut(
        **_out(t),  # type: ignore[arg-type]
        checklist=[_check(i) for i in sel.task_checklist(t)],
        attachments=[
            TaskAttachmentOut(
                id=a.pk, name=a.name, kind=a.kind, size=a.size, url=reverse("work:task_attachment", args=[t.pk, a.pk])
            )
            for a in sel.task_attachments(t)
        ],
        comments=[
            TaskCommentOut(id=c.pk, author=_person(c.author), text=c.text, created_at=c.created_at)
            for c in sel.task_comments(t)
        ],
        actions=svc.allowed_actions(me, t),
    )


@router.get("", response=list[TaskOut])
def task_list(request: HttpRequest, page: Query[PageIn], f: Query[TaskFilter]) -> list[TaskOut]:
    """Newest first; page with `after` = the last id of the previous page (ids descend)."""
    rows = sel.task_page(_me(request), box=f.box, status=f.status, before=page.after, limit=page.limit)
    return [TaskOut(**_out(t)) for t in rows]  # type: ignore[arg-type]


@router.post("", response={201: TaskDetailOut})
def task_create(request: HttpRequest, payload: TaskIn) -> tuple[int, TaskDetailOut]:
    me = _me(request)
    plan = None
    if payload.plan_id is not None:
        plan = Plan.objects.visible_to(me).filter(pk=payload.plan_id).first()
        if plan is None:
            raise DomainError(E.ERR_PLAN_CHOICE, field="plan_id")
    t = svc.task_create(
        actor=me,
        title=payload.title,
        description=payload.description,
        assignee_ids=payload.assignee_ids,
        due_at=payload.due_at,
        priority=payload.priority,
        recurrence=payload.recurrence,
        plan=plan,
        checklist=payload.checklist,
    )
    return 201, _detail(me, t.pk)


@router.get("/{task_id}", response=TaskDetailOut)
def task_get(request: HttpRequest, task_id: int) -> TaskDetailOut:
    return _detail(_me(request), task_id)


@router.put("/{task_id}", response=TaskDetailOut)
def task_edit(request: HttpRequest, task_id: int, payload: TaskEditIn) -> TaskDetailOut:
    me = _me(request)
    t = sel.task_get_for(me, task_id)
    svc.task_update(
        actor=me,
        task=t,
        title=payload.title,
        description=payload.description,
        assignee_ids=payload.assignee_ids,
        due_at=payload.due_at,
        priority=payload.priority,
    )
    return _detail(me, task_id)


@router.post("/{task_id}/transition", response=TaskDetailOut)
def task_transition(request: HttpRequest, task_id: int, payload: TaskActionIn) -> TaskDetailOut:
    """`action`: start, done, cancel or reopen."""
    me = _me(request)
    svc.task_transition(actor=me, task=sel.task_get_for(me, task_id), action=payload.action)
    return _detail(me, task_id)


@router.post("/{task_id}/stop-series", response=TaskDetailOut)
def task_stop_series(request: HttpRequest, task_id: int) -> TaskDetailOut:
    me = _me(request)
    svc.series_stop(actor=me, task=sel.task_get_for(me, task_id))
    return _detail(me, task_id)


@router.post("/{task_id}/checklist", response={201: TaskDetailOut})
def task_checklist_add(request: HttpRequest, task_id: int, payload: TaskCheckIn) -> tuple[int, TaskDetailOut]:
    me = _me(request)
    svc.checklist_add(actor=me, task=sel.task_get_for(me, task_id), text=payload.text)
    return 201, _detail(me, task_id)


@router.post("/{task_id}/checklist/{item_id}", response=TaskDetailOut)
def task_checklist_tick(request: HttpRequest, task_id: int, item_id: int, payload: TaskTickIn) -> TaskDetailOut:
    me = _me(request)
    svc.checklist_tick(actor=me, item=sel.checklist_item_for(me, task_id, item_id), done=payload.done)
    return _detail(me, task_id)


@router.post("/{task_id}/comments", response={201: TaskDetailOut})
def task_comment_add(request: HttpRequest, task_id: int, payload: TaskCommentIn) -> tuple[int, TaskDetailOut]:
    me = _me(request)
    svc.comment_add(actor=me, task=sel.task_get_for(me, task_id), text=payload.text)
    return 201, _detail(me, task_id)


@router.post("/{task_id}/attachments", response={201: TaskDetailOut})
def task_attachment_add(request: HttpRequest, task_id: int, file: File[UploadedFile]) -> tuple[int, TaskDetailOut]:
    """Multipart upload (field `file`): PDF, PNG, JPG, XLSX, DOCX or TXT, checked by name and content."""
    me = _me(request)
    t = sel.task_get_for(me, task_id)
    data = file.read(settings.WORK_ATTACHMENT_MAX_BYTES + 1)
    svc.attachment_add(actor=me, task=t, name=file.name or "", data=data)
    return 201, _detail(me, task_id)


# --- plans ---------------------------------------------------------------------------------------------------


class TaskPlanOut(Schema):
    id: int
    title: str
    goals: str
    period_kind: str
    period_start: dt.date
    author: TaskPersonOut
    target_tree_id: int | None
    development_plan_ids: list[int]
    task_total: int
    task_done: int


class TaskPlanDetailOut(TaskPlanOut):
    tasks: list[TaskOut]


class TaskPlanIn(Schema):
    period_kind: Literal["week", "month"] = "month"
    day: dt.date | None = None
    title: Annotated[str, Text(100, min_length=1)]
    goals: Annotated[str, Text(svc.GOALS_MAX)] = ""
    target_tree_id: Id | None = None
    development_plan_ids: list[Id] = []


class TaskPlanEditIn(Schema):
    title: Annotated[str, Text(100, min_length=1)]
    goals: Annotated[str, Text(svc.GOALS_MAX)] = ""
    target_tree_id: Id | None = None
    development_plan_ids: list[Id] = []


def _plan(p: Plan, readable: set[int]) -> dict[str, object]:
    """`readable`: the development plan ids the reader may see (a plan names only those)."""
    return {
        "id": p.pk,
        "title": p.title,
        "goals": p.goals,
        "period_kind": p.period_kind,
        "period_start": p.period_start,
        "author": _person(p.author),
        "target_tree_id": p.target_tree_id,
        "development_plan_ids": sorted(d.pk for d in p.development_plans.all() if d.pk in readable),
        "task_total": getattr(p, "task_total", 0),
        "task_done": getattr(p, "task_done", 0),
    }


def _plan_detail(me, plan_id: int) -> TaskPlanDetailOut:  # type: ignore[no-untyped-def]
    p = sel.plan_get_for(me, plan_id)
    out = _plan(p, sel.visible_devplan_ids(me, [p]))
    return TaskPlanDetailOut(**out, tasks=[TaskOut(**_out(t)) for t in sel.plan_tasks(me, p)])  # type: ignore[arg-type]


@plans_router.get("", response=list[TaskPlanOut])
def work_plan_list(request: HttpRequest, page: Query[PageIn]) -> list[TaskPlanOut]:
    """Newest first; page with `after` = the last id of the previous page."""
    me = _me(request)
    rows = sel.plan_page(me, before=page.after, limit=page.limit)
    readable = sel.visible_devplan_ids(me, rows)
    return [TaskPlanOut(**_plan(p, readable)) for p in rows]  # type: ignore[arg-type]


@plans_router.post("", response={201: TaskPlanDetailOut})
def work_plan_create(request: HttpRequest, payload: TaskPlanIn) -> tuple[int, TaskPlanDetailOut]:
    me = _me(request)
    p = svc.plan_create(
        actor=me,
        period_kind=payload.period_kind,
        day=payload.day or local_today(),
        title=payload.title,
        goals=payload.goals,
        target_tree_id=payload.target_tree_id,
        development_plan_ids=payload.development_plan_ids,
    )
    return 201, _plan_detail(me, p.pk)


@plans_router.get("/{plan_id}", response=TaskPlanDetailOut)
def work_plan_get(request: HttpRequest, plan_id: int) -> TaskPlanDetailOut:
    return _plan_detail(_me(request), plan_id)


@plans_router.put("/{plan_id}", response=TaskPlanDetailOut)
def work_plan_edit(request: HttpRequest, plan_id: int, payload: TaskPlanEditIn) -> TaskPlanDetailOut:
    me = _me(request)
    svc.plan_update(
        actor=me,
        plan=sel.plan_get_for(me, plan_id),
        title=payload.title,
        goals=payload.goals,
        target_tree_id=payload.target_tree_id,
        development_plan_ids=payload.development_plan_ids,
    )
    return _plan_detail(me, plan_id)
