"""Writes of plans and tasks. Each validates everything first, then writes in one transaction with its audit record;
the people who must know are notified (outbox).

Who may do what on a task: its assignees and its creator work on it (start, done, checklist, comments,
attachments); its creator edits it; its creator or a lead whose work scope holds the creator cancels, reopens
or stops its series. The periodic `task_check` marks past-due tasks overdue, escalates them and repeats
recurring tasks (see `tasks_periodic.py`)."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.notifications import notify
from zhidu.core.periods import period_end
from zhidu.core.text import clean_text, model_max_length
from zhidu.customers.models import DevelopmentPlan
from zhidu.org.models import LEAD_ROLES, Member, work_scope_q
from zhidu.sales.models import TargetNode, TargetTree

from . import errors as E
from .models import (
    ACTIVE_STATUSES,
    Plan,
    PlanPeriod,
    Recurrence,
    Task,
    TaskAttachment,
    TaskChecklistItem,
    TaskComment,
    TaskPriority,
    TaskStatus,
)

DESCRIPTION_MAX = 5000
CHECK_MAX_LEN = 200


def assignable_members(actor: Member) -> list[Member]:
    """The active members `actor` may assign tasks to (their work scope, themselves included): form choices."""
    return list(Member.objects.active().filter(pk__in=work_scope_q(actor)).order_by("department_id", "name"))


def _check_assignees(actor: Member, assignee_ids: Iterable[int]) -> list[Member]:
    ids = list(dict.fromkeys(int(pk) for pk in assignee_ids))
    if not ids:
        raise DomainError(E.ERR_TASK_NO_ASSIGNEE, field="assignees")
    allowed = members_in_scope(actor, ids, error=E.ERR_TASK_ASSIGNEE_SCOPE, field="assignees")
    return [allowed[pk] for pk in ids]


def member_label(pk: int) -> str:
    """How an error names a member: their name, never a bare id (one that does not exist reads as unknown)."""
    other = Member.objects.filter(pk=pk).first()
    return other.name if other is not None else gettext("an unknown member")


def members_in_scope(actor: Member, ids: list[int], *, error: str, field: str) -> dict[int, Member]:
    """The active members `ids` by id, all within the actor's work scope; the first one outside is refused with
    `error` (a template with `{name}`)."""
    allowed = {m.pk: m for m in Member.objects.active().filter(pk__in=ids).filter(pk__in=work_scope_q(actor))}
    for pk in ids:
        if pk not in allowed:
            raise DomainError(error, field=field, code="forbidden", name=member_label(pk))
    return allowed


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
    checklist: Iterable[str] = (),
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
    _check_due_ahead(due_at, now)
    assignees = _check_assignees(actor, assignee_ids)
    items = clean_checklist(checklist)
    if plan is not None and plan.author_id != actor.pk:
        raise DomainError(E.ERR_PLAN_CHOICE, field="plan", code="forbidden")
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
        TaskChecklistItem.objects.bulk_create([TaskChecklistItem(task=task, text=t) for t in items])
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
                "checklist": items,
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


def _check_due_ahead(due_at: dt.datetime, now: dt.datetime) -> None:
    days = settings.WORK_TASK_DUE_MAX_DAYS
    if due_at > now + dt.timedelta(days=days):
        raise DomainError(E.ERR_TASK_DUE_FAR, field="due_at", days=days)


def clean_checklist(lines: Iterable[str]) -> list[str]:
    items = [clean_text(t, field="checklist", max_length=CHECK_MAX_LEN).strip() for t in lines]
    items = [t for t in items if t]
    if len(items) > settings.WORK_TASK_CHECKLIST_MAX:
        raise DomainError(E.ERR_CHECK_TOO_MANY, field="checklist", max=settings.WORK_TASK_CHECKLIST_MAX)
    return items


# --- who may do what ---------------------------------------------------------------------------------------


def is_assignee(member: Member, task: Task) -> bool:
    return task.assignees.filter(pk=member.pk).exists()


def can_work_on(member: Member, task: Task) -> bool:
    """Assignees and the creator: start, done, checklist, comments, attachments."""
    return member.is_active and (task.created_by_id == member.pk or is_assignee(member, task))


def can_manage(member: Member, task: Task) -> bool:
    """The creator, or a lead whose work scope holds the creator: cancel, reopen, stop the series."""
    if not member.is_active:
        return False
    if task.created_by_id == member.pk:
        return True
    return (
        member.role in LEAD_ROLES and Member.objects.filter(pk=task.created_by_id, pk__in=work_scope_q(member)).exists()
    )


class Action:
    START = "start"
    DONE = "done"
    CANCEL = "cancel"
    REOPEN = "reopen"

    FROM = {
        START: (TaskStatus.OPEN,),
        DONE: ACTIVE_STATUSES,
        CANCEL: ACTIVE_STATUSES,
        REOPEN: (TaskStatus.DONE, TaskStatus.CANCELLED),
    }
    LABELS = {
        START: gettext_noop("Start"),
        DONE: gettext_noop("Mark done"),
        CANCEL: gettext_noop("Cancel"),
        REOPEN: gettext_noop("Reopen"),
    }


AUDITED = ["status", "done_at", "done_on_time", "due_at", "priority", "title", "recurrence"]


def allowed_actions(member: Member, task: Task) -> list[str]:
    """The transitions `member` may make on `task` now (for buttons and the API)."""
    out = []
    work, manage = can_work_on(member, task), can_manage(member, task)
    for action, starts in Action.FROM.items():
        if task.status not in starts:
            continue
        if (action in (Action.START, Action.DONE) and work) or (action in (Action.CANCEL, Action.REOPEN) and manage):
            out.append(action)
    return out


def _assignee_ids(task: Task) -> list[int]:
    return list(task.assignees.values_list("pk", flat=True))


def _url(task: Task) -> str:
    return reverse("work:task", args=[task.pk])


def task_transition(*, actor: Member, task: Task, action: str, now: dt.datetime | None = None) -> Task:
    """start / done (done_at, done_on_time) / cancel / reopen."""
    if action not in Action.FROM:
        raise DomainError(E.ERR_TASK_ACTION, field="action")
    now = now or timezone.now()
    with transaction.atomic():
        t = Task.objects.select_for_update().get(pk=task.pk)
        if action not in allowed_actions(actor, t):
            if t.status not in Action.FROM[action]:
                raise DomainError(
                    E.ERR_TASK_STEP,
                    code="conflict",
                    field="action",
                    status=t.get_status_display(),
                    action=gettext(Action.LABELS[action]),
                )
            raise DomainError(E.ERR_TASK_NOT_ALLOWED, code="forbidden")
        before = snapshot(t, AUDITED)
        if action == Action.START:
            t.status = TaskStatus.IN_PROGRESS
        elif action == Action.DONE:
            t.status, t.done_at, t.done_on_time = TaskStatus.DONE, now, now <= t.due_at
        elif action == Action.CANCEL:
            t.status = TaskStatus.CANCELLED
        else:
            t.status = TaskStatus.OVERDUE if t.due_at < now else TaskStatus.OPEN
            t.done_at = t.done_on_time = None
        t.save(update_fields=["status", "done_at", "done_on_time", "updated_at"])
        audit_record(actor=actor, verb=f"task.{action}", target=t, before=before, after=snapshot(t, AUDITED))
        if action == Action.DONE:
            told = [t.created_by_id]
            title = gettext("Task done")
        elif action == Action.START:
            told, title = [], ""
        else:
            told = _assignee_ids(t)
            title = gettext("Task cancelled") if action == Action.CANCEL else gettext("Task reopened")
        told = [pk for pk in told if pk != actor.pk]
        if told:
            notify(member_ids=told, title=title, body=t.title, url=_url(t))
    return t


def task_update(
    *,
    actor: Member,
    task: Task,
    title: str,
    description: str,
    assignee_ids: Iterable[int],
    due_at: dt.datetime,
    priority: str,
    now: dt.datetime | None = None,
) -> Task:
    """The creator edits an unfinished or finished task: text, due time (not past), assignees (in scope), priority.
    A due time moved into the future takes an overdue task back to open (and re-arms the overdue reminders)."""
    now = now or timezone.now()
    if task.created_by_id != actor.pk or not actor.is_active:
        raise DomainError(E.ERR_TASK_NOT_CREATOR, code="forbidden")
    title = clean_text(title, field="title", max_length=model_max_length(Task, "title")).strip()
    description = clean_text(description, field="description", max_length=DESCRIPTION_MAX).strip()
    if not title:
        raise DomainError(E.ERR_TASK_TITLE, field="title")
    if priority not in TaskPriority.values:
        raise DomainError(E.ERR_TASK_PRIORITY, field="priority")
    if due_at != task.due_at and due_at < now:
        raise DomainError(E.ERR_TASK_DUE_PAST, field="due_at")
    if due_at != task.due_at:
        _check_due_ahead(due_at, now)
    assignees = _check_assignees(actor, assignee_ids)
    with transaction.atomic():
        t = Task.objects.select_for_update().get(pk=task.pk)
        before = {**snapshot(t, AUDITED), "assignees": _assignee_ids(t)}
        old_ids = set(before["assignees"])
        t.title, t.description, t.priority = title, description, priority
        if due_at != t.due_at:
            t.due_at = due_at
            t.overdue_notified_at = t.escalated_at = None
            if t.status == TaskStatus.OVERDUE and due_at >= now:
                t.status = TaskStatus.OPEN
        t.save()
        t.assignees.set(assignees)
        after = {**snapshot(t, AUDITED), "assignees": [m.pk for m in assignees]}
        audit_record(actor=actor, verb="task.update", target=t, before=before, after=after)
        new_ids = [m.pk for m in assignees if m.pk not in old_ids and m.pk != actor.pk]
        notify(member_ids=new_ids, title=gettext("New task for you"), body=t.title, url=_url(t))
        kept = [m.pk for m in assignees if m.pk in old_ids and m.pk != actor.pk]
        notify(member_ids=kept, title=gettext("Task changed"), body=t.title, url=_url(t))
    return t


def checklist_add(*, actor: Member, task: Task, text: str) -> TaskChecklistItem:
    if not can_work_on(actor, task):
        raise DomainError(E.ERR_TASK_NOT_ALLOWED, code="forbidden")
    text = clean_text(text, field="text", max_length=CHECK_MAX_LEN).strip()
    if not text:
        raise DomainError(E.ERR_CHECK_TEXT, field="text")
    if task.checklist.count() >= settings.WORK_TASK_CHECKLIST_MAX:
        raise DomainError(E.ERR_CHECK_TOO_MANY, field="text", max=settings.WORK_TASK_CHECKLIST_MAX)
    with transaction.atomic():
        item = TaskChecklistItem.objects.create(task=task, text=text)
        audit_record(actor=actor, verb="task.checklist_add", target=task, after={"item": item.pk, "text": text})
    return item


def checklist_tick(*, actor: Member, item: TaskChecklistItem, done: bool) -> TaskChecklistItem:
    """Tick or untick an item (assignees and the creator)."""
    if not can_work_on(actor, item.task):
        raise DomainError(E.ERR_TASK_NOT_ALLOWED, code="forbidden")
    with transaction.atomic():
        it = TaskChecklistItem.objects.select_for_update().get(pk=item.pk)
        if it.done != done:
            it.done = done
            it.done_by, it.done_at = (actor, timezone.now()) if done else (None, None)
            it.save(update_fields=["done", "done_by", "done_at", "updated_at"])
            audit_record(
                actor=actor,
                verb="task.checklist_tick" if done else "task.checklist_untick",
                target=it.task,
                before={"item": it.pk, "done": not done},
                after={"item": it.pk, "done": done},
            )
    return it


def comment_add(*, actor: Member, task: Task, text: str) -> TaskComment:
    if not can_work_on(actor, task) and not can_manage(actor, task):
        raise DomainError(E.ERR_TASK_NOT_ALLOWED, code="forbidden")
    text = clean_text(text, field="text", max_length=DESCRIPTION_MAX).strip()
    if not text:
        raise DomainError(E.ERR_COMMENT_TEXT, field="text")
    with transaction.atomic():
        c = TaskComment.objects.create(task=task, author=actor, text=text)
        audit_record(actor=actor, verb="task.comment", target=task, after={"comment": c.pk})
        told = [pk for pk in [task.created_by_id, *_assignee_ids(task)] if pk != actor.pk]
        notify(
            member_ids=told,
            title=gettext("New comment on a task"),
            body=f"{actor.name}: {text[:80]}",
            url=_url(task),
            dedupe_key=f"task:{task.pk}:comment:{c.pk}",
        )
    return c


def series_stop(*, actor: Member, task: Task) -> Task:
    """Stop a recurring series: no further occurrence is created (the existing ones stay)."""
    if not can_manage(actor, task):
        raise DomainError(E.ERR_TASK_NOT_ALLOWED, code="forbidden")
    if task.recurrence == Recurrence.NONE:
        raise DomainError(E.ERR_SERIES_NOT_RECURRING, code="conflict")
    root = task.series_root_id
    with transaction.atomic():
        rows = Task.objects.select_for_update().filter(Q(pk=root) | Q(series_id=root)).exclude(recurrence="")
        stopped = [t.pk for t in rows]
        Task.objects.filter(pk__in=stopped).update(recurrence=Recurrence.NONE, updated_at=timezone.now())
        audit_record(
            actor=actor,
            verb="task.series_stop",
            target=task,
            before={"recurrence": task.recurrence},
            after={"recurrence": "", "tasks": stopped},
        )
    task.refresh_from_db()
    return task


# --- attachments ---------------------------------------------------------------------------------------------

# Allowed extensions and how their content must begin (a zip-based Office file must also hold its main part).
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "xlsx": (b"PK\x03\x04",),
    "docx": (b"PK\x03\x04",),
    "txt": (),
}
_OFFICE_PART = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}


def _content_matches(ext: str, data: bytes) -> bool:
    if ext == "txt":
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    if not data.startswith(_SIGNATURES[ext]):
        return False
    part = _OFFICE_PART.get(ext)
    if part is None:
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return part in z.namelist()
    except zipfile.BadZipFile:
        return False


def attachment_check(*, name: str, data: bytes) -> str:
    """The file's extension (lower case) if it may be attached; DomainError otherwise."""
    if not data:
        raise DomainError(E.ERR_ATTACH_EMPTY, field="file")
    if len(data) > settings.WORK_ATTACHMENT_MAX_BYTES:
        mb = round(settings.WORK_ATTACHMENT_MAX_BYTES / (1024 * 1024), 1)
        raise DomainError(E.ERR_ATTACH_TOO_BIG, field="file", max=mb)
    ext = PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")
    if ext not in _SIGNATURES:
        raise DomainError(E.ERR_ATTACH_TYPE, field="file")
    if not _content_matches(ext, data):
        raise DomainError(E.ERR_ATTACH_CONTENT, field="file")
    return ext


