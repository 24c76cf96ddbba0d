"""Tasks: who may assign to whom, who reads a task, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ACTOR_NAMES
from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent, Notification
from zhidu.work import errors as E
from zhidu.work import tasks_services as svc
from zhidu.work.models import Task

pytestmark = pytest.mark.django_db

# A task the supervisor gives `sales`: who reads it.
READS = {"supervisor", "sales", "manager", "director", "compliance"}


def tomorrow() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=1)


def test_create_notifies_and_audits(actors):  # type: ignore[no-untyped-def]
    task = svc.task_create(
        actor=actors.supervisor, title="回访上周新客户", assignee_ids=[actors.sales.pk], due_at=tomorrow()
    )
    assert list(task.assignees.all()) == [actors.sales]
    assert AuditEvent.objects.filter(verb="task.create", target_id=str(task.pk)).count() == 1
    assert Notification.objects.filter(recipient=actors.sales, url=reverse("work:task", args=[task.pk])).count() == 1


@pytest.mark.parametrize(
    ("lead", "assignee", "allowed"),
    [
        ("supervisor", "sales", True),
        ("supervisor", "sales_b", False),
        ("manager", "sales_b", True),
        ("manager", "outsider", False),
        ("sales", "sales", True),
        ("sales", "sales_b", False),
    ],
)
def test_assignees_must_be_in_scope(actors, lead, assignee, allowed):  # type: ignore[no-untyped-def]
    before = (Task.objects.count(), AuditEvent.objects.count(), Notification.objects.count())
    call = lambda: svc.task_create(  # noqa: E731
        actor=actors.by_name(lead), title="整理客户资料", assignee_ids=[actors.by_name(assignee).pk], due_at=tomorrow()
    )
    if allowed:
        call()
        assert Task.objects.count() == before[0] + 1
    else:
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.template == E.ERR_TASK_ASSIGNEE_SCOPE
        assert (Task.objects.count(), AuditEvent.objects.count(), Notification.objects.count()) == before


def test_due_in_the_past_is_refused(actors):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as exc:
        svc.task_create(
            actor=actors.supervisor,
            title="补录订单",
            assignee_ids=[actors.sales.pk],
            due_at=timezone.now() - dt.timedelta(hours=1),
        )
    assert exc.value.field == "due_at"
    assert not Task.objects.exists()


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_who_reads_a_task(actors, login, name):  # type: ignore[no-untyped-def]
    task = svc.task_create(actor=actors.supervisor, title="回访", assignee_ids=[actors.sales.pk], due_at=tomorrow())
    page = login(actors.by_name(name)).get(reverse("work:task", args=[task.pk]))
    assert page.status_code == (200 if name in READS else 404)
    assert (name in READS) == Task.objects.visible_to(actors.by_name(name)).filter(pk=task.pk).exists()


def test_an_unknown_assignee_is_named_not_numbered(actors):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as exc:
        svc.task_create(actor=actors.supervisor, title="回访", assignee_ids=[987654], due_at=tomorrow())
    assert "987654" not in exc.value.message and "an unknown member" in exc.value.message
    assert not Task.objects.exists()
