"""Reply timeliness through archive ingestion: first-reply time in working minutes across nights, weekends,
holidays and a make-up working day; group-owner responsibility and designated responders; late replies as
violations, escalation once; unanswered internal questions flagged; restarts without double counting."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zhidu.compliance.models import ArchiveCursor, ReplyWait, Violation, WaitKind
from zhidu.compliance.services import archive_ingest
from zhidu.compliance.services.reply import reply_check_deadlines, reply_responder_set
from zhidu.core.errors import DomainError
from zhidu.core.models import Notification
from zhidu.groups.models import GroupKind, MemberType
from zhidu.groups.tests.factories import GroupChatFactory, GroupMemberFactory
from zhidu.org.calendars import calendar_save
from zhidu.wecom.archive import JsonlFileSource

from .factories import text_record, write_jsonl

SH = ZoneInfo("Asia/Shanghai")
CUSTOMER = "wmReplyCustomer01"
CUSTOMER_2 = "wmReplyCustomer02"


def at(y: int, mo: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=SH)


def ms(t: dt.datetime) -> int:
    return int(t.timestamp() * 1000)


@pytest.fixture
def ingest(tmp_path):
    counter = iter(range(1000))

    def _ingest(records, **kwargs):
        path = write_jsonl(tmp_path / f"batch{next(counter)}.jsonl", records)
        return archive_ingest(source=JsonlFileSource(path), **kwargs)

    return _ingest


def chat(sales, *steps):
    """steps: (who, time, text) with who "c" (customer) or "s" (the salesperson)."""
    out = []
    for who, t, text in steps:
        if who == "c":
            out.append(text_record(CUSTOMER, sales, text, msgtime=ms(t)))
        else:
            out.append(text_record(sales, CUSTOMER, text, msgtime=ms(t)))
    return out


def notes(member, prefix=""):
    return list(Notification.objects.filter(recipient=member, dedupe_key__startswith=prefix))


def test_answered_in_time(actors, ingest):
    s = actors.sales.wecom_userid
    ingest(chat(s, ("c", at(2026, 9, 28, 10), "在吗"), ("s", at(2026, 9, 28, 10, 10), "在的")))
    w = ReplyWait.objects.get()
    assert (w.kind, w.member, w.reply_minutes, w.violation) == (WaitKind.SINGLE, actors.sales, 10.0, None)
    assert not Violation.objects.filter(category="late_reply").exists()


def test_later_customer_messages_do_not_restart_the_wait(actors, ingest):
    s = actors.sales.wecom_userid
    ingest(
        chat(
            s,
            ("c", at(2026, 9, 28, 10), "在吗"),
            ("c", at(2026, 9, 28, 10, 20), "有人吗"),
            ("s", at(2026, 9, 28, 10, 40), "抱歉久等"),
            ("s", at(2026, 9, 28, 10, 41), "请说"),
        )
    )
    w = ReplyWait.objects.get()
    assert w.reply_minutes == 40.0
    v = Violation.objects.get(category="late_reply")
    assert (v.member, v.supervisor, v.message.msgid) == (actors.sales, actors.supervisor, w.msgid)
    assert v.detail["waited_minutes"] == 40.0 and v.detail["answered"] is True
    assert len(notes(actors.sales, "late_reply:")) == 1


@pytest.mark.parametrize(
    ("asked", "answered", "minutes", "late"),
    [
        (at(2026, 9, 28, 17, 50), at(2026, 9, 29, 9, 10), 20.0, False),  # overnight
        (at(2026, 9, 28, 11, 50), at(2026, 9, 28, 13, 25), 35.0, True),  # across the lunch break
        (at(2026, 9, 25, 17, 50), at(2026, 9, 28, 9, 25), 35.0, True),  # Friday evening → Monday
        (at(2026, 9, 26, 20, 0), at(2026, 9, 28, 9, 25), 25.0, False),  # asked on Saturday
        (at(2026, 9, 30, 17, 45), at(2026, 10, 5, 9, 10), 25.0, False),  # over the holiday
        (at(2026, 10, 9, 17, 45), at(2026, 10, 10, 9, 30), 45.0, True),  # the make-up Saturday counts
    ],
)
def test_working_minutes_across_nights_weekends_holidays(actors, ingest, asked, answered, minutes, late):
    calendar_save(
        actor=actors.director,
        department=None,
        workdays="12345",
        spans=[(540, 720), (780, 1080)],
        exceptions=[
            (dt.date(2026, 10, 1), False, ""),
            (dt.date(2026, 10, 2), False, ""),
            (dt.date(2026, 10, 10), True, ""),
        ],
    )
    s = actors.sales.wecom_userid
    ingest(chat(s, ("c", asked, "请问"), ("s", answered, "您好")))
    w = ReplyWait.objects.get()
    assert w.reply_minutes == minutes
    assert Violation.objects.filter(category="late_reply").exists() is late


def test_department_calendar_applies(actors, ingest):
    calendar_save(actor=actors.manager, department=actors.dept1, workdays="1234567", spans=[(0, 1440)])
    s = actors.sales.wecom_userid
    ingest(chat(s, ("c", at(2026, 9, 26, 20, 0), "周六晚上"), ("s", at(2026, 9, 26, 21, 0), "在")))
    assert ReplyWait.objects.get().reply_minutes == 60.0


def test_deadline_passes_without_a_message_then_escalates_once(actors, ingest):
    s = actors.sales.wecom_userid
    ingest(chat(s, ("c", at(2026, 9, 28, 10), "在吗")))
    w = ReplyWait.objects.get()
    assert w.deadline == at(2026, 9, 28, 10, 30) and w.escalate_at == at(2026, 9, 28, 11, 30)
    assert reply_check_deadlines(now=at(2026, 9, 28, 10, 29)).late == 0
    report = reply_check_deadlines(now=at(2026, 9, 28, 10, 31))
    assert (report.late, report.escalated) == (1, 0)
    v = Violation.objects.get(category="late_reply")
    assert v.detail["answered"] is False and v.detail["waited_minutes"] == 31.0
    assert reply_check_deadlines(now=at(2026, 9, 28, 11, 29)).escalated == 0
    assert reply_check_deadlines(now=at(2026, 9, 28, 11, 31)).escalated == 1
    assert reply_check_deadlines(now=at(2026, 9, 28, 16, 0)).escalated == 0
    assert len(notes(actors.supervisor, "reply_escalate:")) == 1
    assert len(notes(actors.sales, "late_reply:")) == 1
    # the late answer arrives: the wait closes, still one violation
    ingest(chat(s, ("s", at(2026, 9, 28, 16, 30), "抱歉")))
    w.refresh_from_db()
    assert w.reply_minutes == 330.0 and w.violation == v
    assert Violation.objects.filter(category="late_reply").count() == 1


def test_answered_before_escalation_is_not_escalated(actors, ingest):
    s = actors.sales.wecom_userid
    ingest(chat(s, ("c", at(2026, 9, 28, 10), "在吗"), ("s", at(2026, 9, 28, 10, 50), "在")))
    assert reply_check_deadlines(now=at(2026, 9, 29, 10)).escalated == 0
    assert not notes(actors.supervisor, "reply_escalate:")


def test_customer_group_owner_is_responsible(actors, ingest):
    group = GroupChatFactory(owner=actors.sales, owner_userid=actors.sales.wecom_userid)
    room, s, b = group.chat_id, actors.sales.wecom_userid, actors.sales_b.wecom_userid
    ingest(
        [
            text_record(CUSTOMER, [s, b], "群里有人吗", roomid=room, msgtime=ms(at(2026, 9, 28, 10))),
            text_record(CUSTOMER_2, [s, b], "我也问一下", roomid=room, msgtime=ms(at(2026, 9, 28, 10, 5))),
            text_record(b, [s, CUSTOMER], "我不是群主", roomid=room, msgtime=ms(at(2026, 9, 28, 10, 10))),
            text_record(s, [b, CUSTOMER], "我来回答", roomid=room, msgtime=ms(at(2026, 9, 28, 10, 20))),
        ]
    )
    w = ReplyWait.objects.get()
    assert (w.kind, w.member, w.asker, w.reply_minutes) == (WaitKind.GROUP, actors.sales, CUSTOMER, 20.0)


def test_designated_responder(actors, ingest):
    group = GroupChatFactory(owner=actors.sales, owner_userid=actors.sales.wecom_userid)
    with pytest.raises(DomainError):
        reply_responder_set(actor=actors.supervisor, group=group, member=actors.sales_b)  # not in the group
    GroupMemberFactory(group=group, userid=actors.sales_b.wecom_userid, type=MemberType.STAFF, member=actors.sales_b)
    reply_responder_set(actor=actors.supervisor, group=group, member=actors.sales_b)
    room, s, b = group.chat_id, actors.sales.wecom_userid, actors.sales_b.wecom_userid
    ingest(
        [
            text_record(CUSTOMER, [s, b], "请问", roomid=room, msgtime=ms(at(2026, 9, 28, 10))),
            text_record(s, [b, CUSTOMER], "群主在", roomid=room, msgtime=ms(at(2026, 9, 28, 10, 5))),
            text_record(b, [s, CUSTOMER], "我负责", roomid=room, msgtime=ms(at(2026, 9, 28, 10, 12))),
        ]
    )
    w = ReplyWait.objects.get()
    assert (w.member, w.reply_minutes) == (actors.sales_b, 12.0)


def _records(s):
    return chat(
        s,
        ("c", at(2026, 9, 28, 10), "在吗"),
        ("s", at(2026, 9, 28, 11), "在"),  # late: 60 minutes
        ("c", at(2026, 9, 28, 14), "还有问题"),
        ("s", at(2026, 9, 28, 14, 5), "请讲"),
        ("c", at(2026, 9, 28, 15), "最后一个"),
    )


def _state():
    return sorted(
        ReplyWait.objects.values_list("msgid", "answered_at", "reply_minutes", "violation__message__msgid")
    ), Violation.objects.filter(category="late_reply").count()


def test_rerun_and_crash_do_not_double_count(actors, ingest, tmp_path):
    s = actors.sales.wecom_userid
    records = _records(s)
    path = write_jsonl(tmp_path / "all.jsonl", records)

    def crash(_stored):
        raise RuntimeError("crash mid-batch")

    with pytest.raises(RuntimeError):
        archive_ingest(source=JsonlFileSource(path), limit=2, batch_hook=crash)
    assert not ReplyWait.objects.exists()
    archive_ingest(source=JsonlFileSource(path), limit=2)  # in pages of two: waits cross batches
    once = _state()
    assert once[1] == 1 and len(once[0]) == 3
    ArchiveCursor.objects.update(seq=0)
    archive_ingest(source=JsonlFileSource(path))  # the same batches again
    reply_check_deadlines(now=at(2026, 9, 28, 15, 10))
    assert _state() == once


def test_crash_in_a_later_batch_keeps_earlier_waits(actors, tmp_path):
    s = actors.sales.wecom_userid
    path = write_jsonl(tmp_path / "all.jsonl", _records(s))
    calls = []

    def crash_second(_stored):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        archive_ingest(source=JsonlFileSource(path), limit=1, batch_hook=crash_second)
    assert ReplyWait.objects.filter(answered_at=None).count() == 1  # the first message's wait, still open
    archive_ingest(source=JsonlFileSource(path), limit=1)
    assert ReplyWait.objects.get(msgid=records_first_msgid(path)).reply_minutes == 60.0
    assert Violation.objects.filter(category="late_reply").count() == 1


def records_first_msgid(path):
    import orjson

    return orjson.loads(path.read_bytes().splitlines()[0])["msgid"]


@pytest.fixture
def internal_group(actors):
    group = GroupChatFactory(kind=GroupKind.INTERNAL, creator_userid=actors.supervisor.wecom_userid, name="一部群")
    for m in (actors.supervisor, actors.sales, actors.sales_b):
        GroupMemberFactory(group=group, userid=m.wecom_userid, type=MemberType.STAFF, member=m,
                           is_admin=m == actors.supervisor)  # fmt: skip
    return group


def _room(group, actors, *steps):
    people = {m.wecom_userid for m in (actors.supervisor, actors.sales, actors.sales_b)}
    return [
        text_record(who.wecom_userid, sorted(people - {who.wecom_userid}), text, roomid=group.chat_id, msgtime=ms(t))
        for who, t, text in steps
    ]


def test_internal_question_unanswered_is_flagged(actors, ingest, internal_group):
    ingest(_room(internal_group, actors, (actors.sales, at(2026, 9, 28, 10), "这个客户的合同怎么处理？"),
                 (actors.sales, at(2026, 9, 28, 10, 1), "急")))  # fmt: skip
    w = ReplyWait.objects.get()
    assert (w.kind, w.member, w.deadline) == (WaitKind.INTERNAL, actors.sales, at(2026, 9, 28, 11))
    assert reply_check_deadlines(now=at(2026, 9, 28, 10, 59)).flagged == 0
    assert reply_check_deadlines(now=at(2026, 9, 28, 11, 1)).flagged == 1
    assert reply_check_deadlines(now=at(2026, 9, 28, 12)).flagged == 0
    assert len(notes(actors.supervisor, "reply_question:")) == 1
    assert not Violation.objects.exists()  # a question nobody answered is nobody's violation


def test_internal_question_goes_to_the_designated_admins(actors, ingest):
    """An internal group has no WeCom admin list: the admins its department head designated hear of the question."""
    from zhidu.groups.models import GroupAdminDesignation

    group = GroupChatFactory(kind=GroupKind.INTERNAL, creator_userid=actors.supervisor.wecom_userid, name="一部群")
    for m in (actors.supervisor, actors.sales, actors.sales_b):
        GroupMemberFactory(group=group, userid=m.wecom_userid, type=MemberType.STAFF, member=m)
    GroupAdminDesignation.objects.create(group=group, member=actors.sales_b, designated_by=actors.manager)
    ingest(_room(group, actors, (actors.sales, at(2026, 9, 28, 10), "这个客户的合同怎么处理？")))
    assert reply_check_deadlines(now=at(2026, 9, 28, 11, 1)).flagged == 1
    assert len(notes(actors.sales_b, "reply_question:")) == 1
    assert not notes(actors.supervisor, "reply_question:")  # the creator hears of it only when nobody is designated


def test_internal_question_answered_is_not_flagged(actors, ingest, internal_group):
    ingest(_room(internal_group, actors, (actors.sales, at(2026, 9, 28, 10), "请问报价单在哪里"),
                 (actors.sales_b, at(2026, 9, 28, 10, 20), "在共享盘")))  # fmt: skip
    w = ReplyWait.objects.get()
    assert w.reply_minutes == 20.0
    assert reply_check_deadlines(now=at(2026, 9, 29, 10)).flagged == 0
    assert not notes(actors.supervisor, "reply_question:")


def test_named_member_must_answer(actors, ingest, internal_group):
    ingest(_room(internal_group, actors, (actors.sales, at(2026, 9, 28, 10), f"@{actors.sales_b.name} 客户资料发我"),
                 (actors.supervisor, at(2026, 9, 28, 10, 5), "收到"),
                 (actors.sales_b, at(2026, 9, 28, 10, 30), "已发")))  # fmt: skip
    w = ReplyWait.objects.get()
    assert (w.responsible, w.reply_minutes) == (actors.sales_b.wecom_userid, 30.0)


def test_statements_in_internal_groups_open_nothing(actors, ingest, internal_group):
    ingest(_room(internal_group, actors, (actors.sales, at(2026, 9, 28, 10), "今天的周报已提交")))
    assert not ReplyWait.objects.exists()


def test_disabled_rule_records_no_violation(actors, ingest):
    from zhidu.compliance.models import Rule
    from zhidu.compliance.services.reply import late_reply_rule

    late_reply_rule()
    Rule.objects.filter(code="behaviour.late_reply").update(enabled=False)
    s = actors.sales.wecom_userid
    ingest(chat(s, ("c", at(2026, 9, 28, 10), "在吗"), ("s", at(2026, 9, 28, 12), "在")))
    assert ReplyWait.objects.get().reply_minutes == 120.0
    assert not Violation.objects.exists()


def test_violation_page_explains_the_wait(actors, ingest, login):
    s = actors.sales.wecom_userid
    ingest(chat(s, ("c", at(2026, 9, 28, 10), "在吗"), ("s", at(2026, 9, 28, 11), "在")))
    v = Violation.objects.get(category="late_reply")
    assert "60.0" in v.explanation() and "first reply" in v.explanation()
    html = login(actors.supervisor).get(f"/compliance/violations/{v.pk}/").content.decode()
    assert "等待首次回复 60.0 个工作分钟" in html
    assert login(actors.sales_b).get(f"/compliance/violations/{v.pk}/").status_code == 404
