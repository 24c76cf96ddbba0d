"""Internal groups (内部群) from the chat archive's `msgaudit/groupchat/get` into `zhidu.groups`.

WeCom lists customer groups (`externalcontact/groupchat/list`) but not internal ones: we learn of them
from the `roomid` of archived messages. Archive ingestion hands the room ids it does not know to
`internal_rooms_discover` after its batch commits; the full sync (`zhidu wecom sync`, part "rooms")
refreshes the internal groups we already know with `internal_rooms_refresh`.

* A room id that `msgaudit/groupchat/get` refuses (40050) is a customer group not synced yet: it is
  left alone and not asked about again for WECOM_ROOM_RECHECK_SECONDS.
* 301052 / 301053 (archive service expired / not enabled) and credential errors stop the run; any
  other failure of one room is counted and the others go on.
* At most WECOM_ROOMS_PER_RUN rooms are asked about per call; rooms are written in batches through
  `zhidu.groups.services.groups_apply` (idempotent, audited).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache

from zhidu.groups.models import GroupChat, GroupKind, GroupStatus
from zhidu.groups.services import GroupData, GroupMemberData, group_dismiss, groups_apply

from .client import WeComAuthError, WeComError

log = logging.getLogger(__name__)

NOT_INTERNAL = 40050  # msgaudit/groupchat/get: not an internal group (a customer group, or no such room)
STOP_CODES = frozenset({301052, 301053})  # the archive service expired / is not enabled
APPLY_BATCH = 100
REFUSED_KEY = "wecom:room-refused:"


def room_data(roomid: str, room: Any) -> GroupData:
    """`GroupData` for an internal group: owner = the creator while they are a member; no admins."""
    members = tuple(GroupMemberData(userid=m.memberid, type=1, join_time=m.jointime) for m in room.members)
    ids = {m.userid for m in members}
    digest = hashlib.md5(
        ",".join(f"{m.userid}:{m.join_time}" for m in sorted(members, key=lambda m: m.userid)).encode()
    ).hexdigest()
    return GroupData(
        chat_id=roomid,
        name=room.roomname,
        owner_userid=room.creator if room.creator in ids else "",
        create_time=room.room_create_time,
        notice=room.notice,
        member_version=digest,
        kind=GroupKind.INTERNAL,
        creator_userid=room.creator,
        members=members,
    )


def archive_client() -> Any | None:
    """A client with the chat-archive secret, or None when it is not configured."""
    if not (settings.WECOM_CORP_ID and settings.WECOM_ARCHIVE_SECRET):
        return None
    from .client import WeComClient

    return WeComClient(settings.WECOM_CORP_ID, settings.WECOM_ARCHIVE_SECRET, base_url=settings.WECOM_API_BASE)


def _fetch(client: Any, roomids: Sequence[str], counts: dict[str, int]) -> tuple[list[GroupData], list[str]]:
    """(rooms read, room ids refused). Stops early on errors that every further call would meet too."""
    found: list[GroupData] = []
    refused: list[str] = []
    for k, roomid in enumerate(roomids):
        try:
            found.append(room_data(roomid, client.archive_room_get(roomid)))
        except WeComError as exc:
            if exc.errcode == NOT_INTERNAL:
                refused.append(roomid)
                continue
            counts["rooms_failed"] += 1
            log.warning("internal group %s: msgaudit/groupchat/get failed with %s", roomid, exc.errcode)
            if exc.errcode in STOP_CODES or isinstance(exc, WeComAuthError):
                counts["rooms_failed"] += len(roomids) - k - 1
                counts["rooms_stopped"] = exc.errcode
                break
    return found, refused


def _apply(rooms: list[GroupData], counts: dict[str, int]) -> None:
    for start in range(0, len(rooms), APPLY_BATCH):
        result = groups_apply(groups=rooms[start : start + APPLY_BATCH])
        for key in ("groups_created", "groups_updated", "group_members_joined", "group_members_left"):
            counts[key] = counts.get(key, 0) + result[key]


def _counts() -> dict[str, int]:
    return {"rooms_asked": 0, "rooms_synced": 0, "rooms_refused": 0, "rooms_failed": 0}


def internal_rooms_sync(roomids: Iterable[str], *, client: Any | None = None) -> dict[str, int]:
    """Look up room ids seen in the archive that are not known groups; store the internal ones."""
    wanted = sorted({r for r in roomids if r})
    known = set(GroupChat.objects.filter(chat_id__in=wanted).values_list("chat_id", flat=True))
    recheck = cache.get_many([REFUSED_KEY + r for r in wanted if r not in known])
    todo = [r for r in wanted if r not in known and REFUSED_KEY + r not in recheck][: settings.WECOM_ROOMS_PER_RUN]
    counts = _counts()
    if not todo:
        return counts
    own = client is None
    client = client or archive_client()
    if client is None:
        return counts
    try:
        found, refused = _fetch(client, todo, counts)
    finally:
        if own:
            client.close()
    cache.set_many({REFUSED_KEY + r: 1 for r in refused}, timeout=settings.WECOM_ROOM_RECHECK_SECONDS)
    _apply(found, counts)
    counts.update(rooms_asked=len(todo), rooms_synced=len(found), rooms_refused=len(refused))
    return counts


def internal_rooms_discover(roomids: Iterable[str]) -> None:
    """After an archive batch commits: never raises (the archive is stored already; the next batch or
    the full sync tries again)."""
    try:
        counts = internal_rooms_sync(roomids)
    except Exception:
        log.exception("internal group discovery failed")
        return
    if counts["rooms_asked"]:
        log.info("internal groups from the archive: %s", counts)


def internal_rooms_refresh(client: Any) -> dict[str, int]:
    """The full sync's part: every known internal group read again (members joined and left, name, notice).
    A room WeCom no longer knows (40050) is marked dismissed."""
    roomids = list(
        GroupChat.objects.filter(kind=GroupKind.INTERNAL)
        .exclude(status=GroupStatus.DISMISSED)
        .order_by("id")
        .values_list("chat_id", flat=True)
    )
    counts = _counts()
    for start in range(0, len(roomids), APPLY_BATCH):
        chunk = roomids[start : start + APPLY_BATCH]
        found, refused = _fetch(client, chunk, counts)
        _apply(found, counts)
        for roomid in refused:
            group_dismiss(chat_id=roomid)
        counts["rooms_asked"] += len(chunk)
        counts["rooms_synced"] += len(found)
        counts["rooms_refused"] += len(refused)
        if "rooms_stopped" in counts:
            break
    return counts