def attachment_add(*, actor: Member, task: Task, name: str, data: bytes) -> TaskAttachment:
    """Store a file on a task (assignees and the creator). A refused file writes nothing, in storage or database."""
    if not can_work_on(actor, task):
        raise DomainError(E.ERR_TASK_NOT_ALLOWED, code="forbidden")
    ext = attachment_check(name=name, data=data)
    if task.attachments.count() >= settings.WORK_TASK_ATTACHMENTS_MAX:
        raise DomainError(E.ERR_ATTACH_TOO_MANY, field="file", max=settings.WORK_TASK_ATTACHMENTS_MAX)
    label = clean_text(PurePosixPath(name.replace("\\", "/")).name, field="file", max_length=500).strip()[-150:]
    path = default_storage.save(f"work/tasks/{task.pk}/{uuid.uuid4().hex}.{ext}", ContentFile(data))
    try:
        with transaction.atomic():
            att = TaskAttachment.objects.create(
                task=task, file=path, name=label or f"file.{ext}", kind=ext, size=len(data), uploaded_by=actor
            )
            audit_record(actor=actor, verb="task.attach", target=task, after={"attachment": att.pk, "name": att.name})
            told = [pk for pk in [task.created_by_id, *_assignee_ids(task)] if pk != actor.pk]
            notify(member_ids=told, title=gettext("New attachment on a task"), body=att.name, url=_url(task))
    except Exception:
        default_storage.delete(path)
        raise
    return att


