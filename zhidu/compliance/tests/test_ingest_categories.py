"""The new categories through archive ingestion: the seeded default pack, internal groups (every
member staff, from the record's tolist), file messages, and the citation of the demo regulation."""

from __future__ import annotations

import pytest

from zhidu.compliance.models import Rule, Violation
from zhidu.compliance.services import archive_ingest, rules_seed_default
from zhidu.policies.services import policy_load_demo
from zhidu.wecom.archive import JsonlFileSource

from .factories import text_record, write_jsonl

pytestmark = pytest.mark.django_db

CUSTOMER = "wmCustomerA0001"


@pytest.fixture
def pack(db):
    policy_load_demo(actor=None)
    rules_seed_default(actor=None)


def _ingest(tmp_path, records):
    archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / "a.jsonl", records)))
    return {v.message.msgid: v for v in Violation.objects.select_related("message")}


def test_seeded_file_rule_keeps_its_message_type_scope(pack):
    rule = Rule.objects.get(code="malware.file")
    assert (rule.category, rule.msgtypes, rule.article) == ("malware", ["file"], "sales-conduct#23.3")
    assert Rule.objects.get(code="ads.internal").chat_types == ["internal"]


def test_staff_ads_in_an_internal_group_only(pack, actors, tmp_path):
    s, sup, mgr = actors.sales.wecom_userid, actors.supervisor.wecom_userid, actors.manager.wecom_userid
    text = "出闲置婴儿车，九成新，低价转让"
    found = _ingest(
        tmp_path,
        [
            text_record(s, [sup, mgr], text, roomid="wrStaff", msgid="internal"),
            text_record(s, [sup, CUSTOMER], text, roomid="wrCustomers", msgid="customer-group"),
        ],
    )
    v = found["internal"]
    assert (v.rule.code, v.category, v.article) == ("ads.internal", "ads", "sales-conduct#22.3")
    assert v.citation == "《销售团队管理制度》第二十二条第（三）项"
    assert "customer-group" not in found or found["customer-group"].rule.code != "ads.internal"
    assert not Violation.objects.filter(message__msgid="customer-group", rule__code="ads.internal").exists()


def _file_record(sender: str, receiver: str, msgid: str) -> dict:  # type: ignore[type-arg]
    return {
        "msgid": msgid,
        "action": "send",
        "from": sender,
        "tolist": [receiver],
        "roomid": "",
        "msgtime": 1_700_000_000_000,
        "msgtype": "file",
        "file": {"md5sum": "x", "filename": "付款回单.pdf.exe", "fileext": "exe", "filesize": 20480, "sdkfileid": "f"},
    }


def test_executable_file_message(pack, actors, tmp_path):
    s = actors.sales.wecom_userid
    records = [_file_record(s, CUSTOMER, "file-1"), text_record(s, CUSTOMER, "请不要打开.exe结尾的文件", msgid="talk")]
    found = _ingest(tmp_path, records)
    v = found["file-1"]
    assert (v.rule.code, v.matched, v.citation) == (
        "malware.file",
        ".exe",
        "《销售团队管理制度》第二十三条第（三）项",
    )
    assert "talk" not in found


def test_executable_file_from_a_customer_is_a_case_for_the_member(pack, actors, tmp_path):
    from zhidu.groups.models import ModerationCase

    found = _ingest(tmp_path, [_file_record(CUSTOMER, actors.sales.wecom_userid, "file-2")])
    assert found == {}
    case = ModerationCase.objects.get()
    assert (case.category, case.assignee, case.offender_userid) == ("malware", actors.sales, CUSTOMER)
