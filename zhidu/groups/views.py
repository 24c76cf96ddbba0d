"""Group pages: the scoped list of customer and internal groups, and a group's members and checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhidu.core.access import member_required
from zhidu.core.text import clean_query, id_param
from zhidu.org.models import Role

from . import selectors
from .checks import CHECKS, CUSTOMER, INTERNAL, checks_for
from .convention_views import conventions_context
from .models import GroupKind
from .moderation_selectors import ledger_for
from .sections import group_sections

READERS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE)


@member_required(*READERS)
def group_list(request: HttpRequest) -> HttpResponse:
    params = clean_query(request)
    q, kind = params.get("q", "").strip(), params.get("kind", "")
    rows, next_after = selectors.group_page(
        viewer=request.member,  # type: ignore[attr-defined]
        q=q,
        kind=kind,
        after=id_param(params.get("after")),
        size=settings.GROUP_LIST_PAGE_SIZE,
    )
    context: dict[str, Any] = {"rows": rows, "next_after": next_after, "q": q, "kind": kind}
    context["kinds"] = GroupKind.choices
    context["checks"] = [(c, CUSTOMER in c.kinds, INTERNAL in c.kinds) for c in CHECKS]
    return render(request, "groups/list.html", context)


@member_required(*READERS)
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.group_get_for(request.member, group_id)  # type: ignore[attr-defined]
    members = selectors.group_members(group=group, include_left=request.GET.get("left") == "1")
    context = {"g": group, "members": members, "checks": checks_for(group.kind)}
    context["creator"] = selectors.group_creator(group)
    context["sections"] = group_sections(request.member, group)  # type: ignore[attr-defined]
    context.update(conventions_context(request.member, group))  # type: ignore[attr-defined]
    context["ledger"] = ledger_for(viewer=request.member, group=group)  # type: ignore[attr-defined]
    return render(request, "groups/detail.html", context)
