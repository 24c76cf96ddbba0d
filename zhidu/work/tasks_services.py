"""Writes of plans and tasks. Each validates everything first, then writes in one transaction with its audit record;
the assignees are notified (outbox)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError
from zhidu.core.notifications import notify
from zhidu.core.text import clean_text, model_max_length
from zhidu.org.models import Member, work_scope_q

from . import errors as E
from .models import Plan, Recurrence, Task, TaskPriority

DESCRIPTION_MAX = 5000


def assignable_members(actor: Member) -> list[Member]:
    """The active members `actor` may assign tasks to (their work scope, themselves included): form choices."""
    return list(Member.objects.active().filter(pk__in=work_scope_q(actor)).order_by("department_id", "name"))


def _check_assignees(actor: Member, assignee_ids: Iterable[int]) -> list[Member]:
    ids = list(dict.fromkeys(int(pk) for pk in assignee_ids))
    if not ids:
        raise DomainError(E.ERR_TASK_NO_ASSIGNEE, field="assignees")
    allowed = {m.pk: m for m in Member.objects.active().filter(pk__in=ids).filter(pk__in=work_scope_q(actor))}
    for pk in ids:
        if pk not in allowed:
            other = Member.objects.filter(pk=pk).first()
            raise DomainError(E.ERR_TASK_ASSIGNEE_SCOPE, field="assignees", code="forbidden", name=other or pk)
    return [allowed[pk] for pk in ids]


def task_create(
    *,
    actor: Member,
    title: str,
    assignee_ids: Iterable[int],
    due_at: dt.datetime,
    description: str = "",
    priority: str = TaskPriority.NORMAL,
    recurrence: str = Recurrence.NONE,
    plan: Plan | None = None,
    series: Task | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """Create a task for members in the actor's work scope (a salesperson may create one for themselves)."""
    now = now or timezone.now()
    title = clean_text(title, field="title", max_length=model_max_length(Task, "title")).strip()
    description = clean_text(description, field="description", max_length=DESCRIPTION_MAX).strip()
    if not title:
        raise DomainError(E.ERR_TASK_TITLE, field="title")
    if priority not in TaskPriority.values:
        raise DomainError(E.ERR_TASK_PRIORITY, field="priority")
    if recurrence not in Recurrence.values:
        raise DomainError(E.ERR_TASK_RECURRENCE, field="recurrence")
    if due_at < now:
        raise DomainError(E.ERR_TASK_DUE_PAST, field="due_at")
    assignees = _check_assignees(actor, assignee_ids)
    with transaction.atomic():
        task = Task.objects.create(
            title=title,
            description=description,
            created_by=actor,
            department_id=actor.department_id,
            plan=plan,
            due_at=due_at,
            priority=priority,
            recurrence=recurrence,
            series=series,
        )
        task.assignees.set(assignees)
        audit_record(
            actor=actor,
            verb="task.create",
            target=task,
            after={
                "title": title,
                "assignees": [m.pk for m in assignees],
                "due_at": due_at.isoformat(),
                "priority": priority,
                "recurrence": recurrence,
            },
        )
        notify(
            member_ids=[m.pk for m in assignees if m.pk != actor.pk],
            title=gettext("New task for you"),
            body=title,
            url=reverse("work:task", args=[task.pk]),
            dedupe_key=f"task:{task.pk}:new",
        )
    return task
