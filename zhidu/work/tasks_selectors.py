"""Reads of plans and tasks, always through the asking member's scope (`visible_to`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from zhidu.core.errors import NotFound
from zhidu.customers.models import DevelopmentPlan
from zhidu.org.models import Member, work_scope_q

from .models import Plan, Task, TaskAttachment, TaskChecklistItem, TaskComment, TaskStatus

# Board columns, overdue first.
BOARD_ORDER = (TaskStatus.OVERDUE, TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED)
ACTIVE_FIRST = (TaskStatus.OVERDUE, TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


def _with_people(qs: QuerySet[Task]) -> QuerySet[Task]:
    return (
        qs.select_related("created_by")
        .prefetch_related(
            Prefetch("assignees", queryset=Member.objects.only("id", "name")),
        )
        .annotate(
            checks=Count("checklist", distinct=True),
            checks_done=Count("checklist", filter=Q(checklist__done=True), distinct=True),
        )
    )


def _overdue_first(qs: QuerySet[Task]) -> QuerySet[Task]:
    rank = Case(When(status=TaskStatus.OVERDUE, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(rank=rank).order_by("rank", "due_at", "pk")


def my_tasks(member: Member) -> list[Task]:
    """The member's unfinished tasks: overdue first, then by due time (bounded)."""
    qs = Task.objects.visible_to(member).filter(assignees=member, status__in=ACTIVE_FIRST)
    return list(_with_people(_overdue_first(qs))[: settings.WORK_TASK_PAGE_SIZE])


def my_recent_done(member: Member, limit: int = 10) -> list[Task]:
    qs = Task.objects.visible_to(member).filter(assignees=member, status=TaskStatus.DONE)
    return list(_with_people(qs.order_by("-done_at", "-pk"))[:limit])


def my_created_open(member: Member) -> list[Task]:
    """Unfinished tasks the member gave others (a lead follows them here)."""
    qs = Task.objects.filter(created_by=member, status__in=ACTIVE_FIRST).exclude(assignees=member)
    return list(_with_people(_overdue_first(qs))[: settings.WORK_TASK_PAGE_SIZE])


@dataclass
class Column:
    status: str
    label: str
    tasks: list[Task]
    more: bool


def board(member: Member, *, assignee_id: int | None = None, status: str = "") -> list[Column]:
    """The lead's scope grouped by status (overdue first), each column bounded by WORK_BOARD_COLUMN_MAX."""
    cap = settings.WORK_BOARD_COLUMN_MAX
    base = Task.objects.visible_to(member).filter(
        Q(created_by__in=work_scope_q(member)) | Q(assignees__in=work_scope_q(member))
    )
    if assignee_id is not None:
        base = base.filter(assignees=assignee_id)
    base = base.distinct()
    labels = dict(TaskStatus.choices)
    cols = []
    for st in BOARD_ORDER:
        if status and st != status:
            continue
        qs = base.filter(status=st)
        qs = qs.order_by("-done_at", "-pk") if st in (TaskStatus.DONE, TaskStatus.CANCELLED) else qs.order_by("due_at")
        rows = list(_with_people(qs)[: cap + 1])
        cols.append(Column(status=st, label=str(labels[st]), tasks=rows[:cap], more=len(rows) > cap))
    return cols


def task_page(
    member: Member, *, box: str = "mine", status: str = "", before: int | None = None, limit: int = 50
) -> list[Task]:
    """API list, newest first, key-paged: "mine" tasks assigned to me, "created" those I gave, "all" visible."""
    qs = Task.objects.visible_to(member)
    if box == "mine":
        qs = qs.filter(assignees=member)
    elif box == "created":
        qs = qs.filter(created_by=member)
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return list(_with_people(qs.order_by("-pk"))[:limit])


def task_get_for(member: Member, task_id: int) -> Task:
    t = _with_people(Task.objects.visible_to(member).filter(pk=task_id)).select_related("plan").first()
    if t is None:
        raise NotFound
    return t


def task_checklist(task: Task) -> list[TaskChecklistItem]:
    return list(task.checklist.select_related("done_by").order_by("pk")[: settings.WORK_TASK_CHECKLIST_MAX])


def task_attachments(task: Task) -> list[TaskAttachment]:
    return list(task.attachments.select_related("uploaded_by").order_by("pk")[: settings.WORK_TASK_ATTACHMENTS_MAX])


def task_comments(task: Task, limit: int = 200) -> list[TaskComment]:
    return list(task.comments.select_related("author").order_by("pk")[:limit])


def attachment_get_for(member: Member, task_id: int, attachment_id: int) -> TaskAttachment:
    att = TaskAttachment.objects.filter(
        pk=attachment_id, task__in=Task.objects.visible_to(member).filter(pk=task_id)
    ).first()
    if att is None:
        raise NotFound
    return att


def checklist_item_for(member: Member, task_id: int, item_id: int) -> TaskChecklistItem:
    it = (
        # `task__in` over the task's own pk: an id too large for the database reads as missing, not as a crash.
        TaskChecklistItem.objects.filter(pk=item_id, task__in=Task.objects.visible_to(member).filter(pk=task_id))
        .select_related("task")
        .first()
    )
    if it is None:
        raise NotFound
    return it


# --- plans ---------------------------------------------------------------------------------------------------


def _plan_progress(qs: QuerySet[Plan]) -> QuerySet[Plan]:
    live = ~Q(tasks__status=TaskStatus.CANCELLED)
    return qs.select_related("author", "target_tree").annotate(
        task_total=Count("tasks", filter=live, distinct=True),
        task_done=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE), distinct=True),
    )


def plan_page(member: Member, *, before: int | None = None, limit: int = 50) -> list[Plan]:
    qs = Plan.objects.visible_to(member)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return list(_plan_progress(qs).order_by("-pk")[:limit])


def plan_get_for(member: Member, plan_id: int) -> Plan:
    p = _plan_progress(Plan.objects.visible_to(member).filter(pk=plan_id)).first()
    if p is None:
        raise NotFound
    return p


def plan_devplans(member: Member, plan: Plan) -> list[DevelopmentPlan]:
    """The plan's development plans the member may read (a salesperson sees only their own)."""
    return list(plan.development_plans.all().visible_to(member).select_related("member"))


def visible_devplan_ids(member: Member, plans: list[Plan]) -> set[int]:
    """Of the development plans linked to `plans`, the ids the member may read (one query)."""
    through = Plan.development_plans.through.objects.filter(plan_id__in=[p.pk for p in plans])
    return set(
        DevelopmentPlan.objects.visible_to(member)
        .filter(pk__in=through.values("developmentplan_id"))
        .values_list("pk", flat=True)
    )


def plan_tasks(member: Member, plan: Plan) -> list[Task]:
    """The plan's tasks the member may read (overdue first, then by due), bounded."""
    qs = Task.objects.visible_to(member).filter(plan=plan)
    return list(_with_people(_overdue_first(qs))[:200])


def my_plans(member: Member) -> list[Plan]:
    """The member's own plans, newest first (choices on the task form)."""
    return list(Plan.objects.filter(author=member).order_by("-period_start")[:12])
