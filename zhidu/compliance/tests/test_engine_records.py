"""Text extraction from decrypted archive records (API.md §7.4) and Message construction."""

from __future__ import annotations

import json

import pytest

from zhidu.compliance.engine import extract_text, message_from_archive

BASE = {
    "msgid": "m1",
    "action": "send",
    "from": "zhangsan",
    "tolist": ["wmCustomer1"],
    "roomid": "",
    "msgtime": 1700000000123,
}


@pytest.mark.parametrize(
    ("msgtype", "payload", "expected"),
    [
        ("text", {"text": {"content": "加我微信"}}, "加我微信"),
        ("markdown", {"info": {"content": "**活动** 八折"}}, "**活动** 八折"),
        (
            "link",
            {"link": {"title": "限时领取", "description": "先到先得", "link_url": "https://a.top/x", "image_url": "i"}},
            "限时领取\n先到先得\nhttps://a.top/x",
        ),
        (
            "weapp",
            {"weapp": {"title": "商品", "description": "描述", "username": "gh", "displayname": "商城"}},
            "商品\n描述\n商城",
        ),
        (
            "docmsg",
            {"doc": {"title": "内部资料", "link_url": "https://doc.example.com/1", "doc_creator": "u"}},
            "内部资料\nhttps://doc.example.com/1",
        ),
        ("todo", {"todo": {"title": "回访", "content": "明天打电话"}}, "回访\n明天打电话"),
        (
            "location",
            {"location": {"title": "我的位置", "address": "文三路1号", "longitude": 1.0}},
            "我的位置\n文三路1号",
        ),
        ("file", {"file": {"filename": "客户名单.xlsx", "fileext": "xlsx"}}, "客户名单.xlsx"),
        ("meeting", {"meeting": {"topic": "周会", "address": "", "remarks": "带上底价表"}}, "周会\n带上底价表"),
        ("calendar", {"calendar": {"title": "拜访", "place": "公司", "remarks": ""}}, "拜访\n公司"),
        ("sphfeed", {"sphfeed": {"feed_type": 4, "sph_name": "好物", "feed_desc": "全网最低"}}, "好物\n全网最低"),
        ("redpacket", {"redpacket": {"type": 1, "wish": "恭喜发财", "totalamount": 100}}, "[红包] 恭喜发财"),
        ("external_redpacket", {"redpacket": {"type": 1, "wish": "", "totalamount": 100}}, "[红包]"),
        ("card", {"card": {"corpname": "知度", "userid": "u2"}}, "[名片] 知度"),
        (
            "news",
            {"info": {"item": [{"title": "新品", "description": "到货", "url": "https://x.cn", "picurl": "p"}]}},
            "新品\n到货\nhttps://x.cn",
        ),
        (
            "mixed",
            {
                "mixed": {
                    "item": [
                        {"type": "text", "content": json.dumps({"content": "看图"}, ensure_ascii=False)},
                        {"type": "image", "content": json.dumps({"md5sum": "x", "sdkfileid": "y"})},
                        {"type": "text", "content": json.dumps({"content": "加我vx"}, ensure_ascii=False)},
                    ]
                }
            },
            "看图\n加我vx",
        ),
        (
            "chatrecord",
            {
                "chatrecord": {
                    "title": "群聊的聊天记录",
                    "item": [
                        {
                            "type": "ChatRecordText",
                            "msgtime": 1,
                            "content": json.dumps({"content": "成本价50"}, ensure_ascii=False),
                        },
                        {"type": "ChatRecordImage", "msgtime": 2, "content": json.dumps({"md5sum": "x"})},
                        {
                            "type": "ChatRecordLink",
                            "content": json.dumps({"title": "链接", "link_url": "https://y.cn"}, ensure_ascii=False),
                        },
                    ],
                }
            },
            "群聊的聊天记录\n成本价50\n链接\nhttps://y.cn",
        ),
        (
            "collect",
            {"collect": {"title": "报名", "details": [{"id": 1, "ques": "姓名", "type": "Text"}]}},
            "报名\n姓名",
        ),
        ("vote", {"votetitle": "选哪个", "voteitem": ["A", "B"], "votetype": 101}, "选哪个\nA\nB"),
        ("image", {"image": {"md5sum": "x", "sdkfileid": "y"}}, ""),
        ("voice", {"voice": {"md5sum": "x"}}, ""),
        ("emotion", {"emotion": {"md5sum": "x"}}, ""),
        ("agree", {"agree": {"userid": "wm1", "agree_time": 1}}, ""),
    ],
)
def test_extract_text(msgtype: str, payload: dict, expected: str) -> None:
    record = {**BASE, "msgtype": msgtype, **payload}
    assert extract_text(record) == expected
    msg = message_from_archive(record)
    if expected:
        assert msg is not None and msg.text == expected
    else:
        assert msg is None


def test_message_fields() -> None:
    msg = message_from_archive({**BASE, "msgtype": "text", "text": {"content": "你好"}})
    assert msg is not None
    assert (msg.msgid, msg.sender, msg.side, msg.chat_type, msg.roomid, msg.msgtime) == (
        "m1",
        "zhangsan",
        "staff",
        "single",
        "",
        1700000000123,
    )
    group = message_from_archive(
        {**BASE, "from": "wmAbc", "roomid": "wrRoom", "msgtype": "text", "text": {"content": "好"}}, department_id=7
    )
    assert group is not None
    assert (group.side, group.chat_type, group.roomid, group.department_id) == ("customer", "group", "wrRoom", 7)
    forced = message_from_archive({**BASE, "msgtype": "text", "text": {"content": "x"}}, side="customer")
    assert forced is not None and forced.side == "customer"


@pytest.mark.parametrize(
    "record",
    [
        {**BASE, "msgid": "", "msgtype": "text", "text": {"content": "x"}},
        {"msgid": "s1", "action": "switch", "time": 1, "user": "zhangsan"},
        {**BASE, "action": "recall", "msgtype": "revoke", "revoke": {"pre_msgid": "m0"}},
        {**BASE, "msgtype": "text", "text": "not an object"},
        {**BASE, "msgtype": "teleport", "teleport": {"content": "x"}},
        {**BASE, "msgtype": "text", "text": {"content": "   "}},
    ],
)
def test_records_without_text(record: dict) -> None:
    assert message_from_archive(record) is None