# --- plans ---------------------------------------------------------------------------------------------------

GOALS_MAX = 5000


def plan_period_start(kind: str, day: dt.date) -> dt.date:
    """The first day of the week (Monday) or month holding `day`."""
    return day - dt.timedelta(days=day.weekday()) if kind == PlanPeriod.WEEK else day.replace(day=1)


def plan_period_end(kind: str, start: dt.date) -> dt.date:
    return start + dt.timedelta(days=6) if kind == PlanPeriod.WEEK else period_end("month", start)


def plan_target_choices(actor: Member) -> list[TargetTree]:
    """Target trees with at least one node in the actor's scope (newest first, bounded)."""
    nodes = TargetNode.objects.visible_to(actor).values("tree_id")
    return list(TargetTree.objects.filter(pk__in=nodes).order_by("-start", "metric")[:24])


def plan_devplan_choices(actor: Member, start: dt.date, end: dt.date) -> list[DevelopmentPlan]:
    """Development plans of the actor's scope that overlap the period (bounded)."""
    qs = DevelopmentPlan.objects.visible_to(actor).filter(
        starts_on__lte=end, starts_on__gte=start - dt.timedelta(days=92)
    )
    return list(qs.select_related("member").order_by("-starts_on", "member_id")[:100])


def _plan_links(
    actor: Member, kind: str, start: dt.date, target_tree_id: int | None, development_plan_ids: Iterable[int]
) -> tuple[TargetTree | None, list[DevelopmentPlan]]:
    tree = None
    if target_tree_id is not None:
        tree = TargetTree.objects.filter(pk=target_tree_id).first()
        if (
            tree is None
            or not TargetNode.objects.visible_to(actor).filter(tree=tree).exists()
            or not (tree.start <= start <= period_end(tree.period, tree.start))
        ):
            raise DomainError(E.ERR_PLAN_TARGET, field="target_tree")
    ids = list(dict.fromkeys(int(pk) for pk in development_plan_ids))
    plans = list(DevelopmentPlan.objects.visible_to(actor).filter(pk__in=ids))
    if len(plans) != len(ids):
        raise DomainError(E.ERR_PLAN_DEVPLAN, field="development_plans")
    return tree, plans


