"""Plans and tasks pages: My work, the team board, a task (checklist, attachments, comments, status buttons),
the task form, the plans list and a plan's page. Writes go through `tasks_services`."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.periods import local_today
from zhidu.core.text import clean_query, id_param
from zhidu.org.models import LEAD_ROLES, Member

from . import tasks_selectors as sel
from . import tasks_services as svc
from .forms import PlanEditForm, PlanForm, TaskEditForm, TaskForm
from .meetings_selectors import meetings_upcoming_for
from .models import Plan, Task, TaskStatus
from .reports_selectors import reports_due_for


def _me(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined,no-any-return]


def _form_error(form: TaskForm | PlanForm, exc: DomainError) -> None:
    if exc.code == "forbidden" and exc.field is None:
        raise PermissionDenied from None
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _task(member: Member, task_id: int) -> Task:
    try:
        return sel.task_get_for(member, task_id)
    except NotFound:
        raise Http404 from None


@member_required()
def my_work(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    context = {
        "tasks": sel.my_tasks(me),
        "done": sel.my_recent_done(me),
        "given": sel.my_created_open(me) if me.role in LEAD_ROLES else [],
        "now": timezone.now(),
        "reports_due": reports_due_for(me, limit=settings.WORK_MY_WORK_SHOWN),
        "upcoming_meetings": meetings_upcoming_for(me, limit=settings.WORK_MY_WORK_SHOWN),
    }
    return render(request, "work/my_work.html", context)


@member_required(*LEAD_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    params = clean_query(request)
    members = svc.assignable_members(me)
    assignee = id_param(params.get("assignee"))
    assignee = assignee if assignee in {m.pk for m in members} else None
    status = params.get("status", "")
    status = status if status in TaskStatus.values else ""
    cols = sel.board(me, assignee_id=assignee, status=status)
    context = {"columns": cols, "members": members, "assignee": assignee, "status": status,
               "statuses": TaskStatus.choices, "now": timezone.now()}  # fmt: skip
    return render(request, "work/board.html", context)


def _task_form(me: Member, data: object = None, *, cls: type[TaskForm] = TaskForm, **kw: object) -> TaskForm:
    members = [(m.pk, m.name) for m in svc.assignable_members(me)]
    plans = [(p.pk, p.title) for p in sel.my_plans(me)]
    return cls(data, members=members, plans=plans, **kw)  # type: ignore[arg-type]


@member_required()
def task_new(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    form = _task_form(me, request.POST or None, initial={"plan": id_param(request.GET.get("plan"))})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        plan = Plan.objects.filter(pk=d["plan"], author=me).first() if d["plan"] else None
        try:
            t = svc.task_create(actor=me, title=d["title"], description=d["description"],
                                assignee_ids=d["assignees"], due_at=d["due_at"], priority=d["priority"],
                                recurrence=d["recurrence"] or "", plan=plan,
                                checklist=d["checklist"].splitlines())  # fmt: skip
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The task is created and its assignees are told."))
            return redirect("work:task", t.pk)
    return render(request, "work/task_form.html", {"form": form}, status=400 if form.errors else 200)


@member_required()
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    me, t = _me(request), _task(_me(request), task_id)
    if t.created_by_id != me.pk:
        raise PermissionDenied
    initial = {"title": t.title, "description": t.description, "priority": t.priority,
               "assignees": [m.pk for m in t.assignees.all()], "due_at": timezone.localtime(t.due_at)}  # fmt: skip
    form = _task_form(me, request.POST or None, cls=TaskEditForm, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            svc.task_update(actor=me, task=t, title=d["title"], description=d["description"],
                            assignee_ids=d["assignees"], due_at=d["due_at"], priority=d["priority"])  # fmt: skip
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The task is saved."))
            return redirect("work:task", t.pk)
    return render(request, "work/task_form.html", {"form": form, "task": t}, status=400 if form.errors else 200)


@member_required()
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    me, t = _me(request), _task(_me(request), task_id)
    context = {
        "task": t,
        "assignees": list(t.assignees.all()),
        "checklist": sel.task_checklist(t),
        "attachments": sel.task_attachments(t),
        "comments": sel.task_comments(t),
        "actions": [(a, _(svc.Action.LABELS[a])) for a in svc.allowed_actions(me, t)],
        "may_work": svc.can_work_on(me, t),
        "may_manage": svc.can_manage(me, t),
        "is_creator": t.created_by_id == me.pk,
        "now": timezone.now(),
    }
    return render(request, "work/task_detail.html", context)


def _do_transition(me: Member, t: Task, request: HttpRequest) -> str:
    svc.task_transition(actor=me, task=t, action=request.POST.get("action", ""))
    return _("The task's status is changed.")


def _do_check(me: Member, t: Task, request: HttpRequest) -> str:
    item_id = id_param(request.POST.get("item"))
    if item_id is None:
        svc.checklist_add(actor=me, task=t, text=request.POST.get("text", ""))
        return _("The item is added.")
    try:
        item = sel.checklist_item_for(me, t.pk, item_id)
    except NotFound:
        raise Http404 from None
    svc.checklist_tick(actor=me, item=item, done=request.POST.get("done") == "1")
    return _("The checklist is saved.")


def _do_comment(me: Member, t: Task, request: HttpRequest) -> str:
    svc.comment_add(actor=me, task=t, text=request.POST.get("text", ""))
    return _("Your comment is added.")


def _do_attach(me: Member, t: Task, request: HttpRequest) -> str:
    f = request.FILES.get("file")
    # One byte past the limit is enough to refuse a file that is too big, without reading all of it.
    data = f.read(settings.WORK_ATTACHMENT_MAX_BYTES + 1) if f is not None else b""
    svc.attachment_add(actor=me, task=t, name=(f.name or "") if f is not None else "", data=data)
    return _("The file is attached.")


def _do_stop(me: Member, t: Task, request: HttpRequest) -> str:
    svc.series_stop(actor=me, task=t)
    return _("The task no longer repeats.")


_ACTIONS: dict[str, Callable[[Member, Task, HttpRequest], str]] = {
    "transition": _do_transition,
    "check": _do_check,
    "comment": _do_comment,
    "attach": _do_attach,
    "stop": _do_stop,
}


@require_POST
@member_required()
def task_act(request: HttpRequest, task_id: int, what: str) -> HttpResponse:
    """The task page's forms: status buttons, checklist, comments, attachments, stopping a series."""
    me, t = _me(request), _task(_me(request), task_id)
    handler = _ACTIONS.get(what)
    if handler is None:
        raise Http404
    try:
        messages.success(request, handler(me, t, request))
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, exc.message)
    return redirect("work:task", t.pk)


