"""Archive ingestion: idempotence, the cursor in the batch's transaction, bad records, refusals, recalls,
and violations with their span, citation, reviewer and notification."""

from __future__ import annotations

import pytest

from zhidu.compliance.models import (
    AgreeStatus,
    ArchiveAgreement,
    ArchiveCursor,
    ArchiveMessage,
    ChatType,
    Side,
    Violation,
)
from zhidu.compliance.services import archive_ingest
from zhidu.core.models import AuditEvent
from zhidu.wecom.archive import JsonlFileSource

from .factories import make_rule, recall_record, text_record, write_jsonl

CUSTOMER = "wmCustomerA0001"
CUSTOMER_B = "wmCustomerB0002"


def counts():
    return ArchiveMessage.objects.count(), Violation.objects.count()


@pytest.fixture
def chat(actors, tmp_path):
    """A single chat between `sales` and a customer, with one violation in message 3."""
    make_rule()
    s = actors.sales.wecom_userid
    records = [
        text_record(s, CUSTOMER, "您好，我是您的课程顾问"),
        text_record(CUSTOMER, s, "这个课多少钱？"),
        text_record(s, CUSTOMER, "今天报名是全网最低价，错过就没有了", msgid="hit-1"),
        text_record(CUSTOMER, s, "我考虑一下"),
    ]
    return write_jsonl(tmp_path / "chat.jsonl", records)


def test_import_twice_stores_once(chat):
    first = archive_ingest(source=JsonlFileSource(chat))
    assert (first.stored, first.violations, first.problems) == (4, 1, [])
    before = counts()
    second = archive_ingest(source=JsonlFileSource(chat))
    assert second.stored == 0 and counts() == before
    # even with the cursor reset, msgids keep it idempotent
    ArchiveCursor.objects.update(seq=0)
    third = archive_ingest(source=JsonlFileSource(chat))
    assert (third.stored, third.duplicates) == (0, 4) and counts() == before


def test_message_fields(chat, actors):
    archive_ingest(source=JsonlFileSource(chat))
    m = ArchiveMessage.objects.get(msgid="hit-1")
    assert m.text == "今天报名是全网最低价，错过就没有了"
    assert (m.member, m.customer_id, m.chat_type, m.side) == (actors.sales, CUSTOMER, ChatType.SINGLE, Side.STAFF)
    assert m.raw["text"]["content"] == m.text and m.seq == 3
    reply = ArchiveMessage.objects.get(seq=4)
    assert (reply.member, reply.side, reply.customer_id) == (actors.sales, Side.CUSTOMER, CUSTOMER)
    assert reply.chat_key == m.chat_key


def test_violation_span_member_supervisor_and_notification(chat, actors):
    from zhidu.wecom.models import OutboxMessage

    archive_ingest(source=JsonlFileSource(chat))
    v = Violation.objects.get()
    assert v.message.text[v.start : v.end] == v.matched == "全网最低价"
    assert (v.category, v.severity, v.article) == ("false_claim", "high", "sales-conduct#17.1")
    assert (v.member, v.supervisor, v.status) == (actors.sales, actors.supervisor, "open")
    note = OutboxMessage.objects.get()
    assert note.to_userids == [actors.supervisor.wecom_userid] and note.msgtype == "textcard"
    assert f"/compliance/violations/{v.pk}/" in note.content["url"]


def test_violation_cites_the_regulation(actors, tmp_path):
    from zhidu.compliance.services import citations_for_new_rules
    from zhidu.policies.services import policy_load_demo

    policy_load_demo(actor=None)
    citations_for_new_rules([make_rule()])  # its article key names the demo regulation: a confirmed citation
    path = write_jsonl(tmp_path / "c.jsonl", [text_record(actors.sales.wecom_userid, CUSTOMER, "全网最低价！")])
    archive_ingest(source=JsonlFileSource(path))
    v = Violation.objects.get()
    assert "销售团队管理制度" in v.citation and "第十七条" in v.citation


def test_malformed_records_are_reported_and_skipped(actors, tmp_path):
    make_rule()
    s = actors.sales.wecom_userid
    no_id = text_record(s, CUSTOMER, "全网最低价")
    del no_id["msgid"]
    odd = text_record(s, CUSTOMER, "x")
    odd["msgtype"] = "hologram"
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            text_record(s, CUSTOMER, "第一条"),
            '{"msgid": "broken", "action": ',
            no_id,
            odd,
            text_record(s, CUSTOMER, "全网最低价", msgid="good-hit"),
        ],
    )
    report = archive_ingest(source=JsonlFileSource(path), limit=2)
    wheres = [w for w, _why in report.problems]
    assert wheres == ["line 2", "line 3", "line 4"]
    assert "bad JSON" in report.problems[0][1] and "msgid" in report.problems[1][1]
    assert "hologram" in report.problems[2][1]
    assert report.stored == 2 and Violation.objects.get().message.msgid == "good-hit"
    assert ArchiveCursor.objects.get().seq == 5


