"""Every write to customers, follow relations and corp tags: validated, in one transaction, audited.

WeCom is the source of truth for these records. The WeCom sync and the callbacks hand over plain
data (`CustomerData`, `FollowData`, `TagGroupData`); the functions here compare it with what is
stored and write only the differences, in bulk, with one audit event per changed record. Running the
same input twice writes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent
from zhidu.org.models import Member

from .models import Customer, FollowEnd, FollowRelation, Tag, TagGroup

SYNC_ACTOR = "wecom-sync"
CHUNK = 500

ERR_NO_EXTERNAL_USERID = gettext_noop("A customer needs an external userid.")
ERR_UNKNOWN_CUSTOMER = gettext_noop("Unknown customer {external_userid!r}.")
ERR_END_REASON = gettext_noop("Unknown end reason {reason!r}.")

CUSTOMER_FIELDS = ["name", "type", "avatar", "gender", "unionid", "position", "corp_name", "corp_full_name"]
FOLLOW_FIELDS = [
    "remark",
    "description",
    "remark_corp_name",
    "remark_mobiles",
    "add_way",
    "createtime",
    "oper_userid",
    "state",
    "deleted",
    "end_reason",
]


# --- plain input data ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerData:
    external_userid: str
    name: str = ""
    type: int = 1
    avatar: str = ""
    gender: int = 0
    unionid: str = ""
    position: str = ""
    corp_name: str = ""
    corp_full_name: str = ""


@dataclass(frozen=True, slots=True)
class FollowData:
    external_userid: str
    userid: str
    remark: str = ""
    description: str = ""
    remark_corp_name: str = ""
    remark_mobiles: tuple[str, ...] = ()
    tag_ids: tuple[str, ...] = ()
    add_way: int = 0
    createtime: int = 0  # unix seconds
    oper_userid: str = ""
    state: str = ""


@dataclass(frozen=True, slots=True)
class TagData:
    wecom_id: str
    name: str
    order: int = 0
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class TagGroupData:
    wecom_id: str
    name: str
    order: int = 0
    deleted: bool = False
    tags: tuple[TagData, ...] = ()


# --- helpers ------------------------------------------------------------------------------------


def _ts(seconds: int) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC) if seconds else None


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def audit_event(
    *,
    verb: str,
    obj: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor_label: str = SYNC_ACTOR,
    reason: str = "",
    label: str | None = None,
) -> AuditEvent:
    """An unsaved AuditEvent shaped exactly like `zhidu.core.audit.audit_record` writes (for bulk_create).

    Give `label` when `str(obj)` would query related rows.
    """
    return AuditEvent(
        actor=None,
        actor_label=actor_label,
        verb=verb,
        target_type=f"{obj._meta.app_label}.{obj._meta.model_name}",
        target_id=str(obj.pk),
        target_label=(str(obj) if label is None else label)[:200],
        before={k: _json(v) for k, v in before.items()} if before is not None else None,
        after={k: _json(v) for k, v in after.items()} if after is not None else None,
        reason=reason,
    )


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _snap(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _customer_values(data: CustomerData) -> dict[str, Any]:
    return {
        "name": data.name[:200],
        "type": data.type if data.type in (1, 2) else 1,
        "avatar": data.avatar[:500],
        "gender": data.gender if data.gender in (0, 1, 2) else 0,
        "unionid": data.unionid[:64],
        "position": data.position[:100],
        "corp_name": data.corp_name[:100],
        "corp_full_name": data.corp_full_name[:200],
    }


def _follow_values(data: FollowData) -> dict[str, Any]:
    return {
        "remark": data.remark[:100],
        "description": data.description,
        "remark_corp_name": data.remark_corp_name[:100],
        "remark_mobiles": list(data.remark_mobiles),
        "add_way": data.add_way,
        "createtime": _ts(data.createtime),
        "oper_userid": data.oper_userid[:64],
        "state": data.state[:100],
        "deleted": False,
        "end_reason": FollowEnd.NONE,
    }


# --- customers and follow relations -------------------------------------------------------------


@transaction.atomic
def customers_apply(
    *,
    customers: Iterable[CustomerData],
    follows: Iterable[FollowData],
    complete_userids: Iterable[str] = (),
    complete_external_userids: Iterable[str] = (),
    actor_label: str = SYNC_ACTOR,
) -> dict[str, int]:
    """Make the stored customers and follow relations match WeCom's data.

    `customers` and `follows` are what WeCom returned. A stored active follow relation that WeCom did
    not return ends (reason "absent") when its member is in `complete_userids` (their whole customer
    list was fetched) or its customer is in `complete_external_userids` (their whole follower list
    was fetched). Follow relations of userids that are not members here are skipped and counted.
    Returns counts: customers_created/updated, follows_created/updated/ended, follows_skipped.

    Stored rows are read as values (no model instances, no per-row queries); only changed rows are
    written, in bulk.
    """
    incoming = {c.external_userid: c for c in customers if c.external_userid}
    follow_list = [f for f in follows if f.external_userid and f.userid]
    for f in follow_list:
        if f.external_userid not in incoming:
            raise DomainError(ERR_UNKNOWN_CUSTOMER, field="external_userid", external_userid=f.external_userid)
    now = timezone.now()
    audits: list[AuditEvent] = []
    counts = {
        "customers_created": 0,
        "customers_updated": 0,
        "follows_created": 0,
        "follows_updated": 0,
        "follows_ended": 0,
        "follows_skipped": 0,
    }

    # Customers: compare stored values, create the new, update the changed.
    stored: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(incoming)):
        for row in Customer.objects.filter(external_userid__in=chunk).values("pk", "external_userid", *CUSTOMER_FIELDS):
            stored[row["external_userid"]] = row
    to_create = [
        Customer(external_userid=eid, **_customer_values(data)) for eid, data in incoming.items() if eid not in stored
    ]
    to_update: list[Customer] = []
    for eid, row in stored.items():
        values = _customer_values(incoming[eid])
        before = {k: row[k] for k in CUSTOMER_FIELDS}
        if before != values:
            customer = Customer(pk=row["pk"], external_userid=eid, updated_at=now, **values)
            to_update.append(customer)
            audits.append(
                audit_event(verb="customer.update", obj=customer, before=before, after=values, actor_label=actor_label)
            )
    Customer.objects.bulk_create(to_create, batch_size=CHUNK)
    Customer.objects.bulk_update(to_update, [*CUSTOMER_FIELDS, "updated_at"], batch_size=CHUNK)
    customer_ids = {eid: row["pk"] for eid, row in stored.items()}
    names = {row["pk"]: row["name"] or eid for eid, row in stored.items()}
    for customer in to_create:
        customer_ids[customer.external_userid] = customer.pk
        names[customer.pk] = str(customer)
        audits.append(
            audit_event(
                verb="customer.create",
                obj=customer,
                before=None,
                after=_snap(customer, CUSTOMER_FIELDS),
                actor_label=actor_label,
            )
        )
    counts["customers_created"], counts["customers_updated"] = len(to_create), len(to_update)

    # Follow relations, compared as values (tags as sets of ids).
    members = {
        u: (pk, name)
        for u, pk, name in Member.objects.exclude(wecom_userid=None).values_list("wecom_userid", "pk", "name")
        if u
    }
    member_names = {pk: name for pk, name in members.values()}
    tag_ids = dict(Tag.objects.values_list("wecom_id", "pk"))
    existing: dict[tuple[int, int], dict[str, Any]] = {}
    existing_tags: dict[int, set[int]] = {}
    for chunk in _chunks(list(customer_ids.values())):
        rows = FollowRelation.objects.filter(customer_id__in=chunk).values(
            "pk", "customer_id", "member_id", *FOLLOW_FIELDS
        )
        for row in rows:
            existing[(row["customer_id"], row["member_id"])] = row
        through = FollowRelation.tags.through.objects.filter(followrelation__customer_id__in=chunk)
        for follow_id, tag_id in through.values_list("followrelation_id", "tag_id"):
            existing_tags.setdefault(follow_id, set()).add(tag_id)

    def label(customer_id: int, member_id: int) -> str:
        return f"{member_names.get(member_id, member_id)} → {names.get(customer_id, customer_id)}"

    seen: set[tuple[int, int]] = set()
    new_follows: list[tuple[FollowRelation, set[int]]] = []
    changed: list[FollowRelation] = []
    tag_add: list[tuple[int, int]] = []
    tag_remove: list[tuple[int, int]] = []
    for data in follow_list:
        member = members.get(data.userid)
        if member is None:
            counts["follows_skipped"] += 1
            continue
        key = (customer_ids[data.external_userid], member[0])
        if key in seen:
            continue
        seen.add(key)
        values = _follow_values(data)
        wanted_tags = {tag_ids[t] for t in data.tag_ids if t in tag_ids}
        row = existing.get(key)
        if row is None:
            new_follows.append((FollowRelation(customer_id=key[0], member_id=key[1], **values), wanted_tags))
            continue
        before = {k: row[k] for k in FOLLOW_FIELDS}
        have_tags = existing_tags.get(row["pk"], set())
        if before == values and have_tags == wanted_tags:
            continue
        rel = FollowRelation(
            pk=row["pk"], customer_id=key[0], member_id=key[1], deleted_at=None, updated_at=now, **values
        )
        changed.append(rel)
        tag_add += [(rel.pk, t) for t in wanted_tags - have_tags]
        tag_remove += [(rel.pk, t) for t in have_tags - wanted_tags]
        audits.append(
            audit_event(
                verb="follow.update",
                obj=rel,
                before={**before, "tags": sorted(have_tags)},
                after={**values, "tags": sorted(wanted_tags)},
                actor_label=actor_label,
                label=label(*key),
            )
        )
    FollowRelation.objects.bulk_update(changed, [*FOLLOW_FIELDS, "deleted_at", "updated_at"], batch_size=CHUNK)
    counts["follows_updated"] = len(changed)

    # End the relations WeCom no longer lists (only where the list we got is complete).
    complete_userids = {u for u in complete_userids if u}
    complete_external = {e for e in complete_external_userids if e}
    candidates: list[tuple[int, int, int, str]] = []
    fields = ("pk", "customer_id", "member_id", "customer__name")
    if complete_userids:
        candidates += FollowRelation.objects.filter(
            deleted=False, member__wecom_userid__in=list(complete_userids)
        ).values_list(*fields)
    if complete_external:
        candidates += FollowRelation.objects.filter(
            deleted=False, customer__external_userid__in=list(complete_external)
        ).values_list(*fields)
    ending: dict[int, FollowRelation] = {}
    for pk, customer_id, member_id, customer_name in candidates:
        if (customer_id, member_id) in seen or pk in ending:
            continue
        rel = FollowRelation(
            pk=pk,
            customer_id=customer_id,
            member_id=member_id,
            deleted=True,
            deleted_at=now,
            end_reason=FollowEnd.ABSENT,
            updated_at=now,
        )
        ending[pk] = rel
        names.setdefault(customer_id, customer_name)
        audits.append(
            audit_event(
                verb="follow.end",
                obj=rel,
                before={"deleted": False, "end_reason": ""},
                after={"deleted": True, "end_reason": FollowEnd.ABSENT},
                actor_label=actor_label,
                label=label(customer_id, member_id),
            )
        )
    FollowRelation.objects.bulk_update(
        list(ending.values()), ["deleted", "deleted_at", "end_reason", "updated_at"], batch_size=CHUNK
    )
    counts["follows_ended"] = len(ending)

    created = FollowRelation.objects.bulk_create([rel for rel, _tags in new_follows], batch_size=CHUNK)
    for rel, wanted in zip(created, (tags for _rel, tags in new_follows), strict=True):
        tag_add += [(rel.pk, t) for t in wanted]
        audits.append(
            audit_event(
                verb="follow.create",
                obj=rel,
                before=None,
                after={**_snap(rel, FOLLOW_FIELDS), "tags": sorted(wanted)},
                actor_label=actor_label,
                label=label(rel.customer_id, rel.member_id),
            )
        )
    counts["follows_created"] = len(created)
    through_model = FollowRelation.tags.through
    for follow_id, tag_id in tag_remove:
        through_model.objects.filter(followrelation_id=follow_id, tag_id=tag_id).delete()
    through_model.objects.bulk_create(
        [through_model(followrelation_id=f, tag_id=t) for f, t in tag_add], batch_size=CHUNK
    )
    AuditEvent.objects.bulk_create(audits, batch_size=CHUNK)
    return counts


@transaction.atomic
def follow_end(*, external_userid: str, userid: str, reason: str, actor_label: str = SYNC_ACTOR) -> bool:
    """End the relation between a customer and a member (deleted on either side, or transferred).

    Returns True if something changed; an unknown or already ended relation is a no-op.
    """
    if reason not in FollowEnd.values or reason == FollowEnd.NONE:
        raise DomainError(ERR_END_REASON, field="reason", reason=reason)
    rel = (
        FollowRelation.objects.select_for_update()
        .select_related("customer", "member")
        .filter(customer__external_userid=external_userid, member__wecom_userid=userid)
        .first()
    )
    if rel is None or rel.deleted:
        return False
    before = {"deleted": False, "end_reason": rel.end_reason}
    rel.deleted, rel.deleted_at, rel.end_reason = True, timezone.now(), reason
    rel.save(update_fields=["deleted", "deleted_at", "end_reason", "updated_at"])
    audit_event(
        verb="follow.end",
        obj=rel,
        before=before,
        after={"deleted": True, "end_reason": reason},
        actor_label=actor_label,
    ).save()
    if reason == FollowEnd.BY_CUSTOMER:  # 流失提醒: stage 已流失, owner and supervisor told
        from .development.services import follow_lost

        follow_lost(follow=rel)
    return True


@transaction.atomic
def follow_archive_agree(*, external_userid: str, userid: str, at: dt.datetime, actor_label: str = SYNC_ACTOR) -> bool:
    """Record that the customer agreed to chat archiving with this member (first time only)."""
    rel = (
        FollowRelation.objects.select_for_update()
        .select_related("customer", "member")
        .filter(customer__external_userid=external_userid, member__wecom_userid=userid)
        .first()
    )
    if rel is None or rel.archive_agreed_at is not None:
        return False
    rel.archive_agreed_at = at
    rel.save(update_fields=["archive_agreed_at", "updated_at"])
    audit_event(
        verb="follow.archive_agree",
        obj=rel,
        before={"archive_agreed_at": None},
        after={"archive_agreed_at": at},
        actor_label=actor_label,
    ).save()
    return True


@transaction.atomic
def follow_transfer_failed(*, external_userid: str, userid: str, reason: str, actor_label: str = SYNC_ACTOR) -> bool:
    """A transfer of this customer away from `userid` failed; the relation stays. Audited for the record."""
    rel = (
        FollowRelation.objects.select_related("customer", "member")
        .filter(customer__external_userid=external_userid, member__wecom_userid=userid)
        .first()
    )
    if rel is None:
        return False
    audit_event(
        verb="follow.transfer_fail",
        obj=rel,
        before=None,
        after={"fail_reason": reason},
        actor_label=actor_label,
        reason=reason,
    ).save()
    return True


# --- corp tags ----------------------------------------------------------------------------------


@transaction.atomic
def tags_apply(*, groups: Iterable[TagGroupData], complete: bool, actor_label: str = SYNC_ACTOR) -> dict[str, int]:
    """Make stored tag groups and tags match WeCom. With `complete`, groups/tags not listed are marked deleted."""
    counts = {"tag_groups_created": 0, "tag_groups_updated": 0, "tags_created": 0, "tags_updated": 0, "tags_deleted": 0}
    stored_groups = {g.wecom_id: g for g in TagGroup.objects.all()}
    stored_tags = {t.wecom_id: t for t in Tag.objects.all()}
    seen_groups: set[str] = set()
    seen_tags: set[str] = set()
    audits: list[AuditEvent] = []

    def upsert(model: Any, stored: dict[str, Any], wecom_id: str, values: dict[str, Any], noun: str) -> Any:
        obj = stored.get(wecom_id)
        if obj is None:
            obj = model.objects.create(wecom_id=wecom_id, **values)
            stored[wecom_id] = obj
            counts[f"{noun}s_created"] += 1
            after = {k: (v.pk if k == "group" else v) for k, v in values.items()}
            audits.append(
                audit_event(verb=f"{noun}.create", obj=obj, before=None, after=after, actor_label=actor_label)
            )
            return obj
        before = {k: getattr(obj, k) if k != "group" else obj.group_id for k in values}
        after = {k: (v.pk if k == "group" else v) for k, v in values.items()}
        if before != after:
            for k, v in values.items():
                setattr(obj, k, v)
            obj.save()
            counts[f"{noun}s_updated"] += 1
            audits.append(
                audit_event(verb=f"{noun}.update", obj=obj, before=before, after=after, actor_label=actor_label)
            )
        return obj

    for g in groups:
        seen_groups.add(g.wecom_id)
        group = upsert(
            TagGroup,
            stored_groups,
            g.wecom_id,
            {"name": g.name[:100], "order": g.order, "deleted": g.deleted},
            "tag_group",
        )
        for t in g.tags:
            seen_tags.add(t.wecom_id)
            upsert(
                Tag,
                stored_tags,
                t.wecom_id,
                {"group": group, "name": t.name[:100], "order": t.order, "deleted": t.deleted or g.deleted},
                "tag",
            )
    if complete:
        for wecom_id, tag in stored_tags.items():
            if wecom_id not in seen_tags and not tag.deleted:
                tag.deleted = True
                tag.save(update_fields=["deleted", "updated_at"])
                counts["tags_deleted"] += 1
                audits.append(
                    audit_event(
                        verb="tag.delete",
                        obj=tag,
                        before={"deleted": False},
                        after={"deleted": True},
                        actor_label=actor_label,
                    )
                )
        for wecom_id, group in stored_groups.items():
            if wecom_id not in seen_groups and not group.deleted:
                group.deleted = True
                group.save(update_fields=["deleted", "updated_at"])
                audits.append(
                    audit_event(
                        verb="tag_group.delete",
                        obj=group,
                        before={"deleted": False},
                        after={"deleted": True},
                        actor_label=actor_label,
                    )
                )
    AuditEvent.objects.bulk_create(audits)
    return counts


@transaction.atomic
def tag_mark_deleted(*, wecom_id: str, is_group: bool, actor_label: str = SYNC_ACTOR) -> bool:
    """A tag or tag group was deleted in WeCom (its tags go with a group). Returns True if something changed."""
    objs: list[Any]
    if is_group:
        group = TagGroup.objects.filter(wecom_id=wecom_id).first()
        objs = [group, *group.tags.all()] if group else []
    else:
        objs = list(Tag.objects.filter(wecom_id=wecom_id))
    changed = False
    for obj in objs:
        if obj.deleted:
            continue
        obj.deleted = True
        obj.save(update_fields=["deleted", "updated_at"])
        noun = "tag_group" if isinstance(obj, TagGroup) else "tag"
        audit_event(
            verb=f"{noun}.delete", obj=obj, before={"deleted": False}, after={"deleted": True}, actor_label=actor_label
        ).save()
        changed = True
    return changed
