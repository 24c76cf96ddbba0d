"""Contact diversion: personal WeChat ids, "add me" phrases, payments to personal accounts, red packets."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .base import Hit, boundary_ok, negated
from .pii import mobile_valid

# --- personal WeChat ids -----------------------------------------------------------------------

WECHAT_TRIGGERS = (
    "微信",
    "vx",
    "wx",
    "v信",
    "威信",
    "薇信",
    "徽信",
    "维信",
    "微x",
    "weixin",
    "wechat",
    "wxid_",
    "加v",
    "qq",
    "扣扣",
)
WECHAT_EXCLUDE = ("企业微信", "企微")
_ID_AFTER = re.compile(
    r"[ ]*(号码|号|id)?[ ]*(是|为|:|=|：)?[ ]*"
    r"(wxid_[a-z0-9_]{4,30}|[a-z][-_a-z0-9]{5,19}|1[3-9][0-9]{9}|[1-9][0-9]{4,10})"
)


def _wechat_check(text: str, occ: Sequence[tuple[int, int, int]]) -> list[Hit]:
    n_trig = len(WECHAT_TRIGGERS)
    excl = [(s, e) for i, s, e in occ if i >= n_trig]
    hits: list[Hit] = []
    last_end = -1
    for i, s, e in sorted(occ, key=lambda o: o[1]):
        if i >= n_trig or s < last_end:
            continue
        trig = WECHAT_TRIGGERS[i]
        if trig != "wxid_" and not boundary_ok(text, s, e, trig):
            continue
        if any(xs < e and s < xe for xs, xe in excl):
            continue
        if trig == "wxid_":
            m = re.match(r"wxid_[a-z0-9_]{4,30}", text[s:])
            if m:
                hits.append(Hit(s, s + m.end(), "wechat_id", 0.95, m.group()))
                last_end = s + m.end()
            continue
        m = _ID_AFTER.match(text, e)
        if not m:
            continue
        ident = m.group(3)
        explicit = bool(m.group(1) or m.group(2))
        if ident.isdigit():
            if trig in ("qq", "扣扣") or mobile_valid(ident):
                conf = 0.9
            else:
                continue
        elif ident.startswith("wxid_"):
            conf = 0.95
        elif explicit or any(c.isdigit() or c in "_-" for c in ident):
            conf = 0.9 if explicit else 0.75
        else:
            continue
        if negated(text, s):
            continue
        hits.append(Hit(s, m.end(), "wechat_id", conf, ident))
        last_end = m.end()
    return hits


# --- "add me" diversion, payments, red packets -------------------------------------------------

DIVERSION_TRIGGERS = (
    "加我微信",
    "加微信",
    "加个微信",
    "加下微信",
    "加一下微信",
    "加我个人微信",
    "加我私人微信",
    "私人微信",
    "个人微信",
    "我的微信",
    "我微信",
    "微信同号",
    "微信联系",
    "微信上聊",
    "微信聊",
    "加我v",
    "加v",
    "加vx",
    "加wx",
    "加我vx",
    "加我wx",
    "加威信",
    "加薇信",
    "加v信",
    "加徽信",
    "私聊我",
    "私我",
    "私信我",
    "加我qq",
    "加qq",
    "qq联系",
    "加我好友",
    "加我个人号",
    "个人号",
    "小号加我",
    "扫我二维码",
    "扫我的二维码",
    "扫码加我",
    "加我钉钉",
    "加我抖音",
    "来我抖音",
    "关注我抖音",
    "私下联系",
    "换个地方聊",
    "这里不方便说",
)
DIVERSION_EXCLUDE = ("企业微信", "企微", "公司微信", "工作微信")

PAYMENT_TRIGGERS = (
    "我的收款码",
    "个人收款码",
    "私人收款码",
    "扫我收款码",
    "扫我的收款码",
    "转账给我",
    "转给我个人",
    "转到我个人",
    "转我个人",
    "直接转我",
    "微信转我",
    "支付宝转我",
    "转我微信",
    "转我支付宝",
    "打我卡上",
    "打到我卡上",
    "打到我个人",
    "打我个人",
    "个人账户",
    "私人账户",
    "个人卡上",
    "私人卡",
    "我的银行卡",
    "我的支付宝",
    "我支付宝",
    "现金给我",
    "钱给我就行",
    "直接给我钱",
    "付给我个人",
)
PAYMENT_EXCLUDE = ("公司账户", "对公账户", "官方账户")

REDPACKET_TRIGGERS = (
    "[红包]",
    "发红包",
    "发个红包",
    "给你发红包",
    "包个红包",
    "红包给你",
    "给你个红包",
    "包个大红包",
    "大红包给你",
    "发你红包",
    "发你个红包",
    "红包发你",
)


def _redpacket_check(text: str, occ: Sequence[tuple[int, int, int]]) -> list[Hit]:
    hits = []
    for i, s, e in occ:
        trig = REDPACKET_TRIGGERS[i]
        if trig == "[红包]":
            hits.append(Hit(s, e, "redpacket", 0.9, trig))
        elif not negated(text, s):
            hits.append(Hit(s, e, "redpacket", 0.75, trig))
    return hits