def test_crash_mid_batch_loses_nothing_and_duplicates_nothing(chat):
    calls: list[int] = []

    def die_in_second_batch(stored: int) -> None:
        calls.append(stored)
        if len(calls) == 2:  # batch 2's records are written, its cursor not yet moved
            raise RuntimeError("worker died")

    with pytest.raises(RuntimeError):
        archive_ingest(source=JsonlFileSource(chat), limit=2, batch_hook=die_in_second_batch)
    # the first batch committed; the second rolled back together with its cursor move
    assert ArchiveMessage.objects.count() == 2 and ArchiveCursor.objects.get().seq == 2
    assert Violation.objects.count() == 0
    report = archive_ingest(source=JsonlFileSource(chat), limit=2)
    assert (report.stored, report.duplicates) == (2, 0)
    assert counts() == (4, 1) and ArchiveCursor.objects.get().seq == 4


def test_recall_marks_the_original(actors, tmp_path):
    s = actors.sales.wecom_userid
    path = write_jsonl(
        tmp_path / "r.jsonl",
        [
            text_record(s, CUSTOMER, "说错了", msgid="orig"),
            recall_record(s, CUSTOMER, "orig"),
        ],
    )
    report = archive_ingest(source=JsonlFileSource(path))
    assert report.recalls == 1
    assert ArchiveMessage.objects.get(msgid="orig").recalled
    recall = ArchiveMessage.objects.exclude(msgid="orig").get()
    assert (recall.action, recall.msgtype, recall.recalled) == ("recall", "revoke", False)


def test_recall_in_a_later_batch(actors, tmp_path):
    s = actors.sales.wecom_userid
    path = write_jsonl(
        tmp_path / "r.jsonl",
        [
            text_record(s, CUSTOMER, "一", msgid="orig"),
            text_record(s, CUSTOMER, "二"),
            recall_record(s, CUSTOMER, "orig"),
        ],
    )
    archive_ingest(source=JsonlFileSource(path), limit=1)
    assert ArchiveMessage.objects.get(msgid="orig").recalled


def test_refused_customers_are_not_stored(actors, tmp_path):
    make_rule()
    s = actors.sales.wecom_userid
    ArchiveAgreement.objects.create(
        userid=s, external_userid=CUSTOMER_B, status=AgreeStatus.DISAGREE, checked_at="2030-01-01T00:00:00Z"
    )
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            text_record(s, CUSTOMER, "全网最低价"),
            text_record(s, CUSTOMER_B, "全网最低价"),
            text_record(CUSTOMER_B, s, "好的"),
        ],
    )
    report = archive_ingest(source=JsonlFileSource(path))
    assert (report.stored, report.refused) == (1, 2)
    assert set(ArchiveMessage.objects.values_list("customer_id", flat=True)) == {CUSTOMER}
    assert Violation.objects.count() == 1


def test_agreement_checker_is_asked_and_cached(actors, tmp_path):
    s = actors.sales.wecom_userid
    asked: list[list[tuple[str, str]]] = []

    def checker(pairs):
        asked.append(pairs)
        return {p: ("Disagree" if p[1] == CUSTOMER_B else "Agree", None) for p in pairs}

    path = write_jsonl(tmp_path / "a.jsonl", [text_record(s, CUSTOMER, "a"), text_record(s, CUSTOMER_B, "b")])
    report = archive_ingest(source=JsonlFileSource(path), agree_checker=checker)
    assert report.refused == 1 and asked == [[(s, CUSTOMER), (s, CUSTOMER_B)]]
    assert ArchiveAgreement.objects.get(external_userid=CUSTOMER_B).refused
    path2 = write_jsonl(tmp_path / "b.jsonl", [text_record(s, CUSTOMER_B, "c")])
    assert archive_ingest(source=JsonlFileSource(path2), agree_checker=checker).refused == 1
    assert len(asked) == 1  # answered from the cache


def test_disagree_record_in_the_archive_is_respected(actors, tmp_path):
    s = actors.sales.wecom_userid
    disagree = text_record(CUSTOMER, s, "", msgtype="disagree")
    disagree["disagree"] = {"userid": CUSTOMER, "disagree_time": 1_767_000_000_000}
    path = write_jsonl(tmp_path / "d.jsonl", [disagree])
    archive_ingest(source=JsonlFileSource(path))
    assert ArchiveAgreement.objects.get(userid=s, external_userid=CUSTOMER).status == AgreeStatus.DISAGREE
    later = write_jsonl(tmp_path / "e.jsonl", [text_record(s, CUSTOMER, "还在吗")])
    assert archive_ingest(source=JsonlFileSource(later)).refused == 1


def test_text_extracted_for_markdown_and_link(actors, tmp_path):
    make_rule()
    s = actors.sales.wecom_userid
    path = write_jsonl(
        tmp_path / "t.jsonl",
        [
            text_record(s, CUSTOMER, "**全网最低价**", msgtype="markdown"),
            text_record(s, CUSTOMER, "全网最低价课程", msgtype="link"),
        ],
    )
    archive_ingest(source=JsonlFileSource(path))
    assert all("全网最低价" in t for t in ArchiveMessage.objects.values_list("text", flat=True))
    assert Violation.objects.count() == 2


