"""Plans and tasks: refusals that write nothing, the overdue/escalation timing, recurring tasks, the KPI metric,
the plan rules and the pages' query counts."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent, Notification
from zhidu.org import services as org_services
from zhidu.performance.metrics import PeriodScope, get_metric
from zhidu.work import errors as E
from zhidu.work import tasks_services as svc
from zhidu.work.models import Plan, Task, TaskAttachment, TaskChecklistItem, TaskComment, TaskStatus
from zhidu.work.tasks_metrics import TASKS_ON_TIME
from zhidu.work.tasks_periodic import task_check

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def bearer(member):  # type: ignore[no-untyped-def]
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SH)


def state():  # type: ignore[no-untyped-def]
    return (
        list(Task.objects.order_by("pk").values_list("pk", "status", "due_at", "title", "priority")),
        AuditEvent.objects.count(),
        Notification.objects.count(),
        TaskAttachment.objects.count(),
        TaskChecklistItem.objects.count(),
        TaskComment.objects.count(),
    )


def give(actors, **kw):  # type: ignore[no-untyped-def]
    args = {
        "actor": actors.supervisor,
        "title": "整理客户名单",
        "assignee_ids": [actors.sales.pk],
        "due_at": timezone.now() + dt.timedelta(days=1),
    }
    return svc.task_create(**{**args, **kw})


def office_zip(part: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        # A fixed timestamp: parameters built from it must be the same in every test worker (pytest-xdist).
        z.writestr(zipfile.ZipInfo(part, date_time=(2026, 1, 1, 0, 0, 0)), "<x/>")
    return buf.getvalue()


def stored_files(settings) -> list[str]:  # type: ignore[no-untyped-def]
    root = settings.MEDIA_ROOT
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- bad input writes nothing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("a.exe", b"MZ\x90\x00", E.ERR_ATTACH_TYPE),
        ("a.pdf", b"\x89PNG\r\n\x1a\n....", E.ERR_ATTACH_CONTENT),  # a PNG named .pdf
        ("a.png", b"%PDF-1.4", E.ERR_ATTACH_CONTENT),
        ("a.docx", office_zip("xl/workbook.xml"), E.ERR_ATTACH_CONTENT),  # an Excel file named .docx
        ("a.xlsx", b"PK\x03\x04not really a zip", E.ERR_ATTACH_CONTENT),
        ("a.txt", b"\x00\x01binary", E.ERR_ATTACH_CONTENT),
        ("a.txt", b"", E.ERR_ATTACH_EMPTY),
        ("big.txt", b"x" * 2001, E.ERR_ATTACH_TOO_BIG),
    ],
)
def test_refused_files_write_nothing(actors, settings, name, data, error):  # type: ignore[no-untyped-def]
    settings.WORK_ATTACHMENT_MAX_BYTES = 2000
    task = give(actors)
    before = state()
    with pytest.raises(DomainError) as exc:
        svc.attachment_add(actor=actors.sales, task=task, name=name, data=data)
    assert exc.value.template == error
    assert state() == before and stored_files(settings) == []


def test_allowed_files_are_stored_and_the_count_is_bounded(actors, settings):  # type: ignore[no-untyped-def]
    settings.WORK_TASK_ATTACHMENTS_MAX = 3
    task = give(actors)
    for name, data in [
        ("合同.docx", office_zip("word/document.xml")),
        ("报价.xlsx", office_zip("xl/workbook.xml")),
        ("说明.txt", "客户要求周五前回复".encode()),
    ]:
        att = svc.attachment_add(actor=actors.sales, task=task, name=name, data=data)
        assert att.file.read() == data and att.name == name
    assert len(stored_files(settings)) == 3
    before = state()
    with pytest.raises(DomainError) as exc:
        svc.attachment_add(actor=actors.sales, task=task, name="照片.jpg", data=b"\xff\xd8\xff\xe0")
    assert exc.value.template == E.ERR_ATTACH_TOO_MANY
    assert state() == before and len(stored_files(settings)) == 3


def test_page_and_api_refuse_a_disguised_upload(actors, client, login, settings):  # type: ignore[no-untyped-def]
    task = give(actors)
    auth = bearer(actors.sales)
    before = state()
    fake = SimpleUploadedFile("报告.pdf", b"GIF89a not a pdf")
    page = login(actors.sales).post(reverse("work:task_act", args=[task.pk, "attach"]), {"file": fake})
    assert page.status_code == 302
    api = client.post(
        reverse("api:task_attachment_add", args=[task.pk]),
        {"file": SimpleUploadedFile("报告.pdf", b"GIF89a not a pdf")},
        **auth,
    )
    assert api.status_code == 400 and api.json()["field"] == "file"
    assert state() == before and stored_files(settings) == []


def test_bad_task_input_writes_nothing(actors, client):  # type: ignore[no-untyped-def]
    task = give(actors)
    auth = bearer(actors.supervisor)
    before = state()
    due = (timezone.now() + dt.timedelta(days=1)).isoformat()
    outside = client.post(
        reverse("api:task_create"),
        data={"title": "x", "assignee_ids": [actors.sales_b.pk], "due_at": due},
        content_type="application/json",
        **auth,
    )
    assert outside.status_code == 403
    past = client.post(
        reverse("api:task_create"),
        data={"title": "x", "assignee_ids": [actors.sales.pk], "due_at": "2020-01-01T09:00:00+08:00"},
        content_type="application/json",
        **auth,
    )
    assert past.status_code == 400 and past.json()["field"] == "due_at"
    unknown = client.post(
        reverse("api:task_transition", args=[task.pk]),
        data={"action": "finish"},
        content_type="application/json",
        **auth,
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "action"
    priority = client.put(
        reverse("api:task_edit", args=[task.pk]),
        data={"title": "y", "assignee_ids": [actors.sales.pk], "due_at": due, "priority": "whenever"},
        content_type="application/json",
        **auth,
    )
    assert priority.status_code == 400
    moved_out = client.put(
        reverse("api:task_edit", args=[task.pk]),
        data={"title": "y", "assignee_ids": [actors.outsider.pk], "due_at": due},
        content_type="application/json",
        **auth,
    )
    assert moved_out.status_code == 403
    empty = client.post(
        reverse("api:task_comment_add", args=[task.pk]), data={"text": "  "}, content_type="application/json", **auth
    )
    assert empty.status_code == 400
    assert state() == before


def test_the_task_form_offers_only_the_scope_and_refuses_others(actors, login):  # type: ignore[no-untyped-def]
    c = login(actors.supervisor)
    form = c.get(reverse("work:task_new")).content.decode()
    assert actors.sales.name in form and actors.sales_b.name not in form
    before = state()
    due = timezone.localtime(timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    bad = c.post(
        reverse("work:task_new"),
        {"title": "跟进", "assignees": [actors.sales_b.pk], "due_at": due, "priority": "normal"},
    )
    assert bad.status_code == 400 and state() == before
    ok = c.post(
        reverse("work:task_new"),
        {"title": "跟进", "assignees": [actors.sales.pk], "due_at": due, "priority": "normal", "checklist": "一\n二"},
    )
    task = Task.objects.get()
    assert ok.status_code == 302 and list(task.checklist.values_list("text", flat=True)) == ["一", "二"]


# --- transitions -----------------------------------------------------------------------------------------------


def test_done_late_and_reopen(actors, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2, 9), tick=False)
    task = give(actors, due_at=at(2, 18))
    svc.task_transition(actor=actors.sales, task=task, action="start")
    Notification.objects.all().delete()
    time_machine.move_to(at(2, 19), tick=False)
    task = svc.task_transition(actor=actors.sales, task=task, action="done")
    assert task.status == TaskStatus.DONE and task.done_on_time is False and task.done_at == at(2, 19)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [actors.supervisor.pk]
    with pytest.raises(DomainError) as exc:
        svc.task_transition(actor=actors.sales, task=task, action="reopen")
    assert exc.value.code == "forbidden"
    task = svc.task_transition(actor=actors.manager, task=task, action="reopen")
    assert task.status == TaskStatus.OVERDUE and task.done_at is None and task.done_on_time is None
    verbs = list(AuditEvent.objects.filter(target_id=str(task.pk)).order_by("pk").values_list("verb", flat=True))
    assert verbs == ["task.create", "task.start", "task.done", "task.reopen"]


def test_edit_moves_the_due_time_and_tells_new_assignees(actors, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2, 9), tick=False)
    task = give(actors, actor=actors.manager, due_at=at(2, 18))
    time_machine.move_to(at(2, 19), tick=False)
    task_check()
    Notification.objects.all().delete()
    task = svc.task_update(
        actor=actors.manager,
        task=Task.objects.get(pk=task.pk),
        title="整理客户名单",
        description="",
        assignee_ids=[actors.sales.pk, actors.sales_b.pk],
        due_at=at(3, 18),
        priority="urgent",
    )
    assert task.status == TaskStatus.OPEN and task.overdue_notified_at is None
    assert set(Notification.objects.values_list("recipient_id", "title")) == {
        (actors.sales.pk, "Task changed"),
        (actors.sales_b.pk, "New task for you"),
    }
    with pytest.raises(DomainError) as exc:
        svc.task_update(
            actor=actors.sales, task=task, title="x", description="", assignee_ids=[actors.sales.pk],
            due_at=at(3, 18), priority="normal",
        )  # fmt: skip
    assert exc.value.template == E.ERR_TASK_NOT_CREATOR


# --- overdue and escalation ------------------------------------------------------------------------------------


def notes(member):  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(recipient=member).order_by("pk").values_list("title", flat=True))


def test_overdue_then_escalation_each_told_once(actors, settings, time_machine):  # type: ignore[no-untyped-def]
    settings.WORK_TASK_ESCALATE_HOURS = 24
    time_machine.move_to(at(2, 9), tick=False)
    task = give(actors, due_at=at(2, 18), assignee_ids=[actors.sales.pk, actors.supervisor.pk])
    Notification.objects.all().delete()
    time_machine.move_to(at(2, 17, 59), tick=False)
    assert task_check().overdue == 0
    time_machine.move_to(at(2, 18, 1), tick=False)
    assert task_check().overdue == 1
    assert notes(actors.sales) == ["Task overdue"]
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OVERDUE
    assert task_check().overdue == 0  # a second run tells nobody again
    time_machine.move_to(at(3, 17, 59), tick=False)  # the next day, still under 24 h
    assert task_check().escalated == 0
    assert notes(actors.supervisor) == ["Task overdue"]
    time_machine.move_to(at(3, 18, 0), tick=False)
    assert task_check().escalated == 1
    assert notes(actors.supervisor) == ["Task overdue", "A task you gave is still not done"]
    time_machine.move_to(at(5, 9), tick=False)
    r = task_check()
    assert (r.overdue, r.escalated) == (0, 0)
    assert Notification.objects.count() == 3
    assert AuditEvent.objects.filter(verb__in=["task.overdue", "task.escalate"]).count() == 2


def test_a_task_done_in_time_is_never_overdue(actors, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2, 9), tick=False)
    task = give(actors, due_at=at(2, 18))
    svc.task_transition(actor=actors.sales, task=task, action="done")
    time_machine.move_to(at(4, 9), tick=False)
    r = task_check()
    assert (r.overdue, r.escalated) == (0, 0)
    assert Task.objects.get(pk=task.pk).done_on_time is True


# --- recurring tasks -------------------------------------------------------------------------------------------


def test_daily_task_repeats_on_working_days_once(actors, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(at(6, 9), tick=False)  # Friday
    first = give(actors, title="晨会记录", due_at=at(6, 18), recurrence="daily", checklist=["签到", "记录"])
    item = first.checklist.first()
    svc.checklist_tick(actor=actors.sales, item=item, done=True)
    svc.task_transition(actor=actors.sales, task=first, action="done")
    time_machine.move_to(at(6, 19), tick=False)
    assert task_check().repeated == 1
    assert task_check().repeated == 0
    nxt = Task.objects.exclude(pk=first.pk).get()
    assert nxt.due_at == at(9, 18)  # Monday: the weekend is skipped
    assert nxt.series_id == first.pk and nxt.title == "晨会记录" and nxt.status == TaskStatus.OPEN
    assert list(nxt.assignees.all()) == [actors.sales]
    assert list(nxt.checklist.values_list("text", "done")) == [("签到", False), ("记录", False)]
    # Monday's is not done: past its due time it turns overdue and Tuesday's is created, pointing at the first.
    time_machine.move_to(at(9, 18, 30), tick=False)
    r = task_check()
    assert (r.overdue, r.repeated) == (1, 1)
    third = Task.objects.order_by("-pk").first()
    assert third.due_at == at(10, 18) and third.series_id == first.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(
            title="x", created_by=actors.supervisor, department=actors.dept1, due_at=at(10, 18), series=first
        )
    # Stopping the series: no more occurrences.
    svc.series_stop(actor=actors.supervisor, task=third)
    time_machine.move_to(at(12, 9), tick=False)
    assert task_check().repeated == 0
    assert Task.objects.count() == 3


def test_weekly_task_and_a_cancelled_one_repeat(actors, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2, 9), tick=False)
    first = give(actors, title="周报", due_at=at(6, 17), recurrence="weekly")
    assert task_check().repeated == 0
    svc.task_transition(actor=actors.supervisor, task=first, action="cancel")
    assert task_check().repeated == 1
    assert Task.objects.exclude(pk=first.pk).get().due_at == at(13, 17)
    with pytest.raises(DomainError):
        svc.series_stop(actor=actors.sales, task=first)


# --- the KPI metric --------------------------------------------------------------------------------------------


def test_tasks_on_time_metric_equals_the_records(actors, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(at(1, 8), tick=False)
    a = give(actors, due_at=at(2, 18))  # sales: done on time
    b = give(actors, due_at=at(3, 18), assignee_ids=[actors.sales.pk, actors.supervisor.pk])  # done late
    give(actors, due_at=at(4, 18))  # sales: never done (overdue)
    c = give(actors, due_at=at(5, 18))  # cancelled: not counted
    give(actors, due_at=at(31, 18))  # not due yet at the time of reading: not counted
    give(actors, due_at=dt.datetime(2026, 4, 2, 18, tzinfo=SH))  # next month
    time_machine.move_to(at(2, 10), tick=False)
    svc.task_transition(actor=actors.sales, task=a, action="done")
    time_machine.move_to(at(3, 19), tick=False)
    svc.task_transition(actor=actors.supervisor, task=b, action="done")
    svc.task_transition(actor=actors.supervisor, task=c, action="cancel")
    time_machine.move_to(at(10, 9), tick=False)
    task_check()
    metric = get_metric(TASKS_ON_TIME)
    assert metric is not None
    values = metric.compute(PeriodScope("month", dt.date(2026, 3, 1)))
    now = timezone.now()
    expected = {}
    for m in (actors.sales, actors.supervisor):
        rows = [
            t
            for t in Task.objects.filter(
                assignees=m, due_at__gte=at(1, 0), due_at__lt=dt.datetime(2026, 4, 1, tzinfo=SH)
            )
            if t.status != TaskStatus.CANCELLED and (t.due_at <= now or t.status == TaskStatus.DONE)
        ]
        expected[m.pk] = (Decimal(sum(1 for t in rows if t.done_on_time)) * 100 / len(rows)).quantize(Decimal("0.01"))
    assert values == expected
    assert values[actors.sales.pk] == Decimal("33.33") and values[actors.supervisor.pk] == Decimal("0.00")
    only = metric.compute(PeriodScope("month", dt.date(2026, 3, 1), member_ids=frozenset({actors.supervisor.pk})))
    assert only == {actors.supervisor.pk: Decimal("0.00")}
    assert metric.records is not None
    assert len(metric.records(actors.sales.pk, PeriodScope("month", dt.date(2026, 3, 1)), 10)) == 3


# --- plans -----------------------------------------------------------------------------------------------------


def test_one_plan_per_lead_and_period(actors, client):  # type: ignore[no-untyped-def]
    p = svc.plan_create(actor=actors.supervisor, period_kind="week", day=dt.date(2026, 3, 4), title="本周")
    assert p.period_start == dt.date(2026, 3, 2)
    auth = bearer(actors.supervisor)
    before = (Plan.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as exc:
        svc.plan_create(actor=actors.supervisor, period_kind="week", day=dt.date(2026, 3, 6), title="又一个")
    assert exc.value.template == E.ERR_PLAN_EXISTS and exc.value.code == "conflict"
    api = client.post(
        reverse("api:work_plan_create"),
        data={"period_kind": "week", "day": "2026-03-05", "title": "again"},
        content_type="application/json",
        **auth,
    )
    assert api.status_code == 409
    assert (Plan.objects.count(), AuditEvent.objects.count()) == before
    svc.plan_create(actor=actors.supervisor, period_kind="month", day=dt.date(2026, 3, 4), title="本月")
    svc.plan_create(actor=actors.supervisor_b, period_kind="week", day=dt.date(2026, 3, 4), title="B 组本周")
    with pytest.raises(DomainError) as exc:
        svc.plan_create(actor=actors.sales, period_kind="week", day=dt.date(2026, 3, 4), title="我的")
    assert exc.value.template == E.ERR_PLAN_NOT_LEAD


def test_plan_links_stay_in_scope(actors):  # type: ignore[no-untyped-def]
    from zhidu.customers.models import DevelopmentPlan

    mine = DevelopmentPlan.objects.create(
        member=actors.sales, period="month", starts_on=dt.date(2026, 3, 1), set_by=actors.supervisor
    )
    other = DevelopmentPlan.objects.create(
        member=actors.sales_b, period="month", starts_on=dt.date(2026, 3, 1), set_by=actors.supervisor
    )
    p = svc.plan_create(
        actor=actors.supervisor, period_kind="month", day=dt.date(2026, 3, 1), title="本月",
        development_plan_ids=[mine.pk],
    )  # fmt: skip
    assert list(p.development_plans.all()) == [mine]
    with pytest.raises(DomainError) as exc:
        svc.plan_update(actor=actors.supervisor, plan=p, title="本月", development_plan_ids=[mine.pk, other.pk])
    assert exc.value.template == E.ERR_PLAN_DEVPLAN
    with pytest.raises(DomainError) as exc:
        svc.plan_update(actor=actors.supervisor, plan=p, title="本月", target_tree_id=999999)
    assert exc.value.template == E.ERR_PLAN_TARGET
    assert list(p.development_plans.all()) == [mine]


def test_plan_page_lists_its_tasks_with_progress(actors, login):  # type: ignore[no-untyped-def]
    p = svc.plan_create(actor=actors.supervisor, period_kind="month", day=timezone.localdate(), title="本月计划")
    a = give(actors, plan=p, title="任务甲")
    give(actors, plan=p, title="任务乙")
    svc.task_transition(actor=actors.sales, task=a, action="done")
    page = login(actors.sales).get(reverse("work:plan", args=[p.pk])).content.decode()
    assert "任务甲" in page and "任务乙" in page and "1/2" in page
    with pytest.raises(DomainError):
        give(actors, actor=actors.supervisor_b, assignee_ids=[actors.sales_b.pk], plan=p)


# --- pages -----------------------------------------------------------------------------------------------------


def test_my_work_and_board_order_and_query_counts(actors, login, time_machine, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    time_machine.move_to(at(2, 9), tick=False)
    late = give(actors, title="已逾期的任务", due_at=at(2, 12))
    soon = give(actors, title="明天到期的任务", due_at=at(3, 12), checklist=["甲", "乙"])
    for i in range(12):
        give(actors, title=f"批量任务{i}", due_at=at(20, 9), assignee_ids=[actors.sales.pk, actors.supervisor.pk])
    give(actors, actor=actors.supervisor_b, title="B 组任务", assignee_ids=[actors.sales_b.pk], due_at=at(4, 9))
    time_machine.move_to(at(2, 13), tick=False)
    task_check()
    c = login(actors.sales)
    with django_assert_max_num_queries(12):
        page = c.get(reverse("work:my_work")).content.decode()
    assert page.index("已逾期的任务") < page.index("明天到期的任务") < page.index("批量任务0")
    assert "2/2" not in page and "0/2" in page
    s = login(actors.supervisor)
    with django_assert_max_num_queries(16):
        board = s.get(reverse("work:board")).content.decode()
    assert "B 组任务" not in board and board.index("已逾期的任务") < board.index("明天到期的任务")
    filtered = s.get(reverse("work:board") + f"?status=overdue&assignee={actors.sales.pk}").content.decode()
    assert "已逾期的任务" in filtered and "明天到期的任务" not in filtered
    m = login(actors.manager).get(reverse("work:board")).content.decode()
    assert "B 组任务" in m and "已逾期的任务" in m
    assert late.pk != soon.pk


def test_board_columns_are_bounded(actors, login, settings):  # type: ignore[no-untyped-def]
    settings.WORK_BOARD_COLUMN_MAX = 5
    for i in range(7):
        give(actors, title=f"任务{i}")
    page = login(actors.supervisor).get(reverse("work:board")).content.decode()
    assert page.count('data-testid="task-row"') == 5 and "(5+)" in page


def test_api_lists_page_by_key(actors, client):  # type: ignore[no-untyped-def]
    ids = [give(actors, title=f"任务{i}").pk for i in range(5)]
    auth = bearer(actors.sales)
    first = client.get(reverse("api:task_list") + "?limit=3", **auth).json()
    assert [r["id"] for r in first] == ids[::-1][:3]
    second = client.get(reverse("api:task_list") + f"?limit=3&after={first[-1]['id']}", **auth).json()
    assert [r["id"] for r in second] == ids[::-1][3:]


def test_demo_builds_a_board_in_every_state_once(actors):  # type: ignore[no-untyped-def]
    from zhidu.work.tasks_demo import demo_tasks

    demo_tasks()
    demo_tasks()
    assert Plan.objects.count() == 1
    tasks = Task.objects.all()
    states = {(t.status, t.done_on_time) for t in tasks}
    assert {
        ("open", None),
        ("in_progress", None),
        ("done", True),
        ("done", False),
        ("overdue", None),
        ("cancelled", None),
    } <= states
    assert tasks.filter(recurrence="daily").exists() and TaskComment.objects.count() == 2
    assert TaskChecklistItem.objects.exists()


def test_task_and_plan_pages_query_counts(actors, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    p = svc.plan_create(actor=actors.supervisor, period_kind="month", day=timezone.localdate(), title="本月计划")
    task = give(actors, plan=p, checklist=["一", "二", "三"])
    for i in range(5):
        svc.comment_add(actor=actors.sales, task=task, text=f"评论{i}")
        give(actors, plan=p, title=f"计划任务{i}")
    svc.attachment_add(actor=actors.sales, task=task, name="a.txt", data=b"hello")
    c = login(actors.supervisor)
    with django_assert_max_num_queries(20):
        page = c.get(reverse("work:task", args=[task.pk])).content.decode()
    assert "评论4" in page and "a.txt" in page and page.count('data-testid="check-item"') == 3
    with django_assert_max_num_queries(20):
        assert "计划任务4" in c.get(reverse("work:plan", args=[p.pk])).content.decode()
    with django_assert_max_num_queries(12):
        assert "本月计划" in c.get(reverse("work:plans")).content.decode()


def test_a_due_time_beyond_the_horizon_is_refused_and_pages_keep_working(actors, client, login, settings):  # type: ignore[no-untyped-def]
    """A due time in year 9999 used to be stored; every page showing the task then failed (date overflow)."""
    settings.WORK_TASK_DUE_MAX_DAYS = 30
    auth = bearer(actors.supervisor)
    before = state()
    body = {"title": "远期", "assignee_ids": [actors.sales.pk], "due_at": "9999-12-31T23:59:00+00:00"}
    r = client.post(reverse("api:task_list"), data=body, content_type="application/json", **auth)
    assert r.status_code == 400
    assert r.json()["field"] == "due_at"
    assert state() == before
    with pytest.raises(DomainError) as exc:
        give(actors, due_at=timezone.now() + dt.timedelta(days=31))
    assert (exc.value.template, exc.value.params) == (E.ERR_TASK_DUE_FAR, {"days": 30})
    t = give(actors, due_at=timezone.now() + dt.timedelta(days=29))
    with pytest.raises(DomainError):
        svc.task_update(
            actor=actors.supervisor,
            task=t,
            title=t.title,
            description="",
            assignee_ids=[actors.sales.pk],
            due_at=timezone.now() + dt.timedelta(days=31),
            priority=t.priority,
        )
    login(actors.sales)
    for url in (reverse("work:task", args=[t.pk]), reverse("work:my_work")):
        assert client.get(url).status_code == 200


def test_a_plan_period_beyond_the_horizon_is_refused(actors, client, login, settings):  # type: ignore[no-untyped-def]
    """A plan for the last week of year 9999 used to be stored, and its page then failed (date overflow)."""
    settings.WORK_TASK_DUE_MAX_DAYS = 30
    auth = bearer(actors.supervisor)
    before = (Plan.objects.count(), AuditEvent.objects.count())
    for day in ("9999-12-31", "0001-01-01"):
        body = {"title": "远期计划", "period_kind": "week", "day": day}
        r = client.post(reverse("api:work_plan_list"), data=body, content_type="application/json", **auth)
        assert r.status_code == 400
        assert r.json()["field"] == "day"
    assert (Plan.objects.count(), AuditEvent.objects.count()) == before
    with pytest.raises(DomainError) as exc:
        svc.plan_create(
            actor=actors.supervisor, period_kind="month", day=timezone.localdate() + dt.timedelta(days=31), title="远"
        )
    assert (exc.value.template, exc.value.params) == (E.ERR_PLAN_FAR, {"days": 30})
    p = svc.plan_create(
        actor=actors.supervisor, period_kind="week", day=timezone.localdate() + dt.timedelta(days=29), title="近"
    )
    login(actors.supervisor)
    assert client.get(reverse("work:plan", args=[p.pk])).status_code == 200


def test_the_plan_page_shows_only_the_development_plans_the_reader_may_see(actors, login):  # type: ignore[no-untyped-def]
    """The team reads its lead's plan; a salesperson saw every linked development plan, also a colleague's."""
    from zhidu.customers.models import DevelopmentPlan
    from zhidu.org.models import Role
    from zhidu.org.tests.factories import MemberFactory

    colleague = MemberFactory(
        name="郑同事", role=Role.SALES, department=actors.sales.department, reports_to=actors.supervisor
    )
    day = timezone.localdate().replace(day=1)
    plans = [
        DevelopmentPlan.objects.create(member=m, period="month", starts_on=day, set_by=actors.supervisor)
        for m in (actors.sales, colleague)
    ]
    p = svc.plan_create(
        actor=actors.supervisor, period_kind="month", day=day, title="本月", development_plan_ids=[d.pk for d in plans]
    )
    lead_page = login(actors.supervisor).get(reverse("work:plan", args=[p.pk])).content.decode()
    assert actors.sales.name in lead_page and colleague.name in lead_page
    response = login(actors.sales).get(reverse("work:plan", args=[p.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert actors.sales.name in page and colleague.name not in page
    # The API names only the development plans the reader may see, in the list and the detail.
    from zhidu.org import services as org_services

    for member, expected in ((actors.sales, [plans[0].pk]), (actors.supervisor, sorted(d.pk for d in plans))):
        _token, key = org_services.api_token_create(actor=member, name="t")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        detail = login(member).get(reverse("api:work_plan_get", args=[p.pk]), **auth).json()
        listed = login(member).get(reverse("api:work_plan_list"), **auth).json()
        assert detail["development_plan_ids"] == expected
        assert [row["development_plan_ids"] for row in listed if row["id"] == p.pk] == [expected]
