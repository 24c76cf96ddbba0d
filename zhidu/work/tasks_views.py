"""Task pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from zhidu.core.access import member_required

from .models import Task


@member_required()
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    task = Task.objects.visible_to(member).filter(pk=task_id).select_related("created_by").first()
    if task is None:
        raise Http404
    return render(request, "work/task_detail.html", {"task": task, "assignees": list(task.assignees.all())})
