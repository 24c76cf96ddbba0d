from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required

from . import selectors, services
from .errors import NotFound
from .models import AUDIT_READER_ROLES, AuditEvent
from .text import clean_query, id_param


@member_required(*AUDIT_READER_ROLES)
def audit_list(request: HttpRequest) -> HttpResponse:
    qs = AuditEvent.objects.visible_to(request.member).select_related("actor")  # type: ignore[attr-defined]
    params = clean_query(request)  # a NUL or an over-long filter is dropped with a message, not a database error
    verb, target_type, actor = params.get("verb", ""), params.get("target_type", ""), params.get("actor", "")
    if verb:
        qs = qs.filter(verb__startswith=verb)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if actor:
        qs = qs.filter(actor__name__icontains=actor) | qs.filter(actor_label__icontains=actor)
    page = Paginator(qs, 50).get_page(params.get("page"))
    types = AuditEvent.objects.order_by().values_list("target_type", flat=True).distinct()
    return render(
        request,
        "core/audit_list.html",
        {"page": page, "types": sorted(set(types)), "verb": verb, "target_type": target_type, "actor": actor},
    )


def _before(request: HttpRequest) -> int | None:
    """`?before=<id>`, or None (the first page) when absent or not an id a database can hold."""
    return id_param(request.GET.get("before"))


@member_required()
def notification_list(request: HttpRequest) -> HttpResponse:
    rows, next_before = selectors.notification_page(request.member, before=_before(request))  # type: ignore[attr-defined]
    items = [(n, selectors.safe_link(n.url)) for n in rows]
    return render(request, "core/notification_list.html", {"items": items, "next_before": next_before})


@require_POST
@member_required()
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = services.notification_open(actor=request.member, notification_id=pk)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None
    return redirect(selectors.safe_link(notification.url) or "core:notifications")


@require_POST
@member_required()
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_read_all(actor=request.member)  # type: ignore[attr-defined]
    messages.success(
        request,
        ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
        % {"count": count},
    )
    return redirect("core:notifications")
