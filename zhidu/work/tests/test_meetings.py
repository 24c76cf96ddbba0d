"""Meetings: who reads and changes what (pages and API over the canonical actors), the org calendar entry kept in
step (and seen by the meeting-chat check), minutes with action items that become tasks, follow-up meetings that
write on the customer's timeline, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import ACTOR_NAMES
from zhidu.compliance.models import Violation
from zhidu.compliance.services import archive_ingest
from zhidu.compliance.tests.factories import BASE_MS, text_record, write_jsonl
from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent, Notification
from zhidu.customers.models import FollowUp
from zhidu.customers.tests.factories import FollowFactory
from zhidu.org import calendar as cal
from zhidu.org.models import CalendarEntry
from zhidu.wecom.archive import JsonlFileSource
from zhidu.work import errors as E
from zhidu.work import meetings_services as svc
from zhidu.work.meetings_selectors import meetings_upcoming_for
from zhidu.work.models import ActionItem, Attendance, Meeting, MeetingStatus, Task, TaskStatus

from .meetings_helpers import END, START, T0, bearer, schedule, state

pytestmark = pytest.mark.django_db

# A team meeting organized by `supervisor` with `sales`.
READS = {"supervisor", "sales", "manager", "director", "compliance"}
MANAGES = {"supervisor", "manager", "director"}
CREATES = {"director", "manager", "supervisor", "supervisor_b"}  # leads schedule team meetings
OPENS_FORM = set(ACTOR_NAMES) - {"compliance", "admin"}  # the sales line opens the form
IN_FEED = {"supervisor", "sales"}


def refused(name: str) -> int:
    return 403 if name in READS else 404


@pytest.fixture
def at(time_machine):  # type: ignore[no-untyped-def]
    def _move(when):  # type: ignore[no-untyped-def]
        time_machine.move_to(when, tick=False)

    _move(T0)
    return _move


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_permission_table_pages_and_api(actors, client, login, at, name):  # type: ignore[no-untyped-def]
    m = schedule(actors.supervisor, [actors.sales], title="周例会", place="三楼会议室")
    member = actors.by_name(name)
    auth = bearer(member)
    c = login(member)
    reads = name in READS
    assert c.get(reverse("work:meeting", args=[m.pk])).status_code == (200 if reads else 404)
    listing = c.get(reverse("work:meetings")).content.decode()
    assert (reverse("work:meeting", args=[m.pk]) in listing) == reads
    edit = c.get(reverse("work:meeting_edit", args=[m.pk])).status_code
    assert edit == (200 if name in MANAGES else refused(name))
    assert c.get(reverse("work:meeting_new")).status_code == (200 if name in OPENS_FORM else 403)
    assert c.get(reverse("work:meeting_ics", args=[m.pk])).status_code == (200 if reads else 404)
    feed = c.get(reverse("work:meetings_ics"))
    assert feed.status_code == 200 and (f"UID:meeting-{m.pk}@zhidu" in feed.content.decode()) == (name in IN_FEED)
    # API reads
    assert client.get(reverse("api:meeting_get", args=[m.pk]), **auth).status_code == (200 if reads else 404)
    rows = client.get(reverse("api:meeting_list"), **auth).json()
    assert ([r["id"] for r in rows] == [m.pk]) == reads
    assert client.get(reverse("api:meeting_ics", args=[m.pk]), **auth).status_code == (200 if reads else 404)
    assert client.get(reverse("api:meeting_action_items", args=[m.pk]), **auth).status_code == (200 if reads else 404)
    api_feed = client.get(reverse("api:meeting_feed_ics"), **auth)
    assert api_feed.status_code == 200 and (f"meeting-{m.pk}@" in api_feed.content.decode()) == (name in IN_FEED)
    # API create (a team meeting of their own)
    before = state()
    body = {
        "title": "部门会",
        "kind": "team",
        "starts_at": "2026-03-03T10:00:00+08:00",
        "ends_at": "2026-03-03T11:00:00+08:00",
    }
    created = client.post(reverse("api:meeting_list"), data=body, content_type="application/json", **auth)
    assert created.status_code == (201 if name in CREATES else 403)
    if name not in CREATES:
        assert state() == before
    # reschedule
    before = state()
    move = {"title": "周例会（改期）", "starts_at": "2026-03-02T14:30:00+08:00", "ends_at": "2026-03-02T15:30:00+08:00",
            "participant_ids": [actors.sales.pk]}  # fmt: skip
    r = client.post(reverse("api:meeting_reschedule", args=[m.pk]), data=move, content_type="application/json", **auth)
    assert r.status_code == (200 if name in MANAGES else refused(name))
    if name not in MANAGES:
        assert state() == before
    # after the meeting: attendance, minutes, action items
    at(END + dt.timedelta(minutes=45))
    before = state()
    marks = {"marks": [{"member_id": actors.sales.pk, "attendance": "late"}]}
    r = client.post(reverse("api:meeting_attendance", args=[m.pk]), data=marks, content_type="application/json", **auth)
    assert r.status_code == (200 if name in MANAGES else refused(name))
    page = c.post(reverse("work:meeting_minutes", args=[m.pk]), {"minutes": "讨论了本周重点。"})
    assert page.status_code == (302 if name in MANAGES else refused(name))
    due = "2026-03-05T18:00:00+08:00"
    item = [{"title": "整理报价", "assignee_id": actors.sales.pk, "due_at": due}]
    url = reverse("api:meeting_action_items_add", args=[m.pk])
    r = client.post(url, data=item, content_type="application/json", **auth)
    assert r.status_code == (201 if name in MANAGES else refused(name))
    if name not in MANAGES:
        assert state() == before
    else:
        assert Task.objects.get().assignees.get() == actors.sales
    # cancel: a second meeting (page refused first, then the API)
    other = schedule(
        actors.supervisor, [actors.sales], title="培训", kind="training", start=START + dt.timedelta(days=1)
    )
    before = state()
    page = c.post(reverse("work:meeting_cancel", args=[other.pk]), {"reason": "改期"})
    api = client.post(reverse("api:meeting_cancel", args=[other.pk]), data={}, content_type="application/json", **auth)
    if name in MANAGES:
        other.refresh_from_db()
        assert page.status_code == 302 and other.status == MeetingStatus.CANCELLED
        assert api.status_code == 409  # already cancelled by the page
    else:
        assert (page.status_code, api.status_code) == (refused(name), refused(name))
        assert state() == before


def test_api_errors_400_404_409(actors, client, at):  # type: ignore[no-untyped-def]
    auth = bearer(actors.supervisor)
    bad = {
        "title": "会",
        "kind": "team",
        "starts_at": "2026-03-02T11:00:00+08:00",
        "ends_at": "2026-03-02T10:00:00+08:00",
    }
    before = state()
    assert (
        client.post(reverse("api:meeting_list"), data=bad, content_type="application/json", **auth).status_code == 400
    )
    assert state() == before
    assert client.get(reverse("api:meeting_get", args=[999999]), **auth).status_code == 404
    m = schedule(actors.supervisor, [actors.sales])
    at(END + dt.timedelta(minutes=5))
    minutes = {"minutes": "已开会"}
    url = reverse("api:meeting_minutes", args=[m.pk])
    assert client.post(url, data=minutes, content_type="application/json", **auth).status_code == 200
    move = {"title": "改期", "starts_at": "2026-03-04T10:00:00+08:00", "ends_at": "2026-03-04T11:00:00+08:00"}
    r = client.post(reverse("api:meeting_reschedule", args=[m.pk]), data=move, content_type="application/json", **auth)
    assert r.status_code == 409  # held
    cancel = client.post(reverse("api:meeting_cancel", args=[m.pk]), data={}, content_type="application/json", **auth)
    assert cancel.status_code == 409


def test_calendar_entry_kept_in_step(actors, at):  # type: ignore[no-untyped-def]
    m = schedule(actors.supervisor, [actors.sales], title="周例会", kind="training")
    entry = CalendarEntry.objects.get()
    assert m.calendar_entry == entry
    assert (entry.title, entry.kind, entry.starts_at, entry.ends_at) == ("周例会", "training", START, END)
    assert (entry.department, entry.whole_department, entry.cancelled_at) == (actors.dept1, False, None)
    assert set(entry.participants.all()) == {actors.supervisor, actors.sales}
    later = START + dt.timedelta(days=1)
    data = svc.MeetingInput(
        title="周例会（改）", kind="training", starts_at=later, ends_at=later + dt.timedelta(hours=2),
        participant_ids=[actors.sales.pk],
    )  # fmt: skip
    svc.meeting_reschedule(actor=actors.manager, meeting=m, data=data)
    entry.refresh_from_db()
    assert (entry.title, entry.starts_at, entry.ends_at) == ("周例会（改）", later, later + dt.timedelta(hours=2))
    data = svc.MeetingInput(
        title="周例会（改）", kind="training", starts_at=later, ends_at=later + dt.timedelta(hours=1)
    )
    svc.meeting_reschedule(actor=actors.supervisor, meeting=m, data=data)
    assert set(entry.participants.all()) == {actors.supervisor}
    assert set(m.participants.values_list("member_id", flat=True)) == {actors.supervisor.pk}
    svc.meeting_cancel(actor=actors.supervisor, meeting=m, reason="客户来访")
    entry.refresh_from_db()
    m.refresh_from_db()
    assert entry.cancelled_at is not None and entry.cancelled_at == m.cancelled_at
    assert CalendarEntry.objects.active().count() == 0
    trail = AuditEvent.objects.filter(target_type="work.meeting", target_id=str(m.pk)).order_by("pk")
    assert list(trail.values_list("verb", flat=True)) == [
        "meeting.create", "meeting.reschedule", "meeting.reschedule", "meeting.cancel"
    ]  # fmt: skip


def test_the_meeting_chat_check_sees_a_participant_chatting(actors, tmp_path, time_machine, settings):  # type: ignore[no-untyped-def]
    settings.MEETING_GRACE_MINUTES = 5
    start = dt.datetime.fromtimestamp(BASE_MS / 1000, tz=dt.UTC)
    time_machine.move_to(start - dt.timedelta(days=1), tick=False)
    cal.meeting_flag_set(actor=actors.director, department=actors.root, flag=True)
    m = schedule(actors.supervisor, [actors.sales], title="周一例会", start=start)
    time_machine.move_to(start + dt.timedelta(hours=3), tick=False)
    records = [
        text_record(actors.sales.wecom_userid, "wmCust1", "好的", msgtime=BASE_MS + 10 * 60_000, msgid="during"),
        text_record(actors.sales_b.wecom_userid, "wmCust2", "好的", msgtime=BASE_MS + 11 * 60_000, msgid="other"),
    ]
    report = archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / "m.jsonl", records)))
    v = Violation.objects.get()
    assert report.violations == 1 and v.rule.code == "behaviour.meeting"
    assert (v.member, v.message.msgid) == (actors.sales, "during")
    assert (v.detail["session"], v.detail["title"]) == (m.calendar_entry_id, "周一例会")


@pytest.mark.parametrize(
    "case, error",
    [
        ("end_before_start", E.ERR_MEETING_TIMES),
        ("start_in_past", E.ERR_MEETING_START_PAST),
        ("outside_scope", E.ERR_MEETING_PARTICIPANT_SCOPE),
        ("foreign_customer", E.ERR_MEETING_CUSTOMER),
        ("sales_team_meeting", E.ERR_MEETING_NOT_LEAD),
        ("customer_on_team_meeting", E.ERR_MEETING_CUSTOMER_KIND),
        ("no_title", E.ERR_MEETING_TITLE),
    ],
)
def test_bad_meetings_write_nothing(actors, at, case, error):  # type: ignore[no-untyped-def]
    mine = FollowFactory(member=actors.sales)
    foreign = FollowFactory(member=actors.sales_b)
    actor, kw = actors.supervisor, {"participants": [actors.sales]}
    if case == "end_before_start":
        kw["end"] = START - dt.timedelta(minutes=1)
    elif case == "start_in_past":
        kw["start"] = T0 - dt.timedelta(minutes=1)
    elif case == "outside_scope":
        kw["participants"] = [actors.sales, actors.sales_b]
    elif case == "foreign_customer":
        actor, kw = actors.sales, {"kind": "followup", "customer_id": foreign.customer_id}
    elif case == "sales_team_meeting":
        actor, kw = actors.sales, {}
    elif case == "customer_on_team_meeting":
        kw["customer_id"] = mine.customer_id
    else:
        kw["title"] = "   "
    before = state()
    with pytest.raises(DomainError) as err:
        schedule(actor, **kw)
    assert err.value.template == error
    assert state() == before


def test_minutes_with_action_items_become_tasks_shown_on_the_page(actors, login, at, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    m = schedule(actors.supervisor, [actors.sales])
    at(END + dt.timedelta(minutes=10))
    due = END + dt.timedelta(days=2)
    Notification.objects.all().delete()
    svc.attendance_record(
        actor=actors.supervisor, meeting=m, marks={actors.sales.pk: "late", actors.supervisor.pk: "present"}
    )
    svc.minutes_record(
        actor=actors.supervisor,
        meeting=m,
        minutes="本周重点：老客户回访。",
        items=[svc.ActionItemInput(title="回访华润便利", assignee_id=actors.sales.pk, due_at=due)],
    )
    m.refresh_from_db()
    assert (m.status, m.minutes, m.minutes_by) == (MeetingStatus.HELD, "本周重点：老客户回访。", actors.supervisor)
    item = ActionItem.objects.get()
    task = item.task
    assert task is not None and (task.title, task.due_at, task.status) == ("回访华润便利", due, TaskStatus.OPEN)
    assert list(task.assignees.all()) == [actors.sales] and task.created_by == actors.supervisor
    assert "周例会" in task.description
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {actors.sales.pk}
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)
    c = login(actors.sales)
    with django_assert_max_num_queries(14):
        page = c.get(reverse("work:meeting", args=[m.pk]))
    html = page.content.decode()
    with translation.override("zh-hans"):
        done = str(TaskStatus.DONE.label)
        late = str(Attendance.LATE.label)
    badge = re.search(r'data-testid="action-item-task">([^<]+)<', html)
    assert badge is not None and badge.group(1) == done
    assert late in html and reverse("work:task", args=[task.pk]) in html
    assert 'data-testid="minutes-form"' not in html  # a participant reads, the organizer writes


@pytest.mark.parametrize(
    "case, error",
    [
        ("not_participant", E.ERR_ACTION_ASSIGNEE),
        ("out_of_scope", E.ERR_ACTION_SCOPE),
        ("due_past", E.ERR_ACTION_DUE_PAST),
        ("no_title", E.ERR_ACTION_TITLE),
    ],
)
def test_bad_action_items_write_nothing(actors, at, case, error):  # type: ignore[no-untyped-def]
    m = schedule(actors.supervisor, [actors.sales])
    at(END + dt.timedelta(minutes=10))
    assignee, due, title = actors.sales, END + dt.timedelta(days=1), "回访"
    if case == "not_participant":
        assignee = actors.sales_b
    elif case == "out_of_scope":
        actors.sales.reports_to = actors.supervisor_b  # moved to another team after the meeting was scheduled
        actors.sales.save()
    elif case == "due_past":
        due = END
    else:
        title = " "
    before = state()
    with pytest.raises(DomainError) as err:
        svc.minutes_record(
            actor=actors.supervisor,
            meeting=m,
            minutes="纪要",
            items=[svc.ActionItemInput(title=title, assignee_id=assignee.pk, due_at=due)],
        )
    assert err.value.template == error
    assert state() == before


def test_minutes_before_the_start_or_of_a_cancelled_meeting_are_refused(actors, at):  # type: ignore[no-untyped-def]
    m = schedule(actors.supervisor, [actors.sales])
    with pytest.raises(DomainError) as err:
        svc.minutes_record(actor=actors.supervisor, meeting=m, minutes="纪要")
    assert err.value.template == E.ERR_MEETING_NOT_STARTED
    svc.meeting_cancel(actor=actors.supervisor, meeting=m)
    at(END)
    with pytest.raises(DomainError) as err:
        svc.minutes_record(actor=actors.supervisor, meeting=m, minutes="纪要")
    assert err.value.template == E.ERR_MEETING_CANCELLED and err.value.code == "conflict"


def test_a_follow_up_meeting_writes_on_the_customer_timeline(actors, login, at):  # type: ignore[no-untyped-def]
    follow = FollowFactory(member=actors.sales, customer__name="华润便利")
    c = login(actors.sales)
    page = c.get(reverse("customers:detail", args=[follow.customer_id])).content.decode()
    assert f"{reverse('work:meeting_new')}?customer={follow.customer_id}" in page
    form = c.get(reverse("work:meeting_new") + f"?customer={follow.customer_id}").content.decode()
    assert 'value="followup" selected' in form
    response = c.post(
        reverse("work:meeting_new"),
        {"title": "华润便利回访", "kind": "followup", "customer": follow.customer_id, "place": "客户门店",
         "starts_at": "2026-03-02T15:00", "ends_at": "2026-03-02T16:00"},
    )  # fmt: skip
    m = Meeting.objects.get()
    assert response.status_code == 302 and (m.customer_id, m.organizer) == (follow.customer_id, actors.sales)
    at(m.ends_at)
    svc.minutes_record(actor=actors.sales, meeting=m, minutes="客户同意下周试用。")
    record = FollowUp.objects.get()
    m.refresh_from_db()
    assert m.followup == record and (record.follow, record.kind, record.author) == (follow, "meeting", actors.sales)
    assert record.happened_at == m.starts_at and "客户同意下周试用。" in record.summary
    svc.minutes_record(actor=actors.sales, meeting=m, minutes="客户同意下周试用，需报价。")
    assert FollowUp.objects.count() == 1  # written once
    detail = c.get(reverse("customers:detail", args=[follow.customer_id])).content.decode()
    assert "华润便利回访" in detail
    meeting_page = c.get(reverse("work:meeting", args=[m.pk])).content.decode()
    assert 'data-testid="meeting-followups"' in meeting_page and "客户同意下周试用" in meeting_page


def test_pages_list_and_page_by_key(actors, login, at, django_assert_max_num_queries, settings):  # type: ignore[no-untyped-def]
    settings.WORK_MEETINGS_PAGE_SIZE = 10
    for i in range(13):
        schedule(actors.supervisor, [actors.sales], title=f"会议{i:02d}", start=START + dt.timedelta(days=i))
    c = login(actors.sales)
    with django_assert_max_num_queries(10):
        first = c.get(reverse("work:meetings")).content.decode()
    assert "会议00" in first and "会议09" in first and "会议10" not in first
    last = Meeting.objects.get(title="会议09")
    second = c.get(reverse("work:meetings") + f"?when=upcoming&cursor={last.pk}").content.decode()
    assert "会议10" in second and "会议12" in second and "会议09" not in second
    at(START + dt.timedelta(days=20))
    c = login(actors.sales)  # the session of 20 days ago has expired
    with django_assert_max_num_queries(10):
        past = c.get(reverse("work:meetings") + "?when=past").content.decode()
    assert "会议12" in past and "会议03" in past and "会议02" not in past
    last = Meeting.objects.get(title="会议03")
    older = c.get(reverse("work:meetings") + f"?when=past&cursor={last.pk}").content.decode()
    assert "会议02" in older and "会议00" in older and "会议03" not in older
    api = c.get(reverse("api:meeting_list") + f"?when=past&after={last.pk}&limit=2", **bearer(actors.sales)).json()
    assert [r["title"] for r in api] == ["会议02", "会议01"]


def test_form_pages_schedule_reschedule_and_refuse_bad_input(actors, login, at):  # type: ignore[no-untyped-def]
    c = login(actors.supervisor)
    before = state()
    bad = c.post(
        reverse("work:meeting_new"),
        {"title": "周会", "kind": "team", "starts_at": "2026-03-02T15:00", "ends_at": "2026-03-02T14:00",
         "participants": [actors.sales.pk]},
    )  # fmt: skip
    assert bad.status_code == 400 and "结束" in bad.content.decode()
    assert state() == before
    ok = c.post(
        reverse("work:meeting_new"),
        {"title": "周会", "kind": "team", "starts_at": "2026-03-02T15:00", "ends_at": "2026-03-02T16:00",
         "participants": [actors.sales.pk], "agenda": "业绩复盘"},
    )  # fmt: skip
    m = Meeting.objects.get()
    assert ok.status_code == 302 and m.starts_at == dt.datetime.fromisoformat("2026-03-02T15:00:00+08:00")
    edit = c.post(
        reverse("work:meeting_edit", args=[m.pk]),
        {"title": "周会（改）", "kind": "team", "starts_at": "2026-03-02T16:00", "ends_at": "2026-03-02T17:00",
         "participants": [actors.sales.pk]},
    )  # fmt: skip
    m.refresh_from_db()
    assert edit.status_code == 302 and m.title == "周会（改）" and m.calendar_entry.title == "周会（改）"


def test_upcoming_selector_for_my_work(actors, at):  # type: ignore[no-untyped-def]
    a = schedule(actors.supervisor, [actors.sales], title="A", start=START)
    b = schedule(actors.supervisor, [actors.sales], title="B", start=START + dt.timedelta(hours=2))
    c = schedule(actors.supervisor, [actors.sales], title="C", start=START + dt.timedelta(days=1))
    schedule(actors.supervisor_b, [actors.sales_b], title="D", start=START)
    svc.meeting_cancel(actor=actors.supervisor, meeting=b)
    assert meetings_upcoming_for(actors.sales, limit=5) == [a, c]
    assert meetings_upcoming_for(actors.sales, limit=1) == [a]
    at(END + dt.timedelta(minutes=1))
    assert meetings_upcoming_for(actors.sales, limit=5) == [c]
    assert meetings_upcoming_for(actors.admin, limit=5) == []


def test_demo_is_idempotent(actors):  # type: ignore[no-untyped-def]
    from zhidu.work.meetings_demo import demo_meetings

    FollowFactory(member=actors.sales, customer__name="华润便利")
    demo_meetings()
    demo_meetings()
    kinds = sorted(Meeting.objects.values_list("kind", "status"))
    assert kinds == [("followup", "scheduled"), ("team", "held"), ("team", "scheduled")]
    held = Meeting.objects.get(status="held")
    assert held.action_items.count() >= 1 and all(i.task_id for i in held.action_items.all())
    assert held.participants.exclude(attendance="").exists()


def test_attendance_page_and_its_refusals(actors, login, at):  # type: ignore[no-untyped-def]
    m = schedule(actors.supervisor, [actors.sales])
    c = login(actors.supervisor)
    assert 'data-testid="attendance-form"' not in c.get(reverse("work:meeting", args=[m.pk])).content.decode()
    at(START + dt.timedelta(minutes=20))
    c = login(actors.supervisor)
    assert 'data-testid="attendance-form"' in c.get(reverse("work:meeting", args=[m.pk])).content.decode()
    before = state()
    bad = c.post(reverse("work:meeting_attendance", args=[m.pk]), {f"att_{actors.sales.pk}": "asleep"})
    assert bad.status_code == 400 and state() == before
    ok = c.post(
        reverse("work:meeting_attendance", args=[m.pk]),
        {f"att_{actors.sales.pk}": "excused", f"att_{actors.supervisor.pk}": "present"},
    )
    assert ok.status_code == 302
    marks = dict(m.participants.values_list("member_id", "attendance"))
    assert marks == {actors.sales.pk: "excused", actors.supervisor.pk: "present"}
    with pytest.raises(DomainError) as err:
        svc.attendance_record(actor=actors.supervisor, meeting=m, marks={actors.sales_b.pk: "present"})
    assert err.value.template == E.ERR_MEETING_NOT_PARTICIPANT


def test_a_salesperson_may_only_schedule_follow_up_meetings(actors, login, at):  # type: ignore[no-untyped-def]
    follow = FollowFactory(member=actors.sales, customer__name="华润便利")
    FollowFactory(member=actors.sales_b, customer__name="别人的客户")
    form = login(actors.sales).get(reverse("work:meeting_new")).content.decode()
    assert 'value="followup"' in form and 'value="team"' not in form and 'value="training"' not in form
    assert "华润便利" in form and "别人的客户" not in form
    m = schedule(actors.sales, kind="followup", customer_id=follow.customer_id)
    assert (m.organizer, m.customer_id) == (actors.sales, follow.customer_id)
    assert svc.can_manage(actors.supervisor, m) and not svc.can_manage(actors.supervisor_b, m)
    edit = login(actors.supervisor).get(reverse("work:meeting_edit", args=[m.pk])).content.decode()
    assert re.search(r'<select name="kind"[^>]*disabled', edit)


def test_a_start_beyond_the_horizon_is_refused(actors, client, at, settings):  # type: ignore[no-untyped-def]
    """A start in year 9999 (UTC) used to fail with a date overflow (HTTP 500) while notifying participants."""
    settings.WORK_MEETING_AHEAD_MAX_DAYS = 30
    auth = bearer(actors.supervisor)
    far = {"title": "远期会", "starts_at": "9999-12-31T23:00:00+00:00", "ends_at": "9999-12-31T23:30:00+00:00"}
    before = state()
    r = client.post(reverse("api:meeting_list"), data=far, content_type="application/json", **auth)
    assert r.status_code == 400
    assert r.json()["field"] == "starts_at"
    assert state() == before
    with pytest.raises(DomainError) as exc:
        schedule(actors.supervisor, [actors.sales], start=START + dt.timedelta(days=31))
    assert (exc.value.template, exc.value.params) == (E.ERR_MEETING_START_FAR, {"days": 30})
    assert schedule(actors.supervisor, [actors.sales], start=START + dt.timedelta(days=29)).pk


def test_a_participant_outside_the_customer_scope_does_not_see_the_customer(actors, login, at):  # type: ignore[no-untyped-def]
    """The meeting page showed the customer's name and link to every participant, also to one who may not read it."""
    follow = FollowFactory(member=actors.sales, customer__name="华润便利")
    m = schedule(
        actors.manager,
        [actors.sales, actors.sales_b],
        title="客户回访",
        kind="followup",
        customer_id=follow.customer_id,
    )
    shown = login(actors.sales).get(reverse("work:meeting", args=[m.pk])).content.decode()
    assert 'data-testid="meeting-customer"' in shown and "华润便利" in shown
    hidden = login(actors.sales_b).get(reverse("work:meeting", args=[m.pk]))
    assert hidden.status_code == 200
    page = hidden.content.decode()
    assert "华润便利" not in page and 'data-testid="meeting-customer"' not in page
    assert reverse("customers:detail", args=[follow.customer_id]) not in page