@member_required()  # type: ignore[arg-type]
def task_attachment(request: HttpRequest, task_id: int, attachment_id: int) -> FileResponse:
    try:
        att = sel.attachment_get_for(_me(request), task_id, attachment_id)
    except NotFound:
        raise Http404 from None
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


def _plan_form(me: Member, data: object = None, *, cls: type[PlanForm] = PlanForm, **kw: object) -> PlanForm:
    trees = [(t.pk, str(t)) for t in svc.plan_target_choices(me)]
    today = local_today()
    devplans = [(p.pk, f"{p.member.name} · {p.starts_on:%Y-%m-%d}")
                for p in svc.plan_devplan_choices(me, today.replace(day=1), today)]  # fmt: skip
    return cls(data, trees=trees, devplans=devplans, **kw)  # type: ignore[arg-type]


@member_required()
def plans(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    is_lead = me.role in LEAD_ROLES
    form = _plan_form(me, request.POST or None) if is_lead else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                p = svc.plan_create(actor=me, period_kind=d["period_kind"], day=d["day"] or local_today(),
                                    title=d["title"], goals=d["goals"], target_tree_id=d["target_tree"],
                                    development_plan_ids=d["development_plans"])  # fmt: skip
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The plan is saved; your team can read it."))
                return redirect("work:plan", p.pk)
    rows = sel.plan_page(me, before=id_param(clean_query(request).get("before")))
    context = {"form": form, "rows": rows, "more": len(rows) >= 50}
    return render(request, "work/plans.html", context, status=400 if form is not None and form.errors else 200)


@member_required()
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    me = _me(request)
    try:
        p = sel.plan_get_for(me, plan_id)
    except NotFound:
        raise Http404 from None
    initial = {"title": p.title, "goals": p.goals, "target_tree": p.target_tree_id,
               "development_plans": [d.pk for d in p.development_plans.all()]}  # fmt: skip
    form = _plan_form(me, request.POST or None, cls=PlanEditForm, initial=initial) if p.author_id == me.pk else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                svc.plan_update(actor=me, plan=p, title=d["title"], goals=d["goals"], target_tree_id=d["target_tree"],
                                development_plan_ids=d["development_plans"])  # fmt: skip
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The plan is saved."))
                return redirect("work:plan", p.pk)
    context = {"plan": p, "form": form, "tasks": sel.plan_tasks(me, p), "devplans": sel.plan_devplans(me, p),
               "period_end": svc.plan_period_end(p.period_kind, p.period_start), "now": timezone.now()}  # fmt: skip
    return render(request, "work/plan_detail.html", context, status=400 if form is not None and form.errors else 200)
