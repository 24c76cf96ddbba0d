"""Staff-only traffic in internal groups (内部群), laid into the archive beside the customer chats.

    internal_traffic(seed=42, rooms=[StaffRoom(...)], start_ms=..., end_ms=..., count=250, scenarios=True)
    → list of (record, labels), in time order

Ordinary work talk (notices, hand-overs, questions that a colleague answers within minutes), mostly in
working hours (Asia/Shanghai). With `scenarios` (the seeded history, chunk 0) a few fixed situations the
behaviour checks look for are placed deterministically in the span:

* a flooding burst: one member sends 10 messages within 30 seconds in a department group (labels flood);
* one message repeated 4 times by the same member a minute or so apart (labels flood);
* a question to the exchange group that nobody answers for hours (labels late_reply);
* a member advertising an unrelated business (labels ads: the text engine's staff-ads rule finds it);
* a stretch of ordinary talk from 10:00 on a working day, when a meeting or training may be running.

Every choice comes from its own random stream (seeded by `seed`); all texts are our own.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .vocabulary import PRODUCTS

HOUR_MS = 3_600_000
DAY_MS = 86_400_000
TZ_MS = 8 * HOUR_MS  # Asia/Shanghai
WORK_START_H, WORK_END_H = 9, 19  # talk outside these hours is moved to the next morning


@dataclass(frozen=True)
class StaffRoom:
    roomid: str
    name: str
    creator: str
    member_ids: tuple[str, ...]
    kind: str = "department"  # department | exchange | other


CHATTER = (
    "收到",
    "好的，我来跟进",
    "今天的日报已经提交了",
    "下午的客户拜访我去，回来同步情况",
    "本周的客户回访表请大家周五前填好",
    "{p}的新版资料已经放到共享盘了",
    "明天上午有客户来公司参观，前台那边我已经打过招呼",
    "这个客户之前是我对接的，我把沟通记录发你",
    "辛苦了",
    "已处理，谢谢提醒",
    "月底冲一下，大家加油",
    "样品今天寄出了，单号稍后发群里",
    "上午的培训资料谁有？发我一份",
    "我这边明天请假一天，有急事打我电话",
    "报销单据记得周三前交",
)
QUESTIONS = (
    ("{p}现在还有现货吗？", ("仓库说还有，下单前再确认一下", "有的，我上午刚问过")),
    ("合同模板最新版在哪里下载？", ("共享盘的合同文件夹里，文件名带今年日期的那个",)),
    ("客户要开专票，需要哪些信息？", ("公司全称、税号、开户行和账号，发给财务就行",)),
    ("今天谁值班接咨询？", ("我值班，有转过来的客户直接找我",)),
    ("{p}的质保期是多久？", ("说明书上写的是一年，具体以合同为准",)),
)
FLOOD_LINES = (
    "大家看一下群公告",
    "今天的任务都清楚了吗",
    "抓紧时间",
    "下班前把数据报上来",
    "都动起来",
    "还有谁没回复",
    "看到的回复一下",
    "抓紧抓紧",
    "今天必须完成",
    "收到请回复",
)
REPEATED_LINE = "明天上午十点前把周报发我，谢谢"
UNANSWERED_QUESTION = "请问有同事知道{p}最近的退换货政策有没有调整吗？客户在问"
STAFF_AD = "自家果园的桃子熟了，同事八折，需要的私聊我"
QUIET_AFTER_QUESTION_MS = 4 * HOUR_MS


def _local_hour(t: int) -> float:
    return ((t + TZ_MS) % DAY_MS) / HOUR_MS


def _working(t: int) -> bool:
    return WORK_START_H <= _local_hour(t) < WORK_END_H


def _next_morning(t: int, rng: random.Random) -> int:
    """The next working-hours moment at or after t (9:30 local plus up to an hour)."""
    if _working(t):
        return t
    local = t + TZ_MS
    day_start = local - local % DAY_MS
    if _local_hour(t) >= WORK_END_H:
        day_start += DAY_MS
    return day_start - TZ_MS + int(9.5 * HOUR_MS) + rng.randint(0, HOUR_MS)


def _record(seed: int, n: int, room: StaffRoom, sender: str, t: int, text: str) -> dict[str, Any]:
    return {
        "msgid": f"{seed}i{n:07d}_{t // 1000}",
        "action": "send",
        "from": sender,
        "tolist": [m for m in room.member_ids if m != sender],
        "roomid": room.roomid,
        "msgtime": t,
        "msgtype": "text",
        "text": {"content": text},
    }


def internal_traffic(
    *,
    seed: int,
    rooms: Sequence[StaffRoom],
    start_ms: int,
    end_ms: int,
    count: int,
    scenarios: bool = False,
) -> list[tuple[dict[str, Any], tuple[str, ...]]]:
    """About `count` staff-only messages in `rooms` between start_ms and end_ms; see the module docstring."""
    rooms = [r for r in rooms if len(r.member_ids) >= 2]
    if count <= 0 or not rooms:
        return []
    rng = random.Random(f"{seed}:internal")
    end_ms = max(end_ms, start_ms + HOUR_MS)
    span = end_ms - start_ms
    product = rng.choice(PRODUCTS)[0]
    items: list[tuple[int, StaffRoom, str, str, tuple[str, ...]]] = []  # (time, room, sender, text, labels)
    quiet: dict[str, tuple[int, int]] = {}  # roomid → (from, to): nobody else talks there

    def member(room: StaffRoom, *, besides: str = "") -> str:
        return rng.choice([m for m in room.member_ids if m != besides] or list(room.member_ids))

    def at(fraction: float) -> int:
        return _next_morning(start_ms + int(span * fraction), rng)

    departments = [r for r in rooms if r.kind == "department"] or rooms
    exchange = next((r for r in rooms if r.kind == "exchange"), rooms[-1])
    if scenarios and count >= 20:
        room, t = departments[0], at(0.15)
        sender = member(room, besides=room.creator)
        for k, line in enumerate(FLOOD_LINES):
            items.append((t + k * 3000, room, sender, line, ("flood",)))
        room, t = departments[-1], at(0.3)
        sender = member(room)
        for k in range(4):
            items.append((t + k * rng.randint(50_000, 90_000), room, sender, REPEATED_LINE, ("flood",)))
        t = at(0.45)
        items.append((t, exchange, member(exchange), UNANSWERED_QUESTION.format(p=product), ("late_reply",)))
        quiet[exchange.roomid] = (t, t + QUIET_AFTER_QUESTION_MS)
        ad_room = next((r for r in rooms if r.kind == "other"), exchange)
        items.append((at(0.62), ad_room, member(ad_room), STAFF_AD, ("ads",)))
        local = start_ms + TZ_MS
        ten = local - local % DAY_MS - TZ_MS + 10 * HOUR_MS
        while ten < start_ms:
            ten += DAY_MS
        t = ten if ten + HOUR_MS < end_ms else at(0.75)
        room = departments[0]
        for _ in range(6):
            t += rng.randint(60_000, 300_000)
            items.append((t, room, member(room), rng.choice(CHATTER).format(p=product), ()))
    while len(items) < count:
        t = _next_morning(start_ms + rng.randint(0, span), rng)
        room = rng.choice(rooms)
        window = quiet.get(room.roomid)
        if window and window[0] <= t <= window[1] + 60_000:
            continue
        if rng.random() < 0.25:
            question, answers = rng.choice(QUESTIONS)
            asker = member(room)
            items.append((t, room, asker, question.format(p=product), ()))
            t2 = t + rng.randint(40_000, 8 * 60_000)
            if window and window[0] <= t2 <= window[1]:
                items.pop()
                continue
            items.append((t2, room, member(room, besides=asker), rng.choice(answers), ()))
        else:
            items.append((t, room, member(room), rng.choice(CHATTER).format(p=product), ()))
    items.sort(key=lambda item: item[0])
    return [
        (_record(seed, n, room, sender, t, text), labels) for n, (t, room, sender, text, labels) in enumerate(items)
    ]
