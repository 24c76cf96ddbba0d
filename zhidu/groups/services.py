"""Every write to groups (customer groups and internal groups): compared with what is stored, written in
bulk, audited per group.

WeCom is the source of truth. The sync and the callbacks hand over `GroupData`; `groups_apply`
writes only differences, so applying the same data twice writes nothing. Joins and leaves are kept on
the `GroupMember` rows (join_time, left_at); for internal groups, whose membership is the only thing
WeCom tells us about them, each change of members is also an audit event (`group.members`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhidu.core.models import AuditEvent
from zhidu.customers.models import Customer
from zhidu.customers.services import SYNC_ACTOR, audit_event
from zhidu.org.models import Member

from .models import GroupChat, GroupKind, GroupMember, GroupStatus, MemberType

CHUNK = 500
GROUP_FIELDS = [
    *("name", "kind", "creator_userid", "owner_id", "owner_userid", "status", "notice", "created"),
    *("member_version", "dismissed_at"),
]
MEMBER_FIELDS = [
    "type",
    "member_id",
    "customer_id",
    "name",
    "group_nickname",
    "join_time",
    "join_scene",
    "invitor_userid",
    "is_admin",
    "unionid",
    "state",
    "left_at",
]


@dataclass(frozen=True, slots=True)
class GroupMemberData:
    userid: str
    type: int  # 1 staff, 2 external contact (WeCom's codes)
    join_time: int = 0
    join_scene: int = 0
    invitor_userid: str = ""
    group_nickname: str = ""
    name: str = ""
    unionid: str = ""
    state: str = ""


@dataclass(frozen=True, slots=True)
class GroupData:
    chat_id: str
    name: str = ""
    owner_userid: str = ""
    create_time: int = 0
    notice: str = ""
    member_version: str = ""
    status: str = GroupStatus.NORMAL
    admin_userids: tuple[str, ...] = ()
    members: tuple[GroupMemberData, ...] = ()
    kind: str = GroupKind.CUSTOMER
    creator_userid: str = ""


def _ts(seconds: int) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC) if seconds else None


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _snap(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


@transaction.atomic
def groups_apply(
    *, groups: Iterable[GroupData], complete: bool = False, force_members: bool = False, actor_label: str = SYNC_ACTOR
) -> dict[str, int]:
    """Make stored groups and their members match WeCom's data.

    A group whose `member_version` and admin list did not change keeps its member rows untouched
    (unless `force_members`).
    With `complete` (the list is every customer group WeCom has), stored customer groups not listed are
    marked dismissed; internal groups are never listed by `groupchat/list` and stay as they are.
    """
    incoming = {g.chat_id: g for g in groups if g.chat_id}
    now = timezone.now()
    counts = {
        "groups_created": 0,
        "groups_updated": 0,
        "groups_unchanged": 0,
        "groups_dismissed": 0,
        "groups_members_skipped": 0,
        "group_members_joined": 0,
        "group_members_updated": 0,
        "group_members_left": 0,
    }
    members_by_userid: dict[str, int] = {
        u: pk for u, pk in Member.objects.exclude(wecom_userid=None).values_list("wecom_userid", "pk") if u
    }
    audits: list[AuditEvent] = []

    stored: dict[str, GroupChat] = {}
    for chunk in _chunks(list(incoming)):
        for group in GroupChat.objects.filter(chat_id__in=chunk):
            stored[group.chat_id] = group
    stored_admins: dict[int, set[str]] = {}
    for chunk in _chunks([g.pk for g in stored.values()]):
        rows = GroupMember.objects.filter(group_id__in=chunk, is_admin=True, left_at=None)
        for group_id, userid in rows.values_list("group_id", "userid"):
            stored_admins.setdefault(group_id, set()).add(userid)

    to_create: list[GroupChat] = []
    to_update: list[GroupChat] = []
    refresh_members: list[GroupData] = []
    for chat_id, data in incoming.items():
        values = {
            "name": data.name[:200],
            "kind": data.kind,
            "creator_userid": data.creator_userid[:64],
            "owner_id": members_by_userid.get(data.owner_userid),
            "owner_userid": data.owner_userid[:64],
            "status": data.status,
            "notice": data.notice,
            "created": _ts(data.create_time),
            "member_version": data.member_version[:64],
            "dismissed_at": None,
        }
        found = stored.get(chat_id)
        if found is None:
            to_create.append(GroupChat(chat_id=chat_id, **values))
            refresh_members.append(data)
            continue
        group = found
        before = _snap(group, GROUP_FIELDS)
        same_members = (
            not force_members
            and bool(data.member_version)
            and data.member_version == group.member_version
            and set(data.admin_userids) == stored_admins.get(group.pk, set())
        )
        if same_members:
            counts["groups_members_skipped"] += 1
        else:
            refresh_members.append(data)
        if before == values:
            counts["groups_unchanged"] += 1
            continue
        for name, value in values.items():
            setattr(group, name, value)
        group.updated_at = now
        to_update.append(group)
        audits.append(audit_event(verb="group.update", obj=group, before=before, after=values, actor_label=actor_label))

    GroupChat.objects.bulk_create(to_create, batch_size=CHUNK)
    GroupChat.objects.bulk_update(to_update, [*GROUP_FIELDS, "updated_at"], batch_size=CHUNK)
    for group in to_create:
        stored[group.chat_id] = group
        audits.append(
            audit_event(
                verb="group.create", obj=group, before=None, after=_snap(group, GROUP_FIELDS), actor_label=actor_label
            )
        )
    counts["groups_created"], counts["groups_updated"] = len(to_create), len(to_update)

    if complete:
        gone = (
            GroupChat.objects.filter(kind=GroupKind.CUSTOMER)
            .exclude(chat_id__in=list(incoming))
            .exclude(status=GroupStatus.DISMISSED)
        )
        for group in gone:
            counts["groups_dismissed"] += _dismiss(group, now, audits, actor_label)

    _apply_members(refresh_members, stored, members_by_userid, now, counts, audits, actor_label)
    AuditEvent.objects.bulk_create(audits, batch_size=CHUNK)
    return counts


def _apply_members(
    refresh: list[GroupData],
    stored: dict[str, GroupChat],
    members_by_userid: dict[str, int],
    now: dt.datetime,
    counts: dict[str, int],
    audits: list[AuditEvent],
    actor_label: str,
) -> None:
    if not refresh:
        return
    external_ids = {m.userid for g in refresh for m in g.members if m.type == 2}
    customers: dict[str, int] = {}
    for chunk in _chunks(list(external_ids)):
        customers.update(Customer.objects.filter(external_userid__in=chunk).values_list("external_userid", "pk"))
    group_ids = [stored[g.chat_id].pk for g in refresh]
    existing: dict[int, dict[str, GroupMember]] = {}
    for chunk in _chunks(group_ids):
        for row in GroupMember.objects.filter(group_id__in=chunk):
            existing.setdefault(row.group_id, {})[row.userid] = row
    to_create: list[GroupMember] = []
    to_update: list[GroupMember] = []
    for data in refresh:
        group = stored[data.chat_id]
        rows = existing.get(group.pk, {})
        admins = set(data.admin_userids)
        seen: set[str] = set()
        joined: list[str] = []
        left: list[str] = []
        for m in data.members:
            if not m.userid or m.userid in seen:
                continue
            seen.add(m.userid)
            staff = m.type == 1
            values = {
                "type": MemberType.STAFF if staff else MemberType.CUSTOMER,
                "member_id": members_by_userid.get(m.userid) if staff else None,
                "customer_id": None if staff else customers.get(m.userid),
                "name": m.name[:200],
                "group_nickname": m.group_nickname[:200],
                "join_time": _ts(m.join_time),
                "join_scene": m.join_scene if m.join_scene in (0, 1, 2, 3) else 0,
                "invitor_userid": m.invitor_userid[:64],
                "is_admin": m.userid in admins,
                "unionid": m.unionid[:64],
                "state": m.state[:100],
                "left_at": None,
            }
            existing_row = rows.get(m.userid)
            if existing_row is None:
                to_create.append(GroupMember(group_id=group.pk, userid=m.userid, **values))
                counts["group_members_joined"] += 1
                joined.append(m.userid)
                continue
            row = existing_row
            if _snap(row, MEMBER_FIELDS) == values:
                continue
            if row.left_at is not None:
                counts["group_members_joined"] += 1
                joined.append(m.userid)
            else:
                counts["group_members_updated"] += 1
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = now
            to_update.append(row)
        for userid, row in rows.items():
            if userid not in seen and row.left_at is None:
                row.left_at, row.is_admin, row.updated_at = now, False, now
                to_update.append(row)
                counts["group_members_left"] += 1
                left.append(userid)
        if group.kind == GroupKind.INTERNAL and (joined or left):
            audits.append(
                audit_event(
                    verb="group.members",
                    obj=group,
                    before={"left": sorted(left)},
                    after={"joined": sorted(joined)},
                    actor_label=actor_label,
                )
            )
    GroupMember.objects.bulk_create(to_create, batch_size=CHUNK)
    GroupMember.objects.bulk_update(to_update, [*MEMBER_FIELDS, "updated_at"], batch_size=CHUNK)


def _dismiss(group: GroupChat, now: dt.datetime, audits: list[AuditEvent], actor_label: str) -> int:
    if group.status == GroupStatus.DISMISSED:
        return 0
    before = {"status": group.status, "dismissed_at": None}
    group.status, group.dismissed_at = GroupStatus.DISMISSED, now
    group.save(update_fields=["status", "dismissed_at", "updated_at"])
    GroupMember.objects.filter(group=group, left_at=None).update(left_at=now, updated_at=now)
    audits.append(
        audit_event(
            verb="group.dismiss",
            obj=group,
            before=before,
            after={"status": GroupStatus.DISMISSED, "dismissed_at": now},
            actor_label=actor_label,
        )
    )
    return 1


@transaction.atomic
def group_dismiss(*, chat_id: str, actor_label: str = SYNC_ACTOR) -> bool:
    """The group was dismissed in WeCom. Returns True if something changed (a replay changes nothing)."""
    group = GroupChat.objects.select_for_update().filter(chat_id=chat_id).first()
    if group is None:
        return False
    audits: list[AuditEvent] = []
    changed = _dismiss(group, timezone.now(), audits, actor_label)
    AuditEvent.objects.bulk_create(audits)
    return bool(changed)
