"""Rare lines laid over a seed's corpus: the serious categories, dangerous files, staff advertising
in internal staff groups, and their hard negatives (violations.RARE_VIOLATIONS, RARE_HARD_NEGATIVES).

They take some of the violation and hard-negative slots the main generator has already filled, and
every choice they make comes from a second random stream: the main stream, and so every other
message of the corpus, is the same as without them. Internal groups are not in the company's
customer-group list (WeCom lists only groups with customers); they are made here from the staff,
up to eight per room, with a room id that depends only on the room's first member."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import Any

from .slots import EXTRA_SLOTS, Slots, template_fields
from .violations import RARE_HARD_NEGATIVES, RARE_HARD_SHARE, RARE_SHARE, RARE_VIOLATIONS, RARE_WEIGHTS

FILE_MARK = "FILE:"
ROOM_SIZE = 8
PAYLOAD_KEYS = (
    *("text", "link", "image", "emotion", "voice", "file", "weapp", "location", "mixed", "card"),
    *("info", "chatrecord", "redpacket"),
)

Line = tuple[tuple[str, ...], str, str, str, frozenset[str]]  # labels, role, where, template, rare slots
P_RARE: tuple[Line, ...] = tuple(
    (lab, role, where, t, template_fields(t) & EXTRA_SLOTS) for lab, role, where, t in RARE_VIOLATIONS
)
P_RARE_HARD: tuple[Line, ...] = tuple(
    ((), role, where, t, template_fields(t) & EXTRA_SLOTS) for role, where, t in RARE_HARD_NEGATIVES
)


def internal_rooms(staff_ids: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(roomid, member userids) of staff-only groups made from the staff: in order, split evenly into
    rooms of at most ROOM_SIZE and at least three (none for fewer than three people)."""
    n = len(staff_ids)
    if n < 3:
        return ()
    count = -(-n // ROOM_SIZE)
    rooms = []
    for k in range(count):
        members = tuple(staff_ids[k * n // count : (k + 1) * n // count])
        digest = hashlib.sha1(f"internal:{members[0]}".encode()).hexdigest()
        rooms.append(("wr" + digest[:30], members))
    return tuple(rooms)


class Overlay:
    def __init__(self, seed: int, rooms: Sequence[tuple[str, tuple[str, ...]]]) -> None:
        self.rng = random.Random(f"{seed}:rare")
        self.slots = Slots(self.rng)
        self.rooms = tuple(r for r in rooms if len(r[1]) >= 2)
        self.bag: list[str] = []

    def pick(self, *, violation: bool, chat: str) -> Line | None:
        """A rare line for this slot (a violation slot or a hard-negative one), or None."""
        rng = self.rng
        if rng.random() >= (RARE_SHARE if violation else RARE_HARD_SHARE):
            return None
        pool = P_RARE if violation else P_RARE_HARD
        options = [v for v in pool if v[2] in ("any", chat) or (v[2] == "internal" and self.rooms)]
        if not options:
            return None
        if not violation:
            return rng.choice(options)
        category = self._next_category({v[0][0] for v in options})
        return rng.choice([v for v in options if v[0][0] == category])

    def _next_category(self, available: set[str]) -> str:
        """Categories come from a shuffled bag holding each RARE_WEIGHTS[c] times, refilled when empty:
        every category shows up once a round (a small demo archive has them all), in random order. The
        first one in the bag that has a line for this chat is taken; a few left waiting for another
        kind of chat (group-only ones while single chats come) carry over to the next round."""
        if not any(c in available for c in self.bag):
            fresh = [c for c in sorted(RARE_WEIGHTS) for _ in range(RARE_WEIGHTS[c])]
            self.rng.shuffle(fresh)
            self.bag = self.bag[: len(RARE_WEIGHTS)] + fresh
        for i, c in enumerate(self.bag):
            if c in available:
                return self.bag.pop(i)
        return self.rng.choice(sorted(available))  # a category RARE_WEIGHTS does not know

    def apply(self, record: dict[str, Any], line: Line, chat: str, people: Any, ctx: dict[str, Any]) -> None:
        """Rewrite `record` (msgid and time kept) to carry `line`. `people` is (staff, customer) for a
        single chat, (roomid, members, staffs, customers) for a group."""
        _labels, role, where, tpl, extra = line
        rng = self.rng
        ctx = dict(ctx)
        if extra:
            self.slots.fill(ctx, extra)
        text = tpl.removeprefix(FILE_MARK).format_map(ctx)
        if where == "internal":
            roomid, members = rng.choice(self.rooms)
            sender = rng.choice(members)
        elif chat == "single":
            staff, customer = people
            sender, roomid, members = (staff if role == "s" else customer), "", (staff, customer)
        else:
            roomid, members, staffs, customers = people
            sender = rng.choice(staffs if role == "s" else customers)
        for key in PAYLOAD_KEYS:
            record.pop(key, None)
        record["from"] = sender
        record["tolist"] = [m for m in members if m != sender]
        record["roomid"] = roomid
        if tpl.startswith(FILE_MARK):
            record["msgtype"] = "file"
            record["file"] = {
                "md5sum": f"{rng.getrandbits(128):032x}",
                "filename": text,
                "fileext": text.rsplit(".", 1)[-1],
                "filesize": rng.randint(8_000, 3_000_000),
                "sdkfileid": f"sdk{rng.getrandbits(64):016x}",
            }
        else:
            record["msgtype"] = "text"
            record["text"] = {"content": text}
