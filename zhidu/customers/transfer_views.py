"""Transfer pages: start one (bounded pickers), the list, a transfer's detail, assigning a receiver, cancelling."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.text import clean_query, clean_text
from zhidu.org.models import LEAD_ROLES, MemberStatus, Role

from . import transfer_selectors as selectors
from . import transfers as services
from .models import Customer, ItemStatus, TransferKind, TransferStatus

READERS = (*LEAD_ROLES, Role.SALES, Role.COMPLIANCE)
PAGE = 50


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()][: settings.TRANSFER_BATCH_MAX + 1]


@member_required(*READERS)
def transfer_list(request: HttpRequest) -> HttpResponse:
    params = clean_query(request)
    status = params.get("status", "") if params.get("status", "") in TransferStatus.values else ""
    qs = selectors.transfer_list(viewer=request.member, status=status)  # type: ignore[attr-defined]
    page = Paginator(qs, PAGE).get_page(params.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": TransferStatus.choices,
        "can_start": request.member.role in LEAD_ROLES,  # type: ignore[attr-defined]
    }
    return render(request, "customers/transfer_list.html", context)


@member_required(*READERS)
def transfer_detail(request: HttpRequest, transfer_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    transfer = selectors.transfer_get_for(viewer, transfer_id)
    params = clean_query(request)
    status = params.get("status", "") if params.get("status", "") in ItemStatus.values else ""
    page = Paginator(selectors.transfer_items(transfer=transfer, status=status), PAGE).get_page(params.get("page"))
    can_act = viewer.role in LEAD_ROLES and transfer.status == TransferStatus.PENDING
    counts = selectors.transfer_item_counts(transfer)
    context = {
        "t": transfer,
        "page": page,
        "status": status,
        "item_statuses": [(value, label, counts.get(value, 0)) for value, label in ItemStatus.choices],
        "can_act": can_act,
        "receivers": selectors.takeover_choices(viewer=viewer, handover=transfer.handover) if can_act else [],
    }
    return render(request, "customers/transfer_detail.html", context)


@member_required(*LEAD_ROLES)
def transfer_start(request: HttpRequest) -> HttpResponse:
    """GET: choose the handover member, then their customers/groups and the receiver. POST: create."""
    viewer = request.member  # type: ignore[attr-defined]
    if request.method == "POST":
        return _create(request)
    params = clean_query(request)
    context: dict[str, object] = {"hq": params.get("hq", ""), "q": params.get("q", "")}
    handover_id = params.get("handover", "")
    if handover_id:
        handover = selectors.member_in_scope(viewer, handover_id)
        context.update(
            handover=handover,
            kind=TransferKind.RESIGNED if handover.status == MemberStatus.REMOVED else TransferKind.ONJOB,
            follows=selectors.handover_customers(handover=handover, q=str(context["q"])),
            groups=selectors.handover_groups(handover=handover),
            receivers=selectors.takeover_choices(viewer=viewer, handover=handover),
            picker_max=selectors.PICKER_MAX,
        )
    else:
        context["handovers"] = selectors.handover_choices(viewer=viewer, q=str(context["hq"]))
    return render(request, "customers/transfer_start.html", context)


def _create(request: HttpRequest) -> HttpResponse:
    from zhidu.groups.models import GroupChat

    viewer = request.member  # type: ignore[attr-defined]
    handover = selectors.member_in_scope(viewer, request.POST.get("handover"))
    try:
        takeover_id = request.POST.get("takeover", "")
        if not takeover_id.isdigit():
            raise DomainError(services.ERR_TAKEOVER, field="takeover", member="—")
        takeover = selectors.member_in_scope(viewer, takeover_id)
        customer_ids = _ids(request.POST.getlist("customers"))
        group_ids = _ids(request.POST.getlist("groups"))
        customers = list(Customer.objects.visible_to(viewer).filter(pk__in=customer_ids))
        groups = list(GroupChat.objects.visible_to(viewer).filter(pk__in=group_ids))
        if len(customers) != len(set(customer_ids)) or len(groups) != len(set(group_ids)):
            raise NotFound
        transfer = services.transfer_create(
            actor=viewer,
            kind=TransferKind.RESIGNED if handover.status == MemberStatus.REMOVED else TransferKind.ONJOB,
            handover=handover,
            takeover=takeover,
            customers=customers,
            groups=groups,
            note=clean_text(request.POST.get("note", ""), field="note", max_length=200),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{request.path}?handover={handover.pk}")
    messages.success(request, _("Transfer started."))
    return redirect("customers:transfer_detail", transfer_id=transfer.pk)


@require_POST
@member_required(*LEAD_ROLES)
def transfer_assign(request: HttpRequest, transfer_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    transfer = selectors.transfer_get_for(viewer, transfer_id)
    try:
        takeover = selectors.member_in_scope(viewer, request.POST.get("takeover"))
        services.transfer_assign(actor=viewer, transfer=transfer, takeover=takeover)
        messages.success(request, _("Transfer started."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("customers:transfer_detail", transfer_id=transfer.pk)


@require_POST
@member_required(*LEAD_ROLES)
def transfer_cancel(request: HttpRequest, transfer_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    transfer = selectors.transfer_get_for(viewer, transfer_id)
    try:
        reason = clean_text(request.POST.get("reason", ""), field="reason", max_length=500)
        services.transfer_cancel(actor=viewer, transfer=transfer, reason=reason)
        messages.success(request, _("Transfer cancelled."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("customers:transfer_detail", transfer_id=transfer.pk)
