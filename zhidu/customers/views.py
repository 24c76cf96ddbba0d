"""Customer pages: the scoped list and a customer's detail."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhidu.core.access import member_required
from zhidu.core.text import clean_query
from zhidu.org.models import Role

from . import selectors

READERS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE)


@member_required(*READERS)
def customer_list(request: HttpRequest) -> HttpResponse:
    params = clean_query(request)
    q = params.get("q", "").strip()
    tag = params.get("tag", "")
    qs = selectors.customer_list(viewer=request.member, q=q, tag_id=int(tag) if tag.isdigit() else None)  # type: ignore[attr-defined]
    page = Paginator(qs, 50).get_page(params.get("page"))
    context = {"page": page, "q": q, "tag": tag, "tags": selectors.tag_list()}
    return render(request, "customers/list.html", context)


@member_required(*READERS)
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get_for(request.member, customer_id)  # type: ignore[attr-defined]
    follows = selectors.customer_follows(viewer=request.member, customer=customer)  # type: ignore[attr-defined]
    return render(request, "customers/detail.html", {"c": customer, "follows": follows})
