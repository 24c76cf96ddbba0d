"""Floods and repeats found during archive ingestion: staff → violations for the sender and their supervisor,
customers → findings for the group owner; bursts split across batches, re-runs after a crash, duplicates."""

from __future__ import annotations

import pytest
from django.utils import translation

from zhidu.compliance.models import ArchiveCursor, ArchiveMessage, Violation
from zhidu.compliance.services import archive_ingest
from zhidu.wecom.archive import JsonlFileSource

from .factories import BASE_MS, text_record, write_jsonl

ROOM = "wrInternalRoom01"
CUSTOMER = "wmCustomerFlood01"


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.FLOOD_MESSAGES, settings.FLOOD_SECONDS = 4, 10
    settings.REPEAT_MESSAGES, settings.REPEAT_SECONDS = 3, 60


def burst(sender: str, n: int, *, start: int = 0, step_ms: int = 1000, room: str = ROOM, prefix: str = "b"):
    others, start_ms = ["colleague1", "colleague2"], BASE_MS + start
    return [
        text_record(sender, others, f"第{i}件事", roomid=room, msgtime=start_ms + i * step_ms, msgid=f"{prefix}{i}")
        for i in range(n)
    ]


def test_staff_flood_is_one_violation_on_the_message_that_made_it(actors, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", burst(actors.sales.wecom_userid, 9))
    report = archive_ingest(source=JsonlFileSource(path))
    v = Violation.objects.get()
    assert report.violations == 1 and report.customer_findings == []
    assert (v.category, v.rule.code, v.message.msgid) == ("flood", "behaviour.flood", "b3")
    assert (v.member, v.supervisor, v.detector) == (actors.sales, actors.supervisor, "behaviour")
    assert (v.detail["count"], v.detail["window_seconds"]) == (4, 10)
    assert (v.detail["first_msgid"], v.detail["last_msgid"], v.detail["span_seconds"]) == ("b0", "b3", 3.0)
    with translation.override("zh-hans"):
        assert v.explanation() == v.summary == "同一群内 10 秒内发送 4 条消息"


def test_k_minus_one_is_nothing(actors, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", burst(actors.sales.wecom_userid, 3))
    assert archive_ingest(source=JsonlFileSource(path)).violations == 0


def test_burst_split_across_batches_is_found_once(actors, tmp_path):
    records = burst(actors.sales.wecom_userid, 12) + burst(actors.sales.wecom_userid, 5, start=60_000, prefix="c")
    path = write_jsonl(tmp_path / "a.jsonl", records)
    report = archive_ingest(source=JsonlFileSource(path), limit=2)  # 2 records per batch
    assert report.batches == 9
    assert sorted(Violation.objects.values_list("message__msgid", flat=True)) == ["b3", "c3"]


def test_rerun_after_a_crash_and_reimport_do_not_double_count(actors, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", burst(actors.sales.wecom_userid, 6))

    def crash(_stored: int) -> None:
        raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        archive_ingest(source=JsonlFileSource(path), limit=3, batch_hook=crash)
    assert Violation.objects.count() == 0
    archive_ingest(source=JsonlFileSource(path), limit=3)
    assert list(Violation.objects.values_list("message__msgid", flat=True)) == ["b3"]
    ArchiveCursor.objects.update(seq=0)
    archive_ingest(source=JsonlFileSource(path), limit=3)
    assert Violation.objects.count() == 1


def test_customer_flood_in_a_customer_group_is_a_finding_not_a_violation(actors, tmp_path):
    from zhidu.groups.models import GroupChat

    GroupChat.objects.create(chat_id="wrCustomerGroup1", name="客户群", owner=actors.sales)
    path = write_jsonl(tmp_path / "a.jsonl", burst(CUSTOMER, 5, room="wrCustomerGroup1"))
    report = archive_ingest(source=JsonlFileSource(path))
    assert Violation.objects.count() == 0
    [f] = report.customer_findings
    assert (f.kind, f.roomid, f.external_userid, f.count, f.first_msgid, f.last_msgid, f.owner_id) == (
        "flood", "wrCustomerGroup1", CUSTOMER, 4, "b0", "b3", actors.sales.pk
    )  # fmt: skip
    # the group owner's to moderate: one case, assigned to the owner, and a re-run opens no second one
    from zhidu.groups.models import ModerationCase

    case = ModerationCase.objects.get()
    assert (case.assignee_id, case.offender_userid, case.offender_type, case.msgid, case.category, case.source) == (
        actors.sales.pk, CUSTOMER, "customer", "b3", "flood", "behaviour"
    )  # fmt: skip
    assert case.reason == "客户刷屏：10 秒内 4 条消息"  # written in the company's language (LANGUAGE_CODE)
    ArchiveMessage.objects.all().delete()
    ArchiveCursor.objects.update(seq=0)
    archive_ingest(source=JsonlFileSource(path))
    assert ModerationCase.objects.count() == 1


def test_repeats_with_width_and_space_variants(actors, tmp_path):
    uid = actors.sales_b.wecom_userid
    texts = ["今晚八点直播", "今晚八点 直播", "今晚八点直播 "]
    records = [
        text_record(uid, ["x"], t, roomid=ROOM, msgtime=BASE_MS + i * 20_000, msgid=f"r{i}")
        for i, t in enumerate(texts)
    ]
    archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / "a.jsonl", records)))
    v = Violation.objects.get()
    assert (v.rule.code, v.message.msgid, v.member, v.supervisor) == (
        "behaviour.repeat", "r2", actors.sales_b, actors.supervisor_b
    )  # fmt: skip
    with translation.override("zh-hans"):
        assert v.explanation() == "同一群内 60 秒内重复发送相同消息 3 次"


