"""Reply timeliness: a streaming tracker over archived messages in time order (pure Python, no database).

* Single chat: a customer's message opens a wait on the staff member of the chat; that member's next message closes
  it. Customer messages while the wait is open do not restart it.
* Customer group: a customer's message opens a wait on the group's responder (a designated responder, else the
  owner); only that member's message closes it.
* Internal group: a staff question (a question mark, a question word, or an @mention of a member) opens a wait on
  the group; a message by anyone else (or, when a member was named, by that member) closes it.

The caller loads the open waits of the chats in a batch, feeds the batch, then persists `opened` and `closed`;
deadlines (working minutes under the responsible member's calendar) are the caller's business, so the tracker stays
a few dict lookups per message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SINGLE, GROUP, INTERNAL = "single", "group", "internal"  # wait kinds
CUSTOMER_KINDS = (SINGLE, GROUP)

QUESTION = re.compile(r"[?？]|吗|怎么|什么|如何|请问|是否|哪|谁|多少|为什么|能不能|可不可以|有没有|@")
MENTION = re.compile(r"@([^\s@,，:：]{1,32})")


@dataclass(slots=True)
class Wait:
    slot: str  # one open wait per slot: the chat (customer waits) or room#asker (internal questions)
    kind: str
    chat_key: str
    roomid: str
    msgid: str
    asked_ms: int
    asker: str  # the customer's external userid, or the asking member's userid
    responsible: str  # the userid whose reply closes it ("" for an internal question to anyone)
    reply_msgid: str = ""
    reply_ms: int = 0
    pk: int | None = None  # the persisted row, when loaded from the database


@dataclass(slots=True)
class Room:
    kind: str  # "customer" or "internal" (groups.GroupKind values)
    responder: str  # userid answering customers (responder, else owner); "" when unknown


class ReplyTracker:
    """Feed messages in time order; read `opened` (new waits, some already closed) and `closed` (waits loaded as
    open and now answered) afterwards."""

    def __init__(
        self,
        *,
        is_staff: Callable[[str], bool],
        rooms: Mapping[str, Room] | None = None,
        names: Mapping[str, str] | None = None,
        open_waits: Iterable[Wait] = (),
    ) -> None:
        self.is_staff = is_staff
        self.rooms = rooms or {}
        self.names = names or {}  # display name -> userid, for @mentions in internal groups
        self.open: dict[str, Wait] = {}
        self.questions: dict[str, dict[str, Wait]] = {}  # roomid -> slot -> open internal question
        self.opened: list[Wait] = []
        self.closed: list[Wait] = []
        for w in open_waits:
            self._add(w)

    def _add(self, w: Wait) -> None:
        self.open[w.slot] = w
        if w.kind == INTERNAL:
            self.questions.setdefault(w.roomid, {})[w.slot] = w

    def _close(self, w: Wait, msgid: str, msgtime: int) -> None:
        w.reply_msgid, w.reply_ms = msgid, msgtime
        del self.open[w.slot]
        if w.kind == INTERNAL:
            self.questions[w.roomid].pop(w.slot, None)
        if w.pk is not None:
            self.closed.append(w)

    def feed(
        self, msgid: str, chat_key: str, msgtime: int, sender: str, receivers: list[str], roomid: str, text: str
    ) -> None:
        staff = self.is_staff(sender)
        if not roomid:
            w = self.open.get(chat_key)
            if staff:
                if w is not None and w.responsible == sender:
                    self._close(w, msgid, msgtime)
            elif w is None:
                member = next((u for u in receivers if self.is_staff(u)), "")
                if member:
                    self._open(Wait(chat_key, SINGLE, chat_key, "", msgid, msgtime, sender, member))
            return
        room = self.rooms.get(roomid)
        if not staff:
            if roomid not in self.open and room is not None and room.responder:
                self._open(Wait(roomid, GROUP, chat_key, roomid, msgid, msgtime, sender, room.responder))
            return
        w = self.open.get(roomid)
        if w is not None and w.responsible == sender:
            self._close(w, msgid, msgtime)
        internal = room.kind == "internal" if room is not None else all(self.is_staff(u) for u in receivers)
        if not internal:
            return
        asked = self.questions.get(roomid)
        if asked:
            for q in list(asked.values()):
                if q.asker != sender and (not q.responsible or q.responsible == sender):
                    self._close(q, msgid, msgtime)
        if text and QUESTION.search(text):
            slot = f"{roomid}#{sender}"
            if slot not in self.open:
                self._open(Wait(slot, INTERNAL, chat_key, roomid, msgid, msgtime, sender, self._named(text, sender)))

    def _open(self, w: Wait) -> None:
        self._add(w)
        self.opened.append(w)

    def _named(self, text: str, sender: str) -> str:
        for name in MENTION.findall(text):
            userid = self.names.get(name)
            if userid and userid != sender:
                return userid
        return ""

    def feed_rows(self, rows: Iterable[Any]) -> None:
        """Rows with msgid, chat_key, msgtime, sender, receivers, roomid, text (e.g. ingest's `_Row`), in order."""
        feed = self.feed
        for r in rows:
            feed(r.msgid, r.chat_key, r.msgtime, r.sender, r.receivers, r.roomid, r.text)
