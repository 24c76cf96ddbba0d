"""Messages sent during meetings and training: flagged only for participants, in departments that turned the
setting on (inherited, overridable), after the grace minutes and before the end; once per session and member."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from zhidu.compliance.models import Violation, ms_to_datetime
from zhidu.compliance.services import archive_ingest
from zhidu.org import calendar as cal
from zhidu.wecom.archive import JsonlFileSource

from .factories import BASE_MS, text_record, write_jsonl

CUSTOMER = "wmMeetingCustomer1"
MIN = 60_000
START = ms_to_datetime(BASE_MS)  # the session starts at BASE_MS and lasts an hour


@pytest.fixture(autouse=True)
def grace(settings):
    settings.MEETING_GRACE_MINUTES = 5


def plan(actors, *, participants=(), kind="meeting", title="周一例会", department=None):
    return cal.session_create(
        actor=actors.director,
        data=cal.SessionInput(
            title=title,
            kind=kind,
            department=department or actors.dept1,
            starts_at=START,
            ends_at=START + dt.timedelta(hours=1),
            participants=tuple(participants),
        ),
    )


def ingest(tmp_path, records, **kw):
    path = tmp_path / f"m{len(list(tmp_path.iterdir()))}.jsonl"  # a new source each time (its own cursor)
    return archive_ingest(source=JsonlFileSource(write_jsonl(path, records)), **kw)


def msg(member, minute: float, text: str = "好的，马上处理", **kw):
    return text_record(member.wecom_userid, CUSTOMER, text, msgtime=BASE_MS + int(minute * MIN), **kw)


def flag(actors, department=None, on=True):
    cal.meeting_flag_set(actor=actors.director, department=department or actors.root, flag=on)


def test_a_participant_chatting_in_a_flagged_meeting(actors, tmp_path):
    session = plan(actors)
    flag(actors)  # on at the root: dept1 inherits it
    records = [msg(actors.sales, 10, msgid="during"), msg(actors.sales, 20), msg(actors.sales, 30, roomid="wrX")]
    report = ingest(tmp_path, records)
    v = Violation.objects.get()
    assert report.violations == 1
    assert (v.category, v.rule.code, v.message.msgid) == ("meeting", "behaviour.meeting", "during")
    assert (v.member, v.supervisor) == (actors.sales, actors.supervisor)
    assert (v.detail["session"], v.detail["title"]) == (session.pk, "周一例会")
    with translation.override("zh-hans"):
        assert v.explanation().startswith("发送于会议“周一例会”期间（") and v.summary == v.explanation()


def test_once_per_session_and_member_across_batches(actors, tmp_path):
    plan(actors)
    flag(actors)
    records = [msg(actors.sales, 10), msg(actors.sales, 20), msg(actors.sales_b, 25), msg(actors.sales, 40)]
    ingest(tmp_path, records, limit=1)
    assert sorted(Violation.objects.values_list("member__name", flat=True)) == ["吴销售", "周销售"]


def test_grace_minutes_end_and_after_hours(actors, tmp_path):
    plan(actors)
    flag(actors)
    records = [msg(actors.sales, -1), msg(actors.sales, 4.9), msg(actors.sales, 60), msg(actors.sales, 180)]
    assert ingest(tmp_path, records).violations == 0


def test_flag_off_by_default_and_a_sub_department_may_turn_it_off(actors, tmp_path):
    plan(actors)
    assert ingest(tmp_path, [msg(actors.sales, 10)]).violations == 0
    flag(actors)
    flag(actors, department=actors.dept1, on=False)
    assert ingest(tmp_path, [msg(actors.sales, 11)]).violations == 0  # root on, dept1 off
    flag(actors, department=actors.dept1, on=True)
    assert ingest(tmp_path, [msg(actors.sales, 12)]).violations == 1


def test_only_participants_and_only_active_sessions(actors, tmp_path):
    listed = plan(actors, participants=[actors.sales_b], kind="training", title="话术培训")
    flag(actors)
    report = ingest(tmp_path, [msg(actors.sales, 10), msg(actors.sales_b, 10), msg(actors.outsider, 10)])
    v = Violation.objects.get()
    assert report.violations == 1 and v.member == actors.sales_b
    with translation.override("zh-hans"):
        assert v.explanation().startswith("发送于培训“话术培训”期间")
    cal.session_cancel(actor=actors.director, entry=plan(actors, title="取消的会"))
    assert ingest(tmp_path, [msg(actors.sales, 15)]).violations == 0
    assert listed.pk == v.detail["session"]


def test_customers_are_never_flagged(actors, tmp_path):
    plan(actors)
    flag(actors)
    records = [text_record(CUSTOMER, actors.sales.wecom_userid, "在吗", msgtime=BASE_MS + 10 * MIN)]
    assert ingest(tmp_path, records).violations == 0