def test_a_disabled_rule_reports_nothing(actors, tmp_path):
    from zhidu.compliance.behaviour import behaviour_rule

    behaviour_rule(code="behaviour.flood", name="x", category="flood")
    from zhidu.compliance.models import Rule

    Rule.objects.filter(code="behaviour.flood").update(enabled=False)
    path = write_jsonl(tmp_path / "a.jsonl", burst(actors.sales.wecom_userid, 6))
    assert archive_ingest(source=JsonlFileSource(path)).violations == 0


def test_single_chats_never_flood(actors, tmp_path):
    uid = actors.sales.wecom_userid
    records = [text_record(uid, CUSTOMER, f"消息{i}", msgtime=BASE_MS + i * 100) for i in range(10)]
    assert archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / "a.jsonl", records))).violations == 0


def test_flood_reads_well_on_the_violation_pages(actors, tmp_path, login):
    from django.urls import reverse

    archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / "a.jsonl", burst(actors.sales.wecom_userid, 5))))
    v = Violation.objects.get()
    client = login(actors.supervisor)
    client.cookies["django_language"] = "zh-hans"
    listing = client.get(reverse("compliance:violations")).content.decode()
    detail = client.get(reverse("compliance:violation_detail", args=[v.pk])).content.decode()
    assert "同一群内 10 秒内发送 4 条消息" in listing and "群内刷屏" in detail
    assert "同一群内 10 秒内发送 4 条消息" in detail
    assert login(actors.outsider).get(reverse("compliance:violation_detail", args=[v.pk])).status_code == 404


def test_behaviour_rules_leave_the_text_engine_alone(db):
    """The streaming checks create their rule rows on first use, mid-ingestion: that must not make the next batch
    rebuild the text engine (it never compiles them)."""
    from zhidu.compliance.behaviour import behaviour_rule
    from zhidu.compliance.models import Category
    from zhidu.compliance.services.rules import rules_version

    before = rules_version()
    rule = behaviour_rule(code="behaviour.test", name="测试", category=Category.FLOOD)
    assert rule.detectors == ["behaviour"] and rules_version() == before
    with pytest.raises(ValueError):
        behaviour_rule(code="flood.test", name="测试", category=Category.FLOOD)
