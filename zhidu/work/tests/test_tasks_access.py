"""Plans and tasks, who may do what: every page and endpoint over the canonical actors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import ACTOR_NAMES
from zhidu.core.models import AuditEvent
from zhidu.org import services as org_services
from zhidu.work import tasks_services as svc
from zhidu.work.models import TaskChecklistItem, TaskComment, TaskStatus

pytestmark = pytest.mark.django_db

# A task the supervisor gives `sales` inside the supervisor's month plan.
READS = {"supervisor", "sales", "manager", "director", "compliance"}
WORKS = {"supervisor", "sales"}  # the creator and the assignee: start, done, checklist, attachments
MANAGES = {"supervisor", "manager", "director"}  # the creator and the leads above: cancel, reopen
LEADS = {"director", "manager", "supervisor", "supervisor_b"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def bearer(member):  # type: ignore[no-untyped-def]
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def world(actors):  # type: ignore[no-untyped-def]
    plan = svc.plan_create(
        actor=actors.supervisor, period_kind="month", day=timezone.localdate(), title="三月团队计划", goals="回款"
    )
    task = svc.task_create(
        actor=actors.supervisor,
        title="回访老客户",
        assignee_ids=[actors.sales.pk],
        due_at=timezone.now() + dt.timedelta(days=2),
        plan=plan,
        checklist=["打电话", "记录反馈"],
    )
    att = svc.attachment_add(actor=actors.sales, task=task, name="名单.png", data=PNG)
    return plan, task, att


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_pages(actors, login, world, name):  # type: ignore[no-untyped-def]
    plan, task, att = world
    c = login(actors.by_name(name))
    read = 200 if name in READS else 404
    assert c.get(reverse("work:my_work")).status_code == 200
    assert c.get(reverse("work:board")).status_code == (200 if name in LEADS else 403)
    assert c.get(reverse("work:task_new")).status_code == 200
    assert c.get(reverse("work:plans")).status_code == 200
    assert c.get(reverse("work:plan", args=[plan.pk])).status_code == read
    page = c.get(reverse("work:task", args=[task.pk]))
    assert page.status_code == read
    if name in READS:
        html = page.content.decode()
        assert ('data-testid="task-done"' in html) == (name in WORKS)
        assert ('data-testid="task-cancel"' in html) == (name in MANAGES)
        assert ('data-testid="check-add"' in html) == (name in WORKS)
    edit = c.get(reverse("work:task_edit", args=[task.pk])).status_code
    assert edit == (200 if name == "supervisor" else 403 if name in READS else 404)
    download = c.get(reverse("work:task_attachment", args=[task.pk, att.pk]))
    assert download.status_code == read
    if read == 200:
        assert b"".join(download.streaming_content) == PNG  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_page_writes(actors, login, world, name):  # type: ignore[no-untyped-def]
    _plan, task, _att = world
    c = login(actors.by_name(name))
    item = TaskChecklistItem.objects.filter(task=task).first()
    tick = c.post(reverse("work:task_act", args=[task.pk, "check"]), {"item": item.pk, "done": "1"})
    assert tick.status_code == (302 if name in WORKS else 403 if name in READS else 404)
    item.refresh_from_db()
    assert item.done == (name in WORKS)
    comment = c.post(reverse("work:task_act", args=[task.pk, "comment"]), {"text": "进展如何？"})
    may_comment = WORKS | MANAGES
    assert comment.status_code == (302 if name in may_comment else 403 if name in READS else 404)
    assert TaskComment.objects.filter(task=task).exists() == (name in may_comment)
    cancel = c.post(reverse("work:task_act", args=[task.pk, "transition"]), {"action": "cancel"})
    assert cancel.status_code == (302 if name in MANAGES else 403 if name in READS else 404)
    task.refresh_from_db()
    assert (task.status == TaskStatus.CANCELLED) == (name in MANAGES)


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_api(actors, client, world, name):  # type: ignore[no-untyped-def]
    plan, task, _att = world
    auth = bearer(actors.by_name(name))
    read = 200 if name in READS else 404
    assert client.get(reverse("api:task_get", args=[task.pk]), **auth).status_code == read
    assert client.get(reverse("api:work_plan_get", args=[plan.pk]), **auth).status_code == read
    listed = client.get(reverse("api:task_list") + "?box=all", **auth).json()
    assert ([r["id"] for r in listed] == [task.pk]) == (name in READS)
    plans = client.get(reverse("api:work_plan_list"), **auth).json()
    assert ([r["id"] for r in plans] == [plan.pk]) == (name in READS)
    item = task.checklist.first()
    tick = client.post(
        reverse("api:task_checklist_tick", args=[task.pk, item.pk]),
        data={"done": True},
        content_type="application/json",
        **auth,
    )
    assert tick.status_code == (200 if name in WORKS else 403 if name in READS else 404)
    upload = client.post(
        reverse("api:task_attachment_add", args=[task.pk]),
        {"file": SimpleUploadedFile("报告.pdf", b"%PDF-1.4 test")},
        **auth,
    )
    assert upload.status_code in ((201,) if name in WORKS else (403,) if name in READS else (404,))
    before = AuditEvent.objects.count()
    done = client.post(
        reverse("api:task_transition", args=[task.pk]), data={"action": "done"}, content_type="application/json", **auth
    )
    assert done.status_code == (200 if name in WORKS else 403 if name in READS else 404)
    task.refresh_from_db()
    assert (task.status == TaskStatus.DONE) == (name in WORKS)
    assert AuditEvent.objects.count() == before + (1 if name in WORKS else 0)
    if name in WORKS:
        assert done.json()["done_on_time"] is True
        again = client.post(
            reverse("api:task_transition", args=[task.pk]),
            data={"action": "done"},
            content_type="application/json",
            **auth,
        )
        assert again.status_code == 409
    edit = client.put(
        reverse("api:task_edit", args=[task.pk]),
        data={
            "title": "回访老客户（改）",
            "assignee_ids": [actors.sales.pk],
            "due_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
            "priority": "high",
        },
        content_type="application/json",
        **auth,
    )
    assert edit.status_code == (200 if name == "supervisor" else 403 if name in READS else 404)
    plan_edit = client.put(
        reverse("api:work_plan_edit", args=[plan.pk]),
        data={"title": "三月计划（改）"},
        content_type="application/json",
        **auth,
    )
    assert plan_edit.status_code == (200 if name == "supervisor" else 403 if name in READS else 404)


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_who_writes_a_plan(actors, client, name):  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("api:work_plan_create"),
        data={"period_kind": "week", "title": "本周重点"},
        content_type="application/json",
        **bearer(actors.by_name(name)),
    )
    assert response.status_code == (201 if name in LEADS else 403)


def test_ids_too_large_for_the_database_read_as_missing(actors, client, login):  # type: ignore[no-untyped-def]
    """A task, checklist item or attachment id beyond the database's integer range is a 404, never a crash."""
    _token, key = org_services.api_token_create(actor=actors.director, name="t")
    huge = 2**64
    tick = client.post(
        reverse("api:task_checklist_tick", args=[huge, 1]),
        data={"done": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert tick.status_code == 404
    assert login(actors.director).get(reverse("work:task_attachment", args=[huge, 1])).status_code == 404
