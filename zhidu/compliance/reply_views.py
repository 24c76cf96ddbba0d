"""The reply dashboard: our reply figures beside WeCom's, by member, team and department, in the viewer's scope;
the slowest open conversations and unanswered internal questions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from zhidu.core.access import member_required
from zhidu.core.text import clean_query
from zhidu.org.models import Role
from zhidu.web.dashboard import register

from .reply_selectors import late_waiting_count, reply_dashboard, reply_range, waited_minutes

REPLY_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE)

register("reply_late", gettext_lazy("Customers waiting past the reply deadline"), late_waiting_count)


@member_required(*REPLY_ROLES)
def reply(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    params = clean_query(request)
    start, end = reply_range(params.get("start", ""), params.get("end", ""))
    board = reply_dashboard(viewer=viewer, start=start, end=end)
    waited = waited_minutes(board.slowest)
    slowest = [(w, waited.get(w.pk, 0.0)) for w in board.slowest]
    return render(request, "compliance/reply.html", {"d": board, "slowest": slowest})
