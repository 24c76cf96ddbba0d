"""Masking customer data in case texts: examples of each kind, and a property: whatever text surrounds them, no
mobile number, landline or ID card number put into a text survives masking (in any common spacing)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from zhidu.work.library_masking import (
    MARK_ADDRESS,
    MARK_EMAIL,
    MARK_ID,
    MARK_NAME,
    MARK_NUMBER,
    MARK_WECHAT,
    mask_text,
)


def test_each_kind_of_customer_data_is_masked():  # type: ignore[no-untyped-def]
    assert mask_text("王建国说好的", names=["王建国"]) == f"{MARK_NAME}说好的"
    assert mask_text("老王，您好", names=["老王", "王"]) == f"{MARK_NAME}，您好"  # one-letter names are left alone
    assert mask_text("王先生、王总都好", names=["王建国"]) == f"{MARK_NAME}、{MARK_NAME}都好"
    assert mask_text("电话13912345678") == f"电话{MARK_NUMBER}"
    assert mask_text("打 139-1234-5678 或 010-88886666") == f"打 {MARK_NUMBER} 或 {MARK_NUMBER}"
    assert mask_text("身份证11010519491231002X号") == f"身份证{MARK_ID}号"
    assert mask_text("邮箱 wjg@example.com 谢谢") == f"邮箱 {MARK_EMAIL} 谢谢"
    assert mask_text("加我微信号：wjg_1988") == f"加我微信号：{MARK_WECHAT}"
    assert mask_text("我的wxid_abc123") == f"我的{MARK_WECHAT}"
    assert MARK_ADDRESS in mask_text("送到杭州市西湖区文三路90号")
    assert "文三路" not in mask_text("送到杭州市西湖区文三路90号3单元")
    assert mask_text("预算三千左右，下周二见") == "预算三千左右，下周二见"  # ordinary text is kept
    assert mask_text("买了2件，共399元") == "买了2件，共399元"


def _spaced(digits: str, sep: str) -> str:
    if not sep:
        return digits
    return sep.join([digits[:3], digits[3:7], digits[7:]])


mobile = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landline = st.from_regex(r"0[1-9][0-9]{1,2}-[2-8][0-9]{6,7}", fullmatch=True)
id_card = st.from_regex(r"[1-6][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])[0-9]{3}[0-9X]", fullmatch=True)
filler = st.text(alphabet=st.sampled_from([*"您好我的电话是号码身份证请联系谢谢，。！ ：abcXYZ", "\n"]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(
        st.tuples(
            filler,
            st.one_of(
                mobile.map(lambda m: ("m", m)), landline.map(lambda x: ("l", x)), id_card.map(lambda x: ("i", x))
            ),
        ),
        min_size=1,
        max_size=4,
    ),
    sep=st.sampled_from(["", " ", "-"]),
    tail=filler,
)
def test_no_phone_or_id_number_survives(parts, sep, tail):  # type: ignore[no-untyped-def]
    numbers = []
    text = ""
    for before, (kind, number) in parts:
        shown = _spaced(number, sep) if kind == "m" else number
        numbers.append(number)
        text += before + shown
    text += tail
    masked = mask_text(text)
    bare = re.sub(r"[\s\-]", "", masked)
    for number in numbers:
        digits = number.replace("-", "")
        assert digits not in bare
        assert digits[-7:] not in bare  # not even the subscriber part
    assert not re.search(r"\d{7,}", bare)
