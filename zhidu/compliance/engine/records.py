"""Text of decrypted chat-archive records (API.md §7.4) and their conversion to engine Messages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from .rules import Message

# msgtype → (payload key, fields that carry text, in display order)
_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "text": ("text", ("content",)),
    "markdown": ("info", ("content",)),
    "link": ("link", ("title", "description", "link_url")),
    "weapp": ("weapp", ("title", "description", "displayname")),
    "docmsg": ("doc", ("title", "link_url")),
    "todo": ("todo", ("title", "content")),
    "location": ("location", ("title", "address")),
    "file": ("file", ("filename",)),
    "meeting": ("meeting", ("topic", "address", "remarks")),
    "calendar": ("calendar", ("title", "place", "remarks")),
    "sphfeed": ("sphfeed", ("sph_name", "feed_desc")),
    "voip_doc_share": ("voip_doc_share", ("filename",)),
}
NO_TEXT_TYPES = frozenset(
    {"image", "voice", "video", "emotion", "revoke", "agree", "disagree", "meeting_voice_call", "qydiskfile"}
)
SPECIAL_TYPES = frozenset(
    {"redpacket", "external_redpacket", "card", "news", "mixed", "chatrecord", "vote", "collect", "voiptext"}
)
KNOWN_MSGTYPES = frozenset(_FIELDS) | NO_TEXT_TYPES | SPECIAL_TYPES
REDPACKET_MARK = "[红包]"
CARD_MARK = "[名片]"
CUSTOMER_PREFIXES = ("wo", "wm")  # external_userid forms (API.md §4); robots are "wb…"


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float):
        return str(value)
    return ""


def _join(parts: Iterable[str]) -> str:
    return "\n".join(p for p in parts if p)


def _sub_message(kind: str, content: Any) -> str:
    """Text of an item inside mixed/chatrecord; `content` is a JSON string (or already an object)."""
    if isinstance(content, str):
        try:
            obj = json.loads(content)
        except ValueError:
            return content.strip()
    else:
        obj = content
    if not isinstance(obj, Mapping):
        return ""
    k = kind.lower().removeprefix("chatrecord")
    if k in ("image", "voice", "video", "emotion"):
        return ""
    if "item" in obj and isinstance(obj["item"], list):  # nested record
        return _join(
            _sub_message(_s(it.get("type")), it.get("content")) for it in obj["item"] if isinstance(it, Mapping)
        )
    return _join(
        _s(obj.get(f))
        for f in ("title", "content", "description", "link_url", "filename", "wish", "address", "displayname")
    )


def extract_text(record: Mapping[str, Any]) -> str:
    """All human-readable text of a decrypted archive record ("" when the type carries none)."""
    msgtype = record.get("msgtype")
    if not isinstance(msgtype, str):
        return ""
    spec = _FIELDS.get(msgtype)
    if spec is not None:
        payload = record.get(spec[0])
        if not isinstance(payload, Mapping):
            return ""
        if msgtype == "file":
            return file_name(payload)
        return _join(_s(payload.get(f)) for f in spec[1])
    if msgtype in ("redpacket", "external_redpacket"):
        payload = record.get("redpacket") or record.get(msgtype) or {}
        wish = _s(payload.get("wish")) if isinstance(payload, Mapping) else ""
        return f"{REDPACKET_MARK} {wish}".strip()
    if msgtype == "card":
        payload = record.get("card") or {}
        corp = _s(payload.get("corpname")) if isinstance(payload, Mapping) else ""
        return f"{CARD_MARK} {corp}".strip()
    if msgtype == "news":
        info = record.get("info") or {}
        items = info.get("item") if isinstance(info, Mapping) else None
        if not isinstance(items, list):
            return ""
        return _join(
            _join(_s(it.get(f)) for f in ("title", "description", "url")) for it in items if isinstance(it, Mapping)
        )
    if msgtype in ("mixed", "chatrecord"):
        payload = record.get(msgtype) or {}
        if not isinstance(payload, Mapping):
            return ""
        items = payload.get("item")
        head = _s(payload.get("title")) if msgtype == "chatrecord" else ""
        if not isinstance(items, list):
            return head
        return _join(
            [head, *(_sub_message(_s(it.get("type")), it.get("content")) for it in items if isinstance(it, Mapping))]
        )
    if msgtype == "vote":
        items = record.get("voteitem")
        return _join(
            [_s(record.get("votetitle")), *(_s(x) for x in items)]
            if isinstance(items, list)
            else [_s(record.get("votetitle"))]
        )
    if msgtype == "collect":
        payload = record.get("collect") or {}
        if not isinstance(payload, Mapping):
            return ""
        details = payload.get("details")
        ques = [_s(d.get("ques")) for d in details if isinstance(d, Mapping)] if isinstance(details, list) else []
        return _join([_s(payload.get("title")), *ques])
    if msgtype == "voiptext":
        payload = record.get("voiptext") or {}
        return _s(payload.get("content")) if isinstance(payload, Mapping) else ""
    return ""


def file_name(payload: Mapping[str, Any]) -> str:
    """The name of a file message, with `fileext` appended when the name does not already end in it
    (the extension is what says whether the file can run)."""
    name = _s(payload.get("filename"))
    ext = _s(payload.get("fileext")).lstrip(".")
    if ext and not name.lower().endswith("." + ext.lower()):
        return f"{name}.{ext}" if name else f".{ext}"
    return name


def side_of(sender: str) -> str:
    return "customer" if sender.startswith(CUSTOMER_PREFIXES) else "staff"


def is_internal_group(sender: str, receivers: Iterable[Any], roomid: str) -> bool:
    """A group chat whose people are all staff: in a group `tolist` holds everyone else in the room,
    so no customer id among the sender and the receivers means an internal group. Unknown
    receivers (an empty list) do not count as internal."""
    if not roomid or not sender:
        return False
    people = [r for r in receivers if isinstance(r, str) and r]
    if not people:
        return False
    return side_of(sender) == "staff" and all(side_of(r) == "staff" for r in people)


def message_from_archive(
    record: Mapping[str, Any], *, side: str | None = None, department_id: int | None = None
) -> Message | None:
    """Engine Message for a decrypted archive record, or None when it carries no text (recall,
    switch, media…) or has no msgid. The side is guessed from the sender id unless given."""
    msgid = record.get("msgid")
    if not isinstance(msgid, str) or not msgid:
        return None
    if record.get("action", "send") != "send":
        return None
    text = extract_text(record)
    if not text:
        return None
    sender = _s(record.get("from"))
    roomid = _s(record.get("roomid"))
    msgtime = record.get("msgtime")
    receivers = record.get("tolist")
    return Message(
        msgid=msgid,
        text=text,
        sender=sender,
        side=side or side_of(sender),
        chat_type="group" if roomid else "single",
        roomid=roomid,
        msgtime=msgtime if isinstance(msgtime, int) and not isinstance(msgtime, bool) else 0,
        department_id=department_id,
        msgtype=str(record.get("msgtype") or ""),
        internal=is_internal_group(sender, receivers if isinstance(receivers, list) else (), roomid),
    )
