"""Masking customer data in conversation excerpts (cases used in training).

`mask_text` replaces, in this order: the given customer names and remarks (and a Chinese name's surname with a
form of address, 王先生 for 王建国); e-mail addresses; WeChat ids (wxid_…,
or an id after a word like 微信 / vx); street addresses (a place with a road, street or building part); and every
run of seven or more digits (allowing spaces and dashes between them), which covers mobile and landline numbers,
ID card numbers (with a final X) and bank cards. The markers are fixed Chinese words: a case is stored once, in
the company's language, and read by people who know it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MARK_NAME = "【客户】"
MARK_EMAIL = "【邮箱】"
MARK_WECHAT = "【微信号】"
MARK_ADDRESS = "【地址】"
MARK_NUMBER = "【号码】"
MARK_ID = "【证件号】"

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_WXID = re.compile(r"wxid_[A-Za-z0-9_\-]+", re.IGNORECASE)
_WECHAT = re.compile(
    r"(微信号?|威信|薇信|V信|v信|VX|vx|Vx|wx|WX|weixin|wechat|WeChat)(\s*(?:号|ID|id)?\s*[:：是为]?\s*)"
    r"([A-Za-z][A-Za-z0-9_\-]{5,19})"
)
_ADDRESS = re.compile(
    r"[\u4e00-\u9fff]{0,12}?(?:省|市|区|县|州)[\u4e00-\u9fff0-9]{0,20}?(?:路|街|道|巷|弄|村|镇|乡|大厦|小区|广场|花园)"
    r"(?:[\u4e00-\u9fff0-9\-－#]{0,20}?\d+\s*(?:号楼|号|栋|幢|单元|室|楼|层))*"
)
# An ID card number: 17 digits and a digit or X (or 15 digits); a final X is part of the number.
_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)\d{15}(?!\d)")
# Seven or more digits, possibly broken by spaces, dashes or dots (138 1234 5678, 010-8888 6666, +86 138…).
_DIGITS = re.compile(r"\+?\d(?:[\s\-.]?\d){6,}")
_NAME_MIN = 2  # shorter "names" (one character) would mask ordinary words


_HONORIFICS = ("先生", "女士", "小姐", "老师", "经理", "总", "姐", "哥")
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


def name_variants(names: Iterable[str]) -> set[str]:
    """The names, and for a Chinese personal name the surname with a usual form of address (王建国 → 王先生, 王总)."""
    out = {n.strip() for n in names if n and len(n.strip()) >= _NAME_MIN}
    for name in list(out):
        if _CJK_NAME.fullmatch(name) and len(name) <= 3:
            out.update(name[0] + h for h in _HONORIFICS)
    return out


def mask_text(text: str, *, names: Iterable[str] = ()) -> str:
    """`text` with customer names and contact data replaced by markers (see the module)."""
    for name in sorted(name_variants(names), key=len, reverse=True):
        text = text.replace(name, MARK_NAME)
    text = _EMAIL.sub(MARK_EMAIL, text)
    text = _WXID.sub(MARK_WECHAT, text)
    text = _WECHAT.sub(lambda m: m.group(1) + m.group(2) + MARK_WECHAT, text)
    text = _ADDRESS.sub(MARK_ADDRESS, text)
    text = _ID.sub(MARK_ID, text)
    return _DIGITS.sub(MARK_NUMBER, text)
