"""The periodic task check (idempotent; run every WORK_TASK_CHECK_SECONDS by the scheduler):

1. active tasks past their due time become overdue; their assignees are told once;
2. a task still not done WORK_TASK_ESCALATE_HOURS after its due time is reported to its creator once;
3. a recurring task that is done, cancelled or past due gets its next occurrence (same title, description,
   assignees and checklist, unticked; due one working day later for "daily", one week later for "weekly";
   `series` points at the first). The `repeated` flag and a unique (series, due_at) constraint make a second run
   create nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhidu.core.audit import audit_record
from zhidu.core.notifications import notify
from zhidu.org.calendars import calendar_resolver
from zhidu.org.workcal import WorkCalendar

from .models import Recurrence, Task, TaskChecklistItem, TaskStatus

SYSTEM = "system: task check"
BATCH = 500  # tasks handled per step and run; the next run takes the rest


@dataclass
class CheckResult:
    overdue: int = 0
    escalated: int = 0
    repeated: int = 0


def _url(task: Task) -> str:
    return reverse("work:task", args=[task.pk])


def next_due(task: Task, cal: WorkCalendar, now: dt.datetime) -> dt.datetime:
    """The next occurrence's due time: one working day (daily) or one week (weekly) after the task's, at the same
    local time; occurrences whose due time already passed are skipped (a stopped scheduler does not pile them)."""
    local = task.due_at.astimezone(cal.tz)
    due = local
    for _ in range(3660):
        if task.recurrence == Recurrence.WEEKLY:
            due = due + dt.timedelta(days=7)
        else:
            due = due + dt.timedelta(days=1)
            while not cal.is_working_day(due.date()):
                due = due + dt.timedelta(days=1)
        due = due.replace(tzinfo=None).replace(tzinfo=cal.tz)  # same wall time across a DST change
        if due > now:
            break
    return due.astimezone(dt.UTC)


def _mark_overdue(now: dt.datetime) -> int:
    rows = list(
        Task.objects.filter(status__in=(TaskStatus.OPEN, TaskStatus.IN_PROGRESS), due_at__lt=now).order_by("pk")[:BATCH]
    )
    done = 0
    for t in rows:
        with transaction.atomic():
            changed = Task.objects.filter(pk=t.pk, status=t.status).update(
                status=TaskStatus.OVERDUE, overdue_notified_at=now, updated_at=now
            )
            if not changed:
                continue
            audit_record(
                actor=None,
                actor_label=SYSTEM,
                verb="task.overdue",
                target=t,
                before={"status": t.status},
                after={"status": TaskStatus.OVERDUE},
            )
            notify(
                member_ids=t.assignees.values_list("pk", flat=True),
                title=gettext("Task overdue"),
                body=t.title,
                url=_url(t),
                dedupe_key=f"task:{t.pk}:overdue:{t.due_at.isoformat()}",
            )
            done += 1
    return done


def _escalate(now: dt.datetime) -> int:
    limit = now - dt.timedelta(hours=settings.WORK_TASK_ESCALATE_HOURS)
    rows = list(
        Task.objects.filter(status=TaskStatus.OVERDUE, escalated_at__isnull=True, due_at__lte=limit).order_by("pk")[
            :BATCH
        ]
    )
    done = 0
    for t in rows:
        with transaction.atomic():
            if not Task.objects.filter(pk=t.pk, escalated_at__isnull=True).update(escalated_at=now, updated_at=now):
                continue
            audit_record(actor=None, actor_label=SYSTEM, verb="task.escalate", target=t, after={"to": t.created_by_id})
            notify(
                member_ids=[t.created_by_id],
                title=gettext("A task you gave is still not done"),
                body=t.title,
                url=_url(t),
                dedupe_key=f"task:{t.pk}:escalate:{t.due_at.isoformat()}",
            )
            done += 1
    return done


def _repeat(now: dt.datetime) -> int:
    due_q = Q(status__in=(TaskStatus.DONE, TaskStatus.CANCELLED)) | Q(due_at__lt=now)
    rows = list(
        Task.objects.exclude(recurrence=Recurrence.NONE)
        .filter(due_q, repeated=False)
        .select_related("created_by")
        .order_by("pk")[:BATCH]
    )
    if not rows:
        return 0
    cals = calendar_resolver()
    made = 0
    for t in rows:
        due = next_due(t, cals.for_department(t.department_id), now)
        root = t.series_id or t.pk
        try:
            with transaction.atomic():
                if not Task.objects.filter(pk=t.pk, repeated=False).update(repeated=True):
                    continue
                nxt = Task.objects.create(
                    title=t.title,
                    description=t.description,
                    created_by=t.created_by,
                    department_id=t.department_id,
                    plan_id=t.plan_id,
                    due_at=due,
                    priority=t.priority,
                    recurrence=t.recurrence,
                    series_id=root,
                )
                members = list(t.assignees.values_list("pk", flat=True))
                nxt.assignees.set(members)
                TaskChecklistItem.objects.bulk_create(
                    [TaskChecklistItem(task=nxt, text=text) for text in t.checklist.values_list("text", flat=True)]
                )
                audit_record(
                    actor=None,
                    actor_label=SYSTEM,
                    verb="task.repeat",
                    target=nxt,
                    after={"series": root, "after": t.pk, "due_at": due.isoformat()},
                )
                notify(
                    member_ids=members,
                    title=gettext("New task for you"),
                    body=nxt.title,
                    url=_url(nxt),
                    dedupe_key=f"task:{nxt.pk}:new",
                )
                made += 1
        except IntegrityError:
            # The occurrence for that due time exists already (two checks raced): this one is repeated too.
            Task.objects.filter(pk=t.pk).update(repeated=True)
    return made


def task_check(*, now: dt.datetime | None = None) -> CheckResult:
    now = now or timezone.now()
    return CheckResult(overdue=_mark_overdue(now), escalated=_escalate(now), repeated=_repeat(now))
