"""Full sync from WeCom: departments and members → org; corp tags, customers → customers; customer groups and
known internal groups (part "rooms", archive secret) → groups.

    from zhidu.wecom.sync import sync_all
    counts = sync_all()                          # clients from settings (WECOM_* secrets)
    counts = sync_all(client_factory=factory)    # factory(kind) -> WeComClient, kind in {"contact", "customer"}

Each part reads everything it needs from WeCom first, then compares with what is stored and writes
only the differences (org through the org services, customers and groups through their services), so
a second run changes nothing and writes no audit events. Writes are audited with the system actor
label "wecom-sync".

Roles come from position titles (`RoleRule` rows in the admin, else settings.WECOM_ROLE_RULES, else
`DEFAULT_ROLE_RULES`); department leaders are at least supervisors; a role set by hand
(`role_locked`) is never changed. A member reports to the leader of their department; a leader
reports to the leader of the nearest department above the one they lead; WeCom's explicit direct
leader (直属上级) wins when it is set and fits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhidu.core.models import AuditEvent
from zhidu.customers.services import (
    SYNC_ACTOR,
    CustomerData,
    FollowData,
    TagData,
    TagGroupData,
    customers_apply,
    tags_apply,
)
from zhidu.groups.conventions import conventions_check_chats
from zhidu.groups.models import WECOM_GROUP_STATUS, GroupChat, GroupKind, GroupStatus
from zhidu.groups.moderation import bans_check_all
from zhidu.groups.services import GroupData, GroupMemberData, groups_apply
from zhidu.org.models import Department, Member, MemberStatus, Role
from zhidu.org.services import (
    department_create,
    department_update,
    member_create,
    member_reinstate,
    member_remove,
    member_update,
)

from .models import RoleRule, SyncRun

log = logging.getLogger(__name__)

PARTS = ("contacts", "tags", "customers", "groups", "rooms")
DEFAULT_ROLE_RULES: list[tuple[str, str]] = [
    ("风控", Role.COMPLIANCE),
    ("质检", Role.COMPLIANCE),
    ("合规", Role.COMPLIANCE),
    ("管理员", Role.ADMIN),
    ("总监", Role.DIRECTOR),
    ("经理", Role.MANAGER),
    ("主管", Role.SUPERVISOR),
    ("组长", Role.SUPERVISOR),
]
REMOVED_REASON = "No longer in WeCom (sync)."
REINSTATED_REASON = "Back in WeCom (sync)."
WECOM_LEFT = 5  # user status: left the corp
GROUP_FETCH_THREADS = 4

ClientFactory = Callable[[str], Any]


# --- clients and progress -----------------------------------------------------------------------


def default_client_factory(kind: str) -> Any:
    """A WeComClient for one secret: "contact" (通讯录同步), "customer" (客户联系), "app" (self-built app)."""
    from .client import WeComClient

    secrets = {
        "contact": settings.WECOM_CONTACT_SECRET or settings.WECOM_APP_SECRET,
        "customer": settings.WECOM_CUSTOMER_SECRET or settings.WECOM_APP_SECRET,
        "app": settings.WECOM_APP_SECRET,
        "archive": settings.WECOM_ARCHIVE_SECRET,
    }
    return WeComClient(settings.WECOM_CORP_ID, secrets[kind], base_url=settings.WECOM_API_BASE)


class Progress:
    """A progress bar on a terminal, plain lines otherwise (or nothing without a stream)."""

    def __init__(self, stream: TextIO | None) -> None:
        # Django's OutputWrapper appends a newline to every write; the bar needs the raw stream.
        self.stream = getattr(stream, "_out", stream)
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self._last = 0.0

    def line(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text + "\n")
            self.stream.flush()

    def step(self, label: str, done: int, total: int) -> None:
        if not self.tty or self.stream is None:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = int(width * done / total) if total else width
        self.stream.write(f"\r{label:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


# --- roles and reporting lines ------------------------------------------------------------------


def role_rules() -> list[tuple[str, str]]:
    rows = list(RoleRule.objects.filter(active=True).values_list("keyword", "role"))
    if rows:
        return rows
    return list(getattr(settings, "WECOM_ROLE_RULES", None) or DEFAULT_ROLE_RULES)


def map_role(position: str, *, is_leader: bool, rules: Sequence[tuple[str, str]]) -> str:
    """The role for a WeCom position title: the first rule whose keyword occurs; leaders at least supervisor."""
    role: str = Role.SALES
    for keyword, mapped in rules:
        if keyword and keyword in (position or ""):
            role = mapped
            break
    if is_leader and role == Role.SALES:
        role = Role.SUPERVISOR
    return role


def compute_leads(users: Sequence[Any], departments: Sequence[Any]) -> dict[str, str | None]:
    """userid → the userid they report to (or None).

    WeCom's explicit direct leader (直属上级) wins when set. Otherwise a member reports to the first
    leader of their main department, and someone who leads departments reports to the leader of the
    nearest department above the topmost one they lead (walking further up while a department has no
    leader). A lead whose main department does not contain the member's is skipped (the org rule), and
    any cycle is cut.
    """
    parent = {d.id: d.parentid for d in departments}
    known = set(parent)
    leaders: dict[int, list[str]] = {d.id: list(d.department_leader) for d in departments}
    user_ids = {u.userid for u in users}
    for u in users:
        for dept_id, flag in zip(u.department, u.is_leader_in_dept, strict=False):
            if flag and dept_id in leaders and u.userid not in leaders[dept_id]:
                leaders[dept_id].append(u.userid)
    main = {u.userid: _main_department(u, known) for u in users}

    def depth(dept_id: int) -> int:
        n, current = 0, dept_id
        while current in parent and n < 64:
            current, n = parent[current], n + 1
        return n

    def contains(ancestor: int | None, dept_id: int | None) -> bool:
        current, n = dept_id, 0
        while current is not None and n < 64:
            if current == ancestor:
                return True
            current, n = parent.get(current), n + 1
        return False

    led_by: dict[str, list[int]] = {}
    for dept_id, ids in leaders.items():
        for userid in ids:
            led_by.setdefault(userid, []).append(dept_id)

    def usable(candidate: str, userid: str) -> bool:
        return candidate != userid and candidate in user_ids and contains(main[candidate], main[userid])

    out: dict[str, str | None] = {}
    for u in users:
        # WeCom's explicit 直属上级 first, when it fits the org rule.
        lead: str | None = next((c for c in (getattr(u, "direct_leader", None) or []) if usable(c, u.userid)), None)
        led = [d for d in led_by.get(u.userid, []) if d in known]
        current: int | None = parent.get(min(led, key=depth)) if led else main[u.userid]
        steps = 0
        while lead is None and current is not None and current in known and steps < 64:
            lead = next((c for c in leaders.get(current, []) if usable(c, u.userid)), None)
            current, steps = parent.get(current), steps + 1
        out[u.userid] = lead
    # Cut cycles (possible with unusual leader data): walk each chain; a repeat drops the edge.
    for userid in list(out):
        seen = {userid}
        next_up = out[userid]
        while next_up is not None:
            if next_up in seen:
                out[userid] = None
                break
            seen.add(next_up)
            next_up = out.get(next_up)
    return out


def _main_department(user: Any, known: set[int]) -> int | None:
    if user.main_department in known:
        return int(user.main_department)
    for dept_id in user.department:
        if dept_id in known:
            return int(dept_id)
    return None


def _lead_order(leads: dict[str, str | None]) -> list[str]:
    """Userids ordered so that everyone comes after the person they report to."""
    depth: dict[str, int] = {}

    def level(userid: str) -> int:
        if userid in depth:
            return depth[userid]
        chain: list[str] = []
        current: str | None = userid
        while current is not None and current not in depth and len(chain) < 10_000:
            chain.append(current)
            current = leads.get(current)
        base = depth.get(current, -1) if current is not None else -1
        for offset, item in enumerate(reversed(chain), start=1):
            depth[item] = base + offset
        return depth[userid]

    return sorted(leads, key=lambda u: (level(u), u))


# --- contacts -----------------------------------------------------------------------------------


def sync_contacts(client: Any, *, progress: Progress | None = None) -> dict[str, int]:
    """Departments and members → org (through the org services). Absent users are marked removed."""
    progress = progress or Progress(None)
    departments = client.department_list().department
    known = {d.id for d in departments}
    roots = [d for d in departments if d.parentid not in known]
    users_by_id: dict[str, Any] = {}
    for root in roots:
        for user in client.user_list(root.id, fetch_child=True).userlist:
            users_by_id.setdefault(user.userid, user)
    users = [u for u in users_by_id.values() if u.status != WECOM_LEFT]
    counts = {
        "departments_created": 0,
        "departments_updated": 0,
        "members_created": 0,
        "members_updated": 0,
        "members_removed": 0,
        "members_reinstated": 0,
        "members_skipped": 0,
    }
    with transaction.atomic():
        dept_map = _apply_departments(departments, counts)
        _apply_members(users, departments, dept_map, counts, progress)
    return counts


def _apply_departments(departments: Sequence[Any], counts: dict[str, int]) -> dict[int, Department]:
    stored: dict[int, Department] = {
        d.wecom_id: d for d in Department.objects.exclude(wecom_id=None) if d.wecom_id is not None
    }
    by_id = {d.id: d for d in departments}
    depth: dict[int, int] = {}
    for d in departments:
        n, current = 0, d.id
        while current in by_id and n < 64:
            current, n = by_id[current].parentid, n + 1
        depth[d.id] = n
    for d in sorted(departments, key=lambda d: (depth[d.id], d.id)):
        parent = stored.get(d.parentid) if d.parentid in by_id else None
        name = (d.name or f"#{d.id}").strip()
        obj = stored.get(d.id)
        if obj is None:
            stored[d.id] = department_create(
                actor=None, name=name, parent=parent, wecom_id=d.id, order=d.order, actor_label=SYNC_ACTOR
            )
            counts["departments_created"] += 1
        elif (obj.name, obj.parent_id, obj.order) != (name, parent.pk if parent else None, d.order):
            department_update(
                actor=None, department=obj, name=name, parent=parent, order=d.order, actor_label=SYNC_ACTOR
            )
            counts["departments_updated"] += 1
    return stored


def _apply_members(
    users: Sequence[Any],
    departments: Sequence[Any],
    dept_map: dict[int, Department],
    counts: dict[str, int],
    progress: Progress,
) -> None:
    rules = role_rules()
    known = {d.id for d in departments}
    leaders = {userid for d in departments for userid in d.department_leader}
    leads = compute_leads(users, departments)
    by_userid = {u.userid: u for u in users}
    members: dict[str, Member] = {
        m.wecom_userid: m
        for m in Member.objects.exclude(wecom_userid=None).select_related("reports_to")
        if m.wecom_userid
    }
    order = _lead_order(leads)
    for done, userid in enumerate(order, start=1):
        progress.step("members", done, len(order))
        u = by_userid[userid]
        main = _main_department(u, known)
        department = dept_map.get(main) if main is not None else None
        if department is None:
            counts["members_skipped"] += 1
            continue
        is_leader = userid in leaders or any(u.is_leader_in_dept)
        role = map_role(u.position, is_leader=is_leader, rules=rules)
        lead_userid = leads.get(userid)
        lead = members.get(lead_userid) if lead_userid else None
        member = members.get(userid)
        if member is None:
            members[userid] = member_create(
                actor=None,
                name=u.name or userid,
                department=department,
                role=role,
                reports_to=lead,
                wecom_userid=userid,
                position=u.position,
                mobile=u.mobile,
                email=u.email,
                actor_label=SYNC_ACTOR,
            )
            counts["members_created"] += 1
            continue
        if member.status == MemberStatus.REMOVED and _removed_by_sync(member):
            member_reinstate(actor=None, member=member, reason=REINSTATED_REASON, actor_label=SYNC_ACTOR)
            member.refresh_from_db()
            counts["members_reinstated"] += 1
        wanted = {
            "name": u.name or member.name,
            "role": member.role if member.role_locked else role,
            "department_id": department.pk,
            "reports_to_id": lead.pk if lead else None,
            "position": u.position,
            "mobile": u.mobile or member.mobile,  # sensitive fields may be withheld: keep what we have
            "email": u.email or member.email,
        }
        if all(getattr(member, k) == v for k, v in wanted.items()):
            continue
        member_update(
            actor=None,
            member=member,
            name=wanted["name"],
            role=role,
            department=department,
            reports_to=lead,
            position=u.position,
            mobile=wanted["mobile"],
            email=wanted["email"],
            by_sync=True,
        )
        counts["members_updated"] += 1
    present = set(by_userid)
    for userid, member in members.items():
        if userid not in present and member.status != MemberStatus.REMOVED:
            member_remove(actor=None, member=member, reason=REMOVED_REASON, actor_label=SYNC_ACTOR)
            counts["members_removed"] += 1


def _removed_by_sync(member: Member) -> bool:
    last = (
        AuditEvent.objects.filter(
            target_type="org.member",
            target_id=str(member.pk),
            verb__in=["member.remove", "member.reinstate", "member.suspend"],
        )
        .order_by("-at", "-id")
        .first()
    )
    return last is not None and last.verb == "member.remove" and last.actor_label == SYNC_ACTOR


# --- tags, customers, groups --------------------------------------------------------------------


def tag_groups_from(response: Any) -> list[TagGroupData]:
    return [
        TagGroupData(
            wecom_id=g.group_id,
            name=g.group_name,
            order=g.order,
            deleted=bool(g.deleted),
            tags=tuple(TagData(wecom_id=t.id, name=t.name, order=t.order, deleted=bool(t.deleted)) for t in g.tag),
        )
        for g in response.tag_group
    ]


def sync_tags(client: Any, *, progress: Progress | None = None) -> dict[str, int]:
    return tags_apply(groups=tag_groups_from(client.get_corp_tag_list()), complete=True)


def customer_data(c: Any) -> CustomerData:
    return CustomerData(
        external_userid=c.external_userid,
        name=c.name,
        type=c.type,
        avatar=c.avatar,
        gender=c.gender,
        unionid=c.unionid,
        position=c.position,
        corp_name=c.corp_name,
        corp_full_name=c.corp_full_name,
    )


def follow_data(external_userid: str, f: Any, tag_ids: Iterable[str]) -> FollowData:
    return FollowData(
        external_userid=external_userid,
        userid=f.userid,
        remark=f.remark,
        description=f.description,
        remark_corp_name=f.remark_corp_name,
        remark_mobiles=tuple(f.remark_mobiles),
        tag_ids=tuple(tag_ids),
        add_way=f.add_way,
        createtime=f.createtime,
        oper_userid=f.oper_userid,
        state=f.state,
    )


def sync_customers(client: Any, *, progress: Progress | None = None) -> dict[str, Any]:
    """Every customer of every member with customer-contact rights (batch/get_by_user, followed cursors)."""
    progress = progress or Progress(None)
    started = time.monotonic()
    follow_users = list(client.get_follow_user_list().follow_user)
    customers: dict[str, CustomerData] = {}
    follows: list[FollowData] = []
    chunks = [follow_users[i : i + 100] for i in range(0, len(follow_users), 100)]

    def fetch(chunk: list[str]) -> list[Any]:
        return list(client.iter_batch_get_by_user(chunk))

    with ThreadPoolExecutor(max_workers=min(GROUP_FETCH_THREADS, max(len(chunks), 1))) as pool:
        for done, pairs in enumerate(pool.map(fetch, chunks), start=1):
            for pair in pairs:
                c = pair.external_contact
                customers.setdefault(c.external_userid, customer_data(c))
                follows.append(follow_data(c.external_userid, pair.follow_info, pair.follow_info.tag_id))
            progress.step("customers", min(done * 100, len(follow_users)), len(follow_users))
    fetched = time.monotonic()
    counts: dict[str, Any] = customers_apply(
        customers=customers.values(), follows=follows, complete_userids=follow_users
    )
    counts["fetch_seconds"] = round(fetched - started, 2)
    counts["customers_seen"] = len(customers)
    counts["follows_seen"] = len(follows)
    return counts


def group_data(detail: Any, status: str = GroupStatus.NORMAL) -> GroupData:
    return GroupData(
        chat_id=detail.chat_id,
        name=detail.name,
        owner_userid=detail.owner,
        create_time=detail.create_time,
        notice=detail.notice,
        member_version=detail.member_version,
        status=status,
        admin_userids=tuple(a.userid for a in detail.admin_list),
        members=tuple(
            GroupMemberData(
                userid=m.userid,
                type=m.type,
                join_time=m.join_time,
                join_scene=m.join_scene,
                invitor_userid=m.invitor.userid if m.invitor else "",
                group_nickname=m.group_nickname,
                name=m.name,
                unionid=m.unionid,
                state=m.state,
            )
            for m in detail.member_list
        ),
    )


def _list_groups(client: Any) -> tuple[list[Any], bool]:
    """(every group chat item, whether the list is complete). Falls back to an owner filter on 81017."""
    from .client import WeComError

    try:
        return list(client.iter_groupchat_list()), True
    except WeComError as exc:
        if exc.errcode != 81017:  # too many visible members: name the owners explicitly
            raise
    owners = sorted({u for u in Member.objects.exclude(wecom_userid=None).values_list("wecom_userid", flat=True) if u})
    # Groups of owners we do not know are missing from this list: do not mark anything dismissed.
    return list(client.iter_groupchat_list(owner_userids=owners)), False


def sync_groups(client: Any, *, progress: Progress | None = None, full: bool = False) -> dict[str, Any]:
    """Every customer group with owner, admins and members (groupchat/list + groupchat/get need_name=1)."""
    progress = progress or Progress(None)
    started = time.monotonic()
    items, complete = _list_groups(client)
    status = {i.chat_id: WECOM_GROUP_STATUS.get(i.status, GroupStatus.NORMAL) for i in items}
    groups: list[GroupData] = []

    def fetch(chat_id: str) -> Any:
        return client.groupchat_get(chat_id, need_name=True).group_chat

    with ThreadPoolExecutor(max_workers=GROUP_FETCH_THREADS) as pool:
        for done, detail in enumerate(pool.map(fetch, list(status)), start=1):
            groups.append(group_data(detail, status[detail.chat_id]))
            progress.step("groups", done, len(status))
    fetched = time.monotonic()
    counts: dict[str, Any] = groups_apply(groups=groups, complete=complete, force_members=full)
    conventions_check_chats(chat_ids=list(status))  # names, nicknames and admins of the groups just written
    counts["ban_alerts"] = len(bans_check_all())
    counts["fetch_seconds"] = round(fetched - started, 2)
    counts["groups_seen"] = len(groups)
    return counts


def sync_rooms(client_for: Callable[[str], Any], *, progress: Progress | None = None) -> dict[str, Any]:
    """Known internal groups (内部群) read again with `msgaudit/groupchat/get` (archive secret); skipped when
    no archive secret is configured. New internal groups come from the archive (`rooms.internal_rooms_sync`)."""
    from .rooms import internal_rooms_refresh

    known = GroupChat.objects.filter(kind=GroupKind.INTERNAL).exclude(status=GroupStatus.DISMISSED).exists()
    if not known or not settings.WECOM_ARCHIVE_SECRET:
        return {"rooms_skipped": 1}
    return internal_rooms_refresh(client_for("archive"))


# --- everything ---------------------------------------------------------------------------------


def sync_all(
    client_factory: ClientFactory | None = None,
    stdout: TextIO | None = None,
    *,
    what: Iterable[str] = PARTS,
    full: bool = False,
) -> dict[str, Any]:
    """Run the chosen parts (contacts, tags, customers, groups) in that order; returns counts per part.

    Records a `SyncRun`. Raises the first error after recording it.
    """
    parts = [p for p in PARTS if p in set(what)]
    factory = client_factory or default_client_factory
    progress = Progress(stdout)
    run = SyncRun.objects.create(kind=",".join(parts))
    result: dict[str, Any] = {}
    clients: dict[str, Any] = {}

    def client_for(kind: str) -> Any:
        if kind not in clients:
            clients[kind] = factory(kind)
        return clients[kind]

    started = time.monotonic()
    try:
        for part in parts:
            t0 = time.monotonic()
            progress.line(f"{part}: syncing…")
            if part == "contacts":
                counts = sync_contacts(client_for("contact"), progress=progress)
            elif part == "tags":
                counts = sync_tags(client_for("customer"), progress=progress)
            elif part == "customers":
                counts = sync_customers(client_for("customer"), progress=progress)
            elif part == "rooms":
                counts = sync_rooms(client_for, progress=progress)
            else:
                counts = sync_groups(client_for("customer"), progress=progress, full=full)
            result[part] = {**counts, "seconds": round(time.monotonic() - t0, 2)}
            progress.line(f"{part}: " + ", ".join(f"{k}={v}" for k, v in result[part].items()))
    except Exception as exc:
        run.error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        result["seconds"] = round(time.monotonic() - started, 2)
        run.counts = result
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "finished_at", "error"])
        for client in clients.values():
            close = getattr(client, "close", None)
            if close is not None:
                close()
    return result