def _plan_state(plan: Plan) -> dict[str, object]:
    return {
        **snapshot(plan, ["period_kind", "period_start", "title", "goals", "target_tree_id"]),
        "development_plans": sorted(plan.development_plans.values_list("pk", flat=True)),
    }


def plan_create(
    *,
    actor: Member,
    period_kind: str,
    day: dt.date,
    title: str,
    goals: str = "",
    target_tree_id: int | None = None,
    development_plan_ids: Iterable[int] = (),
) -> Plan:
    """A lead's plan for their team's week or month (one per lead and period)."""
    if not actor.is_active or actor.role not in LEAD_ROLES:
        raise DomainError(E.ERR_PLAN_NOT_LEAD, code="forbidden")
    if period_kind not in PlanPeriod.values:
        raise DomainError(E.ERR_PLAN_PERIOD, field="period_kind")
    title = clean_text(title, field="title", max_length=model_max_length(Plan, "title")).strip()
    goals = clean_text(goals, field="goals", max_length=GOALS_MAX).strip()
    if not title:
        raise DomainError(E.ERR_PLAN_TITLE, field="title")
    days = settings.WORK_TASK_DUE_MAX_DAYS
    if abs((day - timezone.localdate()).days) > days:
        raise DomainError(E.ERR_PLAN_FAR, field="day", days=days)
    start = plan_period_start(period_kind, day)
    if Plan.objects.filter(author=actor, period_kind=period_kind, period_start=start).exists():
        raise DomainError(E.ERR_PLAN_EXISTS, code="conflict", field="period_start")
    tree, devplans = _plan_links(actor, period_kind, start, target_tree_id, development_plan_ids)
    with transaction.atomic():
        plan = Plan.objects.create(
            author=actor,
            department_id=actor.department_id,
            period_kind=period_kind,
            period_start=start,
            title=title,
            goals=goals,
            target_tree=tree,
        )
        plan.development_plans.set(devplans)
        audit_record(actor=actor, verb="plan.create", target=plan, after=_plan_state(plan))
        team = Member.objects.active().filter(reports_to=actor).values_list("pk", flat=True)
        notify(
            member_ids=team,
            title=gettext("Your team has a new plan"),
            body=title,
            url=reverse("work:plan", args=[plan.pk]),
            dedupe_key=f"plan:{plan.pk}:new",
        )
    return plan


def plan_update(
    *,
    actor: Member,
    plan: Plan,
    title: str,
    goals: str = "",
    target_tree_id: int | None = None,
    development_plan_ids: Iterable[int] = (),
) -> Plan:
    """The author edits the plan's text and links (the period stays)."""
    if plan.author_id != actor.pk or not actor.is_active:
        raise DomainError(E.ERR_PLAN_NOT_YOURS, code="forbidden")
    title = clean_text(title, field="title", max_length=model_max_length(Plan, "title")).strip()
    goals = clean_text(goals, field="goals", max_length=GOALS_MAX).strip()
    if not title:
        raise DomainError(E.ERR_PLAN_TITLE, field="title")
    tree, devplans = _plan_links(actor, plan.period_kind, plan.period_start, target_tree_id, development_plan_ids)
    with transaction.atomic():
        p = Plan.objects.select_for_update().get(pk=plan.pk)
        before = _plan_state(p)
        p.title, p.goals, p.target_tree = title, goals, tree
        p.save()
        p.development_plans.set(devplans)
        audit_record(actor=actor, verb="plan.update", target=p, before=before, after=_plan_state(p))
    return p
