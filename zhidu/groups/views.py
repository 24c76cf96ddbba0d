"""Customer group pages: the scoped list and a group's members."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhidu.core.access import member_required
from zhidu.core.text import clean_query
from zhidu.org.models import Role

from . import selectors
from .moderation_selectors import ledger_for

READERS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE)


@member_required(*READERS)
def group_list(request: HttpRequest) -> HttpResponse:
    params = clean_query(request)
    q = params.get("q", "").strip()
    qs = selectors.group_list(viewer=request.member, q=q)  # type: ignore[attr-defined]
    page = Paginator(qs, 50).get_page(params.get("page"))
    return render(request, "groups/list.html", {"page": page, "q": q})


@member_required(*READERS)
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.group_get_for(request.member, group_id)  # type: ignore[attr-defined]
    members = selectors.group_members(group=group, include_left=request.GET.get("left") == "1")
    ledger = ledger_for(viewer=request.member, group=group)  # type: ignore[attr-defined]
    return render(request, "groups/detail.html", {"g": group, "members": members, "ledger": ledger})
