from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhidu.core.access import member_required

from .models import AUDIT_READER_ROLES, AuditEvent
from .text import clean_query


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
