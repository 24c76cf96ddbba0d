"""Customer pages: the scoped list (one row per customer and owner), a customer's detail with its development,
follow-ups and chat timeline, bulk changes, Excel out and in, and development plans."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError
from zhidu.core.periods import local_today
from zhidu.org.models import Member, MemberStatus, Role, work_scope_q

from . import selectors
from .development import plans, services, xlsx
from .development.selectors import customer_page, follow_list, with_tags
from .forms import DevelopmentForm, FilterForm, FollowUpForm, ImportForm, PeriodForm, PlanForm
from .models import FollowUpKind, PlanPeriod, Stage

READERS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE)
WRITERS = services.WRITERS


def _owners(member: Member) -> list[Member]:
    return list(
        Member.objects.filter(pk__in=work_scope_q(member), status=MemberStatus.ACTIVE)
        .exclude(role__in=(Role.ADMIN, Role.COMPLIANCE))
        .order_by("name")[:500]
    )


@member_required(*READERS)
def customer_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    qs = follow_list(viewer=request.member, filters=form.filters())  # type: ignore[attr-defined]
    page = Paginator(qs, settings.CUSTOMER_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = with_tags(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "form": form,
        "query": query.urlencode(),
        "tags": selectors.tag_list(),
        "owners": _owners(request.member),  # type: ignore[attr-defined]
        "stages": Stage.choices,
        "can_write": request.member.role in WRITERS,  # type: ignore[attr-defined]
    }
    return render(request, "customers/list.html", context)


@member_required(*READERS)
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get_for(request.member, customer_id)  # type: ignore[attr-defined]
    data = customer_page(viewer=request.member, customer=customer)  # type: ignore[attr-defined]
    context = {
        "c": customer,
        "page": data,
        "follows": data.follows,
        "can_write": request.member.role in WRITERS,  # type: ignore[attr-defined]
        "stages": Stage.choices,
        "kinds": FollowUpKind.choices,
        "tags": selectors.tag_list(),
        "colleagues": _colleagues() if request.member.role in WRITERS else [],  # type: ignore[attr-defined]
    }
    return render(request, "customers/detail.html", context)


def _colleagues() -> list[Member]:
    """Who may be asked to collaborate on a customer: active members of the sales organisation (bounded)."""
    return list(Member.objects.filter(status=MemberStatus.ACTIVE, role__in=WRITERS).order_by("name")[:300])


def _back(request: HttpRequest, customer_id: int) -> HttpResponse:
    return redirect("customers:detail", customer_id=customer_id)


def _fail(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


@require_POST
@member_required(*WRITERS)
def development_edit(request: HttpRequest, follow_id: int) -> HttpResponse:
    follow = services.follow_for_write(request.member, follow_id)  # type: ignore[attr-defined]
    form = DevelopmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{form[k].label}: {v[0]}" for k, v in form.errors.items()))
        return _back(request, follow.customer_id)
    d = form.cleaned_data
    try:
        services.development_update(
            actor=request.member,  # type: ignore[attr-defined]
            follow_id=follow_id,
            **{k: d[k] for k in ("stage", "budget", "need", "decision_maker", "timing", "next_action")},
            next_action_on=d["next_action_on"],
            clear_next_action_on=d["next_action_on"] is None,
            collaborator_ids=_ids(request.POST.getlist("collaborators"))
            if "collaborators_sent" in request.POST
            else None,
        )
        messages.success(request, _("Saved."))
    except DomainError as exc:
        _fail(request, exc)
    return _back(request, follow.customer_id)


@require_POST
@member_required(*WRITERS)
def followup_add(request: HttpRequest, follow_id: int) -> HttpResponse:
    follow = services.follow_for_write(request.member, follow_id)  # type: ignore[attr-defined]
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{form[k].label}: {v[0]}" for k, v in form.errors.items()))
        return _back(request, follow.customer_id)
    try:
        services.followup_record(actor=request.member, follow_id=follow_id, **form.cleaned_data)  # type: ignore[attr-defined]
        messages.success(request, _("Follow-up recorded."))
    except DomainError as exc:
        _fail(request, exc)
    return _back(request, follow.customer_id)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@require_POST
@member_required(*WRITERS)
def tags_edit(request: HttpRequest, follow_id: int) -> HttpResponse:
    follow = services.follow_for_write(request.member, follow_id)  # type: ignore[attr-defined]
    try:
        services.follow_tags_change(
            actor=request.member,  # type: ignore[attr-defined]
            follow_id=follow_id,
            add=_ids(request.POST.getlist("add")),
            remove=_ids(request.POST.getlist("remove")),
        )
        messages.success(request, _("Tags saved; WeCom is updated shortly."))
    except DomainError as exc:
        _fail(request, exc)
    return _back(request, follow.customer_id)


@require_POST
@member_required(*WRITERS)
def bulk(request: HttpRequest) -> HttpResponse:
    ids, action = _ids(request.POST.getlist("ids")), request.POST.get("action", "")
    actor = request.member  # type: ignore[attr-defined]
    try:
        if action == "stage":
            n = services.development_bulk_stage(actor=actor, follow_ids=ids, stage=request.POST.get("stage", ""))
        else:
            tag = _ids([request.POST.get("tag", "")])
            add, remove = (tag, []) if action == "tag_add" else ([], tag)
            n = services.follow_bulk_tags(actor=actor, follow_ids=ids, add=add, remove=remove)
        messages.success(request, _("%(count)d customers changed.") % {"count": n})
    except DomainError as exc:
        _fail(request, exc)
    return redirect(request.POST.get("next") or "customers:list")


@member_required(*READERS)
def export(request: HttpRequest) -> HttpResponse:
    data = xlsx.follows_export(viewer=request.member, filters=FilterForm(request.GET).filters())  # type: ignore[attr-defined]
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="customers-{local_today():%Y%m%d}.xlsx"'
    return response


@member_required(*WRITERS)
def followup_import(request: HttpRequest) -> HttpResponse:
    if request.GET.get("template"):
        response = HttpResponse(xlsx.import_template(), content_type="application/vnd.ms-excel")
        response["Content-Disposition"] = 'attachment; filename="followups-template.xlsx"'
        return response
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            n = xlsx.followups_import(actor=request.member, file=form.cleaned_data["file"])  # type: ignore[attr-defined]
            messages.success(request, _("%(count)d follow-ups imported.") % {"count": n})
            return redirect("customers:list")
        except DomainError as exc:
            errors = exc.message.splitlines()
    return render(request, "customers/import.html", {"form": form, "errors": errors})


@member_required(Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES)
def plan_page(request: HttpRequest) -> HttpResponse:
    period_form = PeriodForm(request.GET)
    pd = period_form.cleaned_data if period_form.is_valid() else {}
    period, day = pd.get("period") or PlanPeriod.MONTH, pd.get("day") or local_today()
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                plans.plan_set(
                    actor=request.member,  # type: ignore[attr-defined]
                    member_id=form.cleaned_data["member"],
                    period=period,
                    day=day,
                    new_customers=form.cleaned_data["new_customers"],
                    followups=form.cleaned_data["followups"],
                )
                messages.success(request, _("Plan saved."))
            except DomainError as exc:
                _fail(request, exc)
        else:
            messages.error(request, "; ".join(f"{form[k].label}: {v[0]}" for k, v in form.errors.items()))
        return redirect(f"{request.path}?period={period}&day={day.isoformat()}")
    rows = plans.plan_progress(list(plans.plans_for(viewer=request.member, period=period, day=day)[:500]))  # type: ignore[attr-defined]
    can_plan = request.member.role in plans.PLANNERS  # type: ignore[attr-defined]
    members = [m for m in _owners(request.member) if m.pk != request.member.pk] if can_plan else []  # type: ignore[attr-defined]
    context = {
        "rows": rows,
        "period": period,
        "day": day,
        "start": plans.period_start(period, day),
        "periods": PlanPeriod.choices,
        "members": members,
        "can_plan": can_plan,
    }
    return render(request, "customers/plans.html", context)
