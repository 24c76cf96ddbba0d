"""The generator: interleaved conversations with timing, senders, violations and hard negatives."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .media import media_message
from .overlay import Overlay
from .overlay import internal_rooms as make_internal_rooms
from .slots import (
    P_AFTER_C,
    P_AFTER_S,
    P_CLOSE,
    P_DEL_C,
    P_DEL_S,
    P_FOLLOW_C,
    P_FOLLOW_S,
    P_GREET_C,
    P_GREET_S,
    P_GROUP_C,
    P_GROUP_S,
    P_HARD,
    P_INQ_C,
    P_INTRO_S,
    P_NEG_S,
    P_ORDER_C,
    P_ORDER_S,
    P_PRICE_C,
    P_PRICE_S,
    P_VIOLATIONS,
    Slots,
)
from .violations import CATEGORY_WEIGHTS, SINGLE_CATEGORIES
from .vocabulary import (
    BRANDS,
    CITIES,
    COURIERS,
    DAYS,
    DISEASES,
    HONORIFICS,
    PRODUCTS,
    SPAM_DOMAINS,
    SURNAMES,
    TIPS,
    WHO,
)


@dataclass(frozen=True)
class StaffInfo:
    userid: str
    name: str


@dataclass(frozen=True)
class CustomerInfo:
    external_userid: str
    name: str
    follow_userid: str


@dataclass(frozen=True)
class RoomInfo:
    roomid: str
    name: str
    owner: str
    member_ids: tuple[str, ...]


class _Conv:
    __slots__ = ("chat", "ctx", "customer", "members", "roomid", "script", "staff", "step")
    chat: str
    ctx: dict[str, Any]
    customer: str
    members: Any
    roomid: str
    script: list[tuple[str, Any]]
    staff: str

    def __init__(self) -> None:
        self.step = 0


def _script_single(rng: random.Random) -> list[tuple[str, Any]]:
    s: list[tuple[str, Any]] = []
    if rng.random() < 0.5:
        s.append(("s", P_GREET_S))
        if rng.random() < 0.6:
            s.append(("c", P_GREET_C))
    else:
        s.append(("c", P_GREET_C))
        s.append(("s", P_GREET_S))
    for _ in range(rng.randint(1, 3)):
        s.append(("c", P_INQ_C))
        s.append(("s", P_INTRO_S))
    if rng.random() < 0.8:
        s.append(("c", P_PRICE_C) if rng.random() < 0.5 else ("s", P_PRICE_S))
        s.append(("s", P_PRICE_S))
        if rng.random() < 0.5:
            s.append(("c", P_PRICE_C))
            s.append(("s", P_NEG_S))
    if rng.random() < 0.6:
        s.append(("c", P_ORDER_C))
        s.append(("s", P_ORDER_S))
        if rng.random() < 0.7:
            s.append(("c", P_DEL_C) if rng.random() < 0.5 else ("s", P_DEL_S))
            s.append(("s", P_DEL_S))
        if rng.random() < 0.3:
            s.append(("c", P_AFTER_C))
            s.append(("s", P_AFTER_S))
            s.append(("c", P_FOLLOW_C))
    if rng.random() < 0.4:
        s.append(("s", P_FOLLOW_S))
        s.append(("c", P_FOLLOW_C))
    if rng.random() < 0.5:
        s.append((rng.choice("sc"), P_CLOSE))
    return s


def _script_group(rng: random.Random) -> list[tuple[str, Any]]:
    s: list[tuple[str, Any]] = [("s", P_GROUP_S)]
    for _ in range(rng.randint(2, 9)):
        s.append(("c", P_GROUP_C) if rng.random() < 0.65 else ("s", P_GROUP_S))
    return s


def generate_messages(
    *,
    seed: int,
    staff: Sequence[StaffInfo],
    customers: Sequence[CustomerInfo],
    rooms: Sequence[RoomInfo],
    count: int,
    start_ms: int,
    violation_share: float = 0.06,
    hard_negative_share: float = 0.04,
    internal_rooms: Sequence[RoomInfo] | None = None,
) -> Iterator[tuple[dict, tuple[str, ...]]]:
    """Yield `count` (record, labels) pairs; see the module docstring. `rooms` are customer groups;
    `internal_rooms` are groups of staff only (None: made from `staff`, see overlay.internal_rooms)."""
    rng = random.Random(seed)
    slots = Slots(rng)
    if internal_rooms is None:
        staff_only = make_internal_rooms([s.userid for s in staff])
    else:
        staff_only = tuple((r.roomid, tuple(dict.fromkeys((r.owner, *r.member_ids)))) for r in internal_rooms)
    overlay = Overlay(seed, staff_only)
    names = {s.userid: s.name for s in staff}
    staff_ids = frozenset(names)
    pairs = [c for c in customers if c.follow_userid]
    groups = []
    for room in rooms:
        members = tuple(dict.fromkeys((room.owner, *room.member_ids)))
        custs = tuple(m for m in members if m not in staff_ids and m != room.owner)
        staffs = tuple(m for m in members if m in staff_ids or m == room.owner)
        if custs:
            groups.append((room, members, staffs, custs))
    if count <= 0 or (not pairs and not groups):
        return
    group_share = 0.3 if groups and pairs else (1.0 if groups else 0.0)
    cat_names = [c for c, _ in CATEGORY_WEIGHTS]
    cat_weights = [w for _, w in CATEGORY_WEIGHTS]
    single_weights = [w if c in SINGLE_CATEGORIES else 0 for c, w in CATEGORY_WEIGHTS]
    choice = rng.choice
    rand = rng.random
    randint = rng.randint

    def new_conv() -> _Conv:
        conv = _Conv()
        prod = choice(PRODUCTS)
        price = randint(prod[1], prod[2])
        city, street = choice(CITIES)
        low = max(1, price * randint(25, 55) // 100)
        conv.ctx = {
            "p": prod[0],
            "price": price,
            "price2": price + randint(1, 9) * 10,
            "price3": price * 3 - randint(1, 5) * 10,
            "low": low,
            "feature": prod[3],
            "spec": prod[4],
            "cname": choice(SURNAMES) + choice(HONORIFICS),
            "brand": choice(BRANDS),
            "city": city,
            "street": street,
            "no": randint(1, 999),
            "who": choice(WHO),
            "day": choice(DAYS),
            "days": randint(2, 7),
            "hour": randint(1, 9),
            "courier": choice(COURIERS),
            "full": choice((199, 299, 399, 499)),
            "minus": choice((20, 30, 50, 100)),
            "dz": choice((7, 8, 9)),
            "n": choice((20, 30, 50, 100, 200)),
            "rate": choice((6, 8, 10, 12, 15)),
            "disease": choice(DISEASES),
            "points": randint(100, 5000),
            "deposit": choice((50, 100, 200)),
            "tip": choice(TIPS),
            "hot1": randint(100, 999),
            "hot2": randint(1000, 9999),
        }
        if groups and (not pairs or rand() < group_share):
            room, members, staffs, custs = choice(groups)
            conv.chat = "group"
            conv.roomid = room.roomid
            conv.members = (members, staffs, custs)
            conv.staff = room.owner
            conv.customer = ""
            conv.script = _script_group(rng)
        else:
            cust = choice(pairs)
            conv.chat = "single"
            conv.roomid = ""
            conv.members = None
            conv.staff = cust.follow_userid
            conv.customer = cust.external_userid
            conv.script = _script_single(rng)
        sname = names.get(conv.staff, "")
        conv.ctx["sname"] = ("小" + sname[0]) if sname else "小" + choice(SURNAMES)
        return conv

    active = [new_conv() for _ in range(8)]
    t = start_ms
    recent: list[tuple[str, str, str, tuple[str, ...], str]] = []  # (msgid, from, roomid, tolist) for recalls
    for i in range(count):
        k = randint(0, 7)
        conv = active[k]
        role, pool = conv.script[conv.step]
        conv.step += 1
        if conv.step >= len(conv.script):
            active[k] = new_conv()
        # time: a few seconds to a few minutes; nights are mostly skipped
        t += randint(1_500, 150_000)
        hour = (t // 1000 + 28_800) // 3600 % 24
        if (hour >= 22 or hour < 8) and rand() < 0.98:
            day_ms = 86_400_000
            local = t + 28_800_000
            t = local - local % day_ms + (8 * 3600 + 30 * 60) * 1000 - 28_800_000 + randint(0, 3_600_000)
            if hour >= 22:
                t += day_ms
        labels: tuple[str, ...] = ()
        ctx = conv.ctx
        r = rand()
        special = ""
        rare = None
        if r < violation_share:
            if conv.chat == "group":
                cat = rng.choices(cat_names, cat_weights)[0]
            else:
                cat = rng.choices(cat_names, single_weights)[0]
            group = conv.chat == "group"
            options = [
                v for v in P_VIOLATIONS[cat] if (v[2] is None and not group) or v[2] is False or (v[2] and group)
            ]
            labels, role, _grp, tpl, extra = choice(options)
            if extra:
                slots.fill(ctx, extra)
            if tpl in ("REDPACKET", "LINK"):
                special = tpl
                text = ""
            else:
                text = tpl.format_map(ctx)
            rare = overlay.pick(violation=True, chat=conv.chat)
        elif r < violation_share + hard_negative_share:
            options_h = [h for h in P_HARD if h[1] == "any" or conv.chat == "single"]
            role, _chat, tpl, extra = choice(options_h)
            if extra:
                slots.fill(ctx, extra)
            text = tpl.format_map(ctx)
            rare = overlay.pick(violation=False, chat=conv.chat)
        else:
            tpl, extra = choice(pool)
            if extra:
                slots.fill(ctx, extra)
            text = tpl.format_map(ctx)
        # who speaks
        if conv.chat == "single":
            sender, to = (conv.staff, conv.customer) if role == "s" else (conv.customer, conv.staff)
            tolist = [to]
            roomid = ""
        else:
            members, staffs, custs = conv.members
            sender = choice(staffs) if role == "s" else choice(custs)
            tolist = [m for m in members if m != sender]
            roomid = conv.roomid
        msgid = f"{seed}{i:010d}_{t // 1000}"
        record: dict[str, Any] = {
            "msgid": msgid,
            "action": "send",
            "from": sender,
            "tolist": tolist,
            "roomid": roomid,
            "msgtime": t,
        }
        if special == "REDPACKET":
            record["msgtype"] = "redpacket"
            record["redpacket"] = {
                "type": 1,
                "wish": choice(("一点心意，别告诉别人", "恭喜发财，大吉大利", "给你的补偿")),
                "totalcnt": 1,
                "totalamount": choice((2000, 5000, 10000)),
            }
        elif special == "LINK":
            dom = choice(SPAM_DOMAINS)
            record["msgtype"] = "link"
            record["link"] = {
                "title": choice(("限时免费领取", "点击就送好礼", "今日特价清仓")),
                "description": "数量有限，先到先得",
                "link_url": f"https://{dom}/s/{randint(1000, 99999)}",
                "image_url": f"https://{dom}/img/{randint(1, 99)}.jpg",
            }
        elif not labels and r >= violation_share + hard_negative_share and rand() < 0.1:
            media_message(record, rng, text, role, conv.chat, ctx)
        else:
            record["msgtype"] = "text"
            record["text"] = {"content": text}
        if rare is not None:
            labels = rare[0]
            people = (conv.staff, conv.customer) if conv.chat == "single" else (conv.roomid, *conv.members)
            overlay.apply(record, rare, conv.chat, people, ctx)
            sender, tolist, roomid = record["from"], record["tolist"], record["roomid"]
        if not labels and recent and rand() < 0.002:
            pre = choice(recent)
            record["action"] = "recall"
            record["from"] = pre[1]
            record["roomid"] = pre[2]
            record["tolist"] = list(pre[3])
            record["msgtype"] = "revoke"
            record["revoke"] = {"pre_msgid": pre[0]}
            for key in ("text", "link", "image", "emotion", "voice", "file", "weapp", "location", "mixed", "card"):
                record.pop(key, None)
            for key in ("info", "chatrecord"):
                record.pop(key, None)
        elif i % 16 == 0:
            recent.append((msgid, sender, roomid, tuple(tolist), ""))
            if len(recent) > 32:
                recent.pop(0)
        yield record, labels
