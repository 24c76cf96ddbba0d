"""Recall of privacy violations (issue #8): third parties" phone numbers (also in Chinese numerals) and
addresses, customer lists moved to private mailboxes and drives, other people"s records asked for or
offered — and the hard negatives next to them. Sentences written for this test."""

import pytest

from zhidu.compliance.engine import Engine
from zhidu.compliance.tests.recall import finder

found = finder("privacy")


POSITIVE = [
    "郑丽华的手机一五八六六二三九零七一，你联系一下她",
    "他老婆的电话 186 2233 4455，有事找她",
    "赵大爷住在和平里小区3号楼2单元501，你直接上门",
    "黄女士家在滨江区江南大道100号，记一下",
    "我把上季度的会员名单导到自己的网盘了，在家整理",
    "学员家长的电话都整理好了，发到我163邮箱 abc@163.com",
    "这批客户资料你要的话便宜给你，一条五毛",
    "把你们公司同事的通讯录发我一份",
    "你表姐的保单号和身份证我这都有",
    "帮我查一下这个号码的机主是谁",
    "小周身份证号：110105199003070019，帮他登记",
    "他家门牌号是金色家园7栋502，你去送",
    "这批顾客信息一条五毛，要多少有多少",
    "能不能把你们群里家长的电话发我",
    "把员工的身份证信息都发到我私人邮箱",
    "小陈的微信号是chen88888，你加他聊",
    "把那个投诉客户的家庭住址发到群里",
    "我有全市的车主名单，要不要",
]

HARD_NEGATIVE = [
    ("我的电话是13598765432，到了打给我", {"side": "customer"}),
    ("我的手机13598765432，有事随时找我", {}),
    ("售后电话400-888-1234，全天有人接", {}),
    ("我们门店地址是长宁区天山路58号，周末也营业", {}),
    ("客户资料请放在公司网盘，任何人不能导出到个人设备", {}),
    ("您的手机号是13598765432对吗？快递员会联系您", {}),
    ("投保需要被保人的身份证，请在官方页面上传，不要发给我", {}),
    ("合同已经发到您的QQ邮箱了，请查收", {}),
    ("客户名单.xlsx", {"msgtype": "file"}),
    ("您预留的手机号是13912345678，确认一下", {}),
    ("这是我们售后同事的电话13812345678，有问题找他", {}),
    ("请把订单号发我，我帮您查物流", {}),
]


@pytest.mark.parametrize("text", POSITIVE)
def test_positive(engine: Engine, text: str) -> None:
    assert found(engine, text)


@pytest.mark.parametrize(("text", "fields"), HARD_NEGATIVE)
def test_hard_negative(engine: Engine, text: str, fields: dict[str, object]) -> None:
    assert not found(engine, text, **fields)