def test_group_chat_customer_message_is_a_case_for_the_room_owner(actors, tmp_path):
    """A customer's ad in a customer group blames nobody: the owner gets a moderation case, no violation."""
    from zhidu.groups.models import GroupChat, ModerationCase

    make_rule("test-ads", category="ads", terms=("加群领资料",), article="sales-conduct#22.1")
    group = GroupChat.objects.create(chat_id="wrRoom1", name="客户群", owner=actors.sales)
    records = [text_record(CUSTOMER, [actors.sales.wecom_userid, CUSTOMER_B], "大家加群领资料", roomid="wrRoom1")]
    archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / "g.jsonl", records)))
    m = ArchiveMessage.objects.get()
    assert (m.chat_type, m.chat_key, m.side, m.member) == ("group", "wrRoom1", "customer", actors.sales)
    assert not Violation.objects.exists()
    case = ModerationCase.objects.get()
    assert (case.group, case.assignee, case.offender_userid, case.offender_type) == (
        group,
        actors.sales,
        CUSTOMER,
        "customer",
    )
    assert (case.category, case.msgid, case.text) == ("ads", m.msgid, "大家加群领资料")
    assert case.reason.startswith("客户发送")


def test_a_batch_of_customer_cases_is_one_notification_per_owner(actors, tmp_path):
    """Cases are told to the owner once per batch: a single case by itself, several as one summary."""
    from zhidu.core.models import Notification
    from zhidu.groups.models import GroupChat, ModerationCase

    make_rule("test-ads", category="ads", terms=("加群领资料",), article="sales-conduct#22.1")
    GroupChat.objects.create(chat_id="wrRoom1", name="客户群", owner=actors.sales)
    records = [
        text_record(who, [actors.sales.wecom_userid], f"大家加群领资料{i}", roomid="wrRoom1", msgid=f"c{i}")
        for i, who in enumerate([CUSTOMER, CUSTOMER_B, CUSTOMER])
    ]
    archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / "g.jsonl", records)))
    assert ModerationCase.objects.filter(assignee=actors.sales).count() == 3
    [note] = Notification.objects.filter(recipient=actors.sales)
    assert note.title == "3 条客户消息待查看" and note.body.count("客户群") == 3


def test_staff_message_in_a_customer_group_stays_the_senders_violation(actors, tmp_path):
    from zhidu.groups.models import GroupChat, ModerationCase

    make_rule("test-ads", category="ads", terms=("加群领资料",), article="sales-conduct#22.1")
    GroupChat.objects.create(chat_id="wrRoom1", name="客户群", owner=actors.sales_b)
    records = [text_record(actors.sales.wecom_userid, [CUSTOMER, CUSTOMER_B], "大家加群领资料", roomid="wrRoom1")]
    archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / "g.jsonl", records)))
    v = Violation.objects.get()
    assert (v.member, v.supervisor) == (actors.sales, actors.supervisor)
    assert not ModerationCase.objects.exists()


def test_customer_abuse_in_a_single_chat_is_a_case_for_the_member(actors, tmp_path):
    """In a single chat the member is the only one who can act: a case for their attention, not a violation."""
    from zhidu.groups.models import ModerationCase

    make_rule("test-abuse", category="abuse", terms=("滚蛋",), article="sales-conduct#22.1")
    records = [text_record(CUSTOMER, actors.sales.wecom_userid, "你给我滚蛋", msgid="m-abuse")]
    archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / "s.jsonl", records)))
    assert not Violation.objects.exists()
    case = ModerationCase.objects.get()
    assert (case.group, case.assignee, case.offender_userid, case.msgid) == (None, actors.sales, CUSTOMER, "m-abuse")
    # a replay of the same batch opens nothing new
    archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / "s.jsonl", records)))
    assert ModerationCase.objects.count() == 1


def test_batch_is_audited(chat):
    archive_ingest(source=JsonlFileSource(chat))
    event = AuditEvent.objects.get(verb="archive.ingest")
    assert event.after["stored"] == 4 and event.after["violations"] == 1


def test_stale_agreement_is_checked_again(actors, tmp_path):
    s = actors.sales.wecom_userid
    ArchiveAgreement.objects.create(
        userid=s, external_userid=CUSTOMER, status=AgreeStatus.AGREE, checked_at="2020-01-01T00:00:00Z"
    )
    path = write_jsonl(tmp_path / "s.jsonl", [text_record(s, CUSTOMER, "您好")])
    report = archive_ingest(
        source=JsonlFileSource(path), agree_checker=lambda pairs: {p: ("Disagree", None) for p in pairs}
    )
    assert report.refused == 1 and ArchiveAgreement.objects.get().status == AgreeStatus.DISAGREE
