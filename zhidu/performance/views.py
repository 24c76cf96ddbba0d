"""Performance pages: my scorecard (breakdown, evaluations, acknowledgement), a member's scorecard, rankings
(live or frozen, with history and a chart), KPI definitions, and the Excel export. Reads are scoped by the
selectors; every write is one service call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.periods import local_today, period_end, period_start
from zhidu.core.text import clean_query, id_param
from zhidu.org.models import LEAD_ROLES, Member, Role

from . import selectors as sel
from . import services as svc
from . import xlsx
from .metrics import metric_choices
from .models import ASSESSED_ROLES, Curve, KpiSet, PeriodKind, SetStatus

READERS = sel.SCORECARD_READERS
ITEM_ROWS = 8


def _me(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined,no-any-return]


def _period(request: HttpRequest) -> tuple[str, dt.date]:
    params = clean_query(request)
    kind = params.get("kind", PeriodKind.MONTH)
    if kind not in PeriodKind.values:
        kind = PeriodKind.MONTH
    try:
        day = dt.date.fromisoformat(params.get("start", ""))
    except ValueError:
        day = local_today()
    if not svc.DATE_MIN <= day <= svc.DATE_MAX:
        day = local_today()
    return kind, period_start(kind, day)


def _q(kind: str, start: dt.date, **extra: Any) -> str:
    return urlencode({"kind": kind, "start": start.isoformat(), **extra})


def _nav(kind: str, start: dt.date) -> dict[str, Any]:
    return {
        "kind": kind,
        "start": start,
        "end": period_end(kind, start),
        "kinds": PeriodKind.choices,
        "query": _q(kind, start),
        "prev_query": _q(kind, period_start(kind, start - dt.timedelta(days=1))),
        "next_query": _q(kind, period_end(kind, start) + dt.timedelta(days=1)),
    }


def _fail(request: HttpRequest, exc: DomainError) -> None:
    if exc.code == "forbidden":
        raise PermissionDenied from None
    messages.error(request, exc.message)


def _card_page(request: HttpRequest, member: Member, card: Any, kind: str, start: dt.date) -> HttpResponse:
    me = _me(request)
    context = {
        **_nav(kind, start),
        "member": member,
        "card": card,
        "lines": sel.card_lines(card) if card else [],
        "evaluations": sel.card_evaluations(card) if card else [],
        "is_own": me.pk == member.pk,
        "can_evaluate": card is not None and me.role in LEAD_ROLES and me.pk != member.pk,
        "can_compute": me.pk == member.pk or me.role in LEAD_ROLES,
    }
    return render(request, "performance/scorecard.html", context)


@member_required(*ASSESSED_ROLES)
def my_scorecard(request: HttpRequest) -> HttpResponse:
    kind, start = _period(request)
    me = _me(request)
    return _card_page(request, me, sel.scorecard_of(me, me.pk, kind, start), kind, start)


@member_required(*READERS)
def member_scorecard(request: HttpRequest, member_id: int) -> HttpResponse:
    kind, start = _period(request)
    member = Member.objects.visible_to(_me(request)).filter(pk=member_id).first()
    if member is None or not _me(request).can_see_work_of(member):
        raise Http404
    return _card_page(request, member, sel.scorecard_of(_me(request), member.pk, kind, start), kind, start)


@require_POST
@member_required(*READERS)
def scorecard_compute(request: HttpRequest, member_id: int) -> HttpResponse:
    kind, start = _period(request)
    member = Member.objects.visible_to(_me(request)).filter(pk=member_id).first()
    if member is None or not _me(request).can_see_work_of(member):
        raise Http404
    try:
        svc.scorecard_recompute_request(actor=_me(request), member=member, kind=kind, start=start)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The scorecard is recomputed."))
    return redirect(_card_url(_me(request), member.pk, kind, start))


def _card_url(me: Member, member_id: int, kind: str, start: dt.date) -> str:
    base = (
        reverse("performance:my_scorecard")
        if me.pk == member_id
        else reverse("performance:member_scorecard", args=[member_id])
    )
    return f"{base}?{_q(kind, start)}"


def _card_or_404(request: HttpRequest, card_id: int) -> Any:
    try:
        return sel.scorecard_get_for(_me(request), card_id)
    except NotFound:
        raise Http404 from None


@require_POST
@member_required(*READERS)
def scorecard_acknowledge(request: HttpRequest, card_id: int) -> HttpResponse:
    card = _card_or_404(request, card_id)
    try:
        svc.scorecard_acknowledge(actor=_me(request), scorecard=card)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("You acknowledged your scorecard."))
    return redirect(_card_url(_me(request), card.member_id, card.period_kind, card.start))


@require_POST
@member_required(*READERS)
def evaluation_add(request: HttpRequest, card_id: int) -> HttpResponse:
    card = _card_or_404(request, card_id)
    try:
        svc.evaluation_add(actor=_me(request), scorecard=card, text=request.POST.get("text", ""))
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The evaluation is saved."))
    return redirect(_card_url(_me(request), card.member_id, card.period_kind, card.start))


# --- rankings --------------------------------------------------------------------------------------------


@member_required(*READERS)
def rankings(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    kind, start = _period(request)
    snap = sel.snapshot_find(kind, start)
    groups = sel.visible_groups(me, sel.snapshot_groups(snap) if snap else sel.live_rankings(kind, start))
    wanted = clean_query(request).get("group", "")
    group = next((g for g in groups if g.key == wanted), groups[0] if groups else None)
    after = id_param(clean_query(request).get("after")) or 0
    size = settings.PERFORMANCE_RANKING_PAGE_SIZE
    rows = group.rows[after : after + size] if group else []
    snaps = sel.snapshot_list(kind, before=start + dt.timedelta(days=1))
    chart = sel.history(me, kind, group, snaps) if group and me.role != Role.SALES else None
    if chart is not None and not snap and start <= local_today():  # the live period as the last point
        chart["periods"].append(start.isoformat())
        live = {r.member_id: str(r.score) for r in group.rows}  # type: ignore[union-attr]
        ids = [r.member_id for r in group.rows][: settings.PERFORMANCE_CHART_MEMBERS]  # type: ignore[union-attr]
        for series, member_id in zip(chart["series"], ids, strict=True):
            series["data"].append(live.get(member_id))
    finished = period_end(kind, start) < local_today()
    context = {
        **_nav(kind, start),
        "snapshot": snap,
        "groups": groups,
        "group": group,
        "rows": rows,
        "next_after": after + size if group and after + size < len(group.rows) else None,
        "snapshots": snaps,
        "chart": chart,
        "can_freeze": me.role == Role.DIRECTOR and finished and snap is None,
        "can_export": me.role != Role.SALES,
    }
    return render(request, "performance/rankings.html", context)


@require_POST
@member_required(Role.DIRECTOR)
def ranking_freeze(request: HttpRequest) -> HttpResponse:
    kind, start = _period(request)
    try:
        svc.ranking_freeze(actor=_me(request), kind=kind, start=start)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The rankings of this period are frozen."))
    return redirect(reverse("performance:rankings") + "?" + _q(kind, start))


@member_required(*READERS)
def export(request: HttpRequest) -> HttpResponse:
    kind, start = _period(request)
    if _me(request).role == Role.SALES:
        raise PermissionDenied
    content = xlsx.scorecards_xlsx(_me(request), kind, start)
    response = HttpResponse(content, content_type=xlsx.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="scorecards-{kind}-{start:%Y-%m-%d}.xlsx"'
    return response


# --- KPI definitions -------------------------------------------------------------------------------------


@member_required(*svc.KPI_WRITERS)
def kpis(request: HttpRequest) -> HttpResponse:
    sets = list(KpiSet.objects.prefetch_related("items").order_by("role", "period_kind", "-valid_from")[:200])
    labels = dict(metric_choices())
    return render(request, "performance/kpis.html", {"sets": sets, "labels": labels})


def _items_from_post(request: HttpRequest) -> list[svc.ItemInput]:
    out = []
    for i in range(ITEM_ROWS):
        metric = request.POST.get(f"metric_{i}", "").strip()
        if not metric:
            continue
        out.append(
            svc.ItemInput(
                metric=metric,
                weight=request.POST.get(f"weight_{i}", ""),
                target=request.POST.get(f"target_{i}", ""),
                curve=request.POST.get(f"curve_{i}", Curve.LINEAR),
                cap=request.POST.get(f"cap_{i}", "") or None,
                thresholds=request.POST.get(f"thresholds_{i}", ""),
            )
        )
    return out


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _kpi_form(request: HttpRequest, kpi_set: KpiSet | None) -> HttpResponse:
    me = _me(request)
    if request.method == "POST":
        p = request.POST
        fields = {
            "name": p.get("name", ""),
            "role": p.get("role", ""),
            "period_kind": p.get("period_kind", ""),
            "valid_from": _date(p.get("valid_from", "")) or local_today(),
            "valid_until": _date(p.get("valid_until", "")),
            "status": p.get("status", SetStatus.ACTIVE),
            "items": _items_from_post(request),
        }
        try:
            if kpi_set is None:
                svc.kpi_set_create(actor=me, **fields)  # type: ignore[arg-type]
            else:
                svc.kpi_set_update(actor=me, kpi_set=kpi_set, **fields)  # type: ignore[arg-type]
        except DomainError as exc:
            _fail(request, exc)
            rows = [
                {
                    "metric": i.metric,
                    "weight": i.weight,
                    "target": i.target,
                    "curve": i.curve,
                    "cap": i.cap or "",
                    "thresholds": i.thresholds,
                }
                for i in fields["items"]  # type: ignore[attr-defined]
            ]
            form = {**fields, "rows": rows}
        else:
            messages.success(request, _("The KPI set is saved."))
            return redirect("performance:kpis")
    elif kpi_set is not None:
        rows = [
            {
                "metric": i.metric,
                "weight": i.weight.normalize(),
                "target": i.target.normalize(),
                "curve": i.curve,
                "cap": i.cap.normalize() if i.cap is not None else "",
                "thresholds": ", ".join(f"{v}:{s}" for v, s in i.thresholds),
            }
            for i in kpi_set.items.all()
        ]
        form = {**{f: getattr(kpi_set, f) for f in svc.SET_FIELDS}, "rows": rows}
    else:
        form = {
            "role": Role.SALES,
            "period_kind": PeriodKind.MONTH,
            "status": SetStatus.ACTIVE,
            "rows": [],
            "valid_from": period_start(PeriodKind.MONTH, local_today()),
        }
    filled: list[dict[str, Any]] = form["rows"]  # type: ignore[assignment]
    rows = filled + [{}] * (ITEM_ROWS - len(filled))
    context = {
        "kpi_set": kpi_set,
        "form": form,
        "rows": rows[:ITEM_ROWS],
        "roles": [(r.value, r.label) for r in ASSESSED_ROLES],
        "kinds": PeriodKind.choices,
        "statuses": SetStatus.choices,
        "curves": Curve.choices,
        "metrics": metric_choices(),
    }
    return render(request, "performance/kpi_form.html", context)


@member_required(*svc.KPI_WRITERS)
def kpi_new(request: HttpRequest) -> HttpResponse:
    return _kpi_form(request, None)


@member_required(*svc.KPI_WRITERS)
def kpi_edit(request: HttpRequest, set_id: int) -> HttpResponse:
    kpi_set = KpiSet.objects.filter(pk=set_id).prefetch_related("items").first()
    if kpi_set is None:
        raise Http404
    return _kpi_form(request, kpi_set)
