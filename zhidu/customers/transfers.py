"""Customer transfers (在职转接, 离职继承): every state change of a `Transfer` and its items, audited.

customers owns the records and their transitions; it never talks to WeCom (layer 3 below wecom's 4). A
transfer that is ready to go publishes `customers.transfer_submitted`; `zhidu.wecom.transfers` subscribes
(in wecom's `AppConfig.ready()`), calls WeCom, and reports back through `transfer_record_sent`,
`transfer_apply_results`, `transfer_apply_groups` and `transfer_fail_reported` (in `transfer_results`).
Removing a member (org publishes `member.removed`) opens a resigned transfer of all their customers and groups
(`transfer_open_resigned`) that a lead completes by choosing the receiver (`transfer_assign`).

Every function is idempotent where WeCom may repeat itself: an item leaves WAITING once, a follow relation
moves once, so polling again after a restart, or a callback after the poll, changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError
from zhidu.core.events import publish
from zhidu.core.models import AuditEvent
from zhidu.org.models import LEAD_ROLES, SALES_ROLES, Member, MemberStatus

from .models import (
    Customer,
    FollowRelation,
    ItemReason,
    ItemStatus,
    Transfer,
    TransferItem,
    TransferKind,
    TransferStatus,
)

SUBMITTED_EVENT = "customers.transfer_submitted"
SYSTEM = "system"

ERR_NOT_ALLOWED = gettext_noop("You may not transfer this member's customers.")
ERR_KIND = gettext_noop("Unknown transfer kind {kind!r}.")
ERR_HANDOVER_ACTIVE = gettext_noop("{member} has not left: use an on-job transfer.")
ERR_HANDOVER_LEFT = gettext_noop("{member} has left: use a resigned inheritance.")
ERR_TAKEOVER = gettext_noop(
    "Receiver: {member} cannot take over customers "
    "(active salespeople and leads in your scope with a WeCom account only)."
)
ERR_SAME = gettext_noop("Receiver: the handover member and the receiver must be different people.")
ERR_NO_WECOM = gettext_noop("{member} has no WeCom account.")
ERR_EMPTY = gettext_noop("Choose at least one customer or group.")
ERR_TOO_MANY = gettext_noop("At most {max} customers and groups in one transfer ({count} chosen).")
ERR_NOT_FOLLOWED = gettext_noop("Customer {name} is not followed by {member}.")
ERR_NOT_OWNED = gettext_noop("Group {name} is not owned by {member}.")
ERR_STATE = gettext_noop("This transfer is {status}; it can no longer be changed.")


# --- helpers ------------------------------------------------------------------------------------


def _audit(
    obj: Transfer | TransferItem,
    verb: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    *,
    actor: Member | None = None,
    actor_label: str = "",
    reason: str = "",
) -> AuditEvent:
    """An unsaved audit event (bulk-created by the caller)."""
    return AuditEvent(
        actor=actor,
        actor_label=actor_label or ("" if actor is not None else SYSTEM),
        verb=verb,
        target_type=f"customers.{obj._meta.model_name}",
        target_id=str(obj.pk),
        target_label=(f"#{obj.transfer_id} {obj.external_id}" if isinstance(obj, TransferItem) else f"#{obj.pk}")[:200],
        before=before,
        after=after,
        reason=reason,
    )


def _set_item(
    item: TransferItem,
    status: str,
    audits: list[AuditEvent],
    *,
    reason: str = "",
    errcode: int = 0,
    now: dt.datetime,
    takeover_time: dt.datetime | None = None,
    actor_label: str = "",
) -> None:
    before = {"status": item.status, "reason": item.reason, "errcode": item.errcode}
    item.status, item.reason, item.errcode = status, reason, errcode
    if takeover_time is not None:
        item.takeover_time = takeover_time
    if status in (ItemStatus.SUCCEEDED, ItemStatus.REFUSED, ItemStatus.FAILED, ItemStatus.NOT_SENT):
        item.finished_at = now
    item.updated_at = now
    after = {"status": status, "reason": reason, "errcode": errcode}
    audits.append(_audit(item, f"transfer_item.{status}", before, after, actor_label=actor_label))


def _save_items(items: Sequence[TransferItem]) -> None:
    TransferItem.objects.bulk_update(
        list(items), ["status", "reason", "errcode", "takeover_time", "finished_at", "attempted_at", "updated_at"]
    )


def _check_actor(actor: Member, handover: Member) -> None:
    if not (actor.is_active and actor.role in LEAD_ROLES and actor.can_see_work_of(handover)):
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")


def _check_takeover(actor: Member, handover: Member, takeover: Member) -> None:
    if takeover.pk == handover.pk:
        raise DomainError(ERR_SAME, field="takeover")
    if not (takeover.is_active and takeover.role in SALES_ROLES and takeover.wecom_userid) or not (
        actor.can_see_work_of(takeover)
    ):
        raise DomainError(ERR_TAKEOVER, field="takeover", member=takeover.name)


def onjob_recent_counts(customer_ids: Iterable[int], *, now: dt.datetime | None = None) -> dict[int, int]:
    """How many on-job transfers of each customer WeCom accepted within TRANSFER_ONJOB_WINDOW_DAYS."""
    since = (now or timezone.now()) - dt.timedelta(days=settings.TRANSFER_ONJOB_WINDOW_DAYS)
    rows = (
        TransferItem.objects.filter(
            customer_id__in=list(customer_ids),
            transfer__kind=TransferKind.ONJOB,
            attempted_at__gte=since,
            status__in=[ItemStatus.WAITING, ItemStatus.SUCCEEDED, ItemStatus.REFUSED],
        )
        .values("customer_id")
        .annotate(n=Count("id"))
    )
    return {row["customer_id"]: row["n"] for row in rows}


def _busy_customer_ids(customer_ids: Iterable[int], exclude_transfer: int | None = None) -> set[int]:
    qs = TransferItem.objects.filter(
        customer_id__in=list(customer_ids), status__in=[ItemStatus.QUEUED, ItemStatus.WAITING]
    ).exclude(transfer__status__in=[TransferStatus.PENDING, TransferStatus.CANCELLED])
    if exclude_transfer is not None:
        qs = qs.exclude(transfer_id=exclude_transfer)
    return set(qs.values_list("customer_id", flat=True))


def _screen(transfer: Transfer, items: list[TransferItem], now: dt.datetime, audits: list[AuditEvent]) -> None:
    """Items WeCom would refuse are not sent: over TRANSFER_BATCH_MAX, already moving elsewhere, or (on-job)
    already transferred TRANSFER_ONJOB_LIMIT times in the window (WeCom's 40128)."""
    customer_ids = [i.customer_id for i in items if i.customer_id]
    busy = _busy_customer_ids(customer_ids, exclude_transfer=transfer.pk)
    counts = onjob_recent_counts(customer_ids, now=now) if transfer.kind == TransferKind.ONJOB else {}
    sent = 0
    for item in items:
        if item.status != ItemStatus.QUEUED:
            continue
        if sent >= settings.TRANSFER_BATCH_MAX:
            _set_item(item, ItemStatus.NOT_SENT, audits, reason=ItemReason.OVER_BATCH, now=now)
        elif item.customer_id in busy:
            _set_item(item, ItemStatus.NOT_SENT, audits, reason=ItemReason.IN_TRANSFER, now=now)
        elif counts.get(item.customer_id or 0, 0) >= settings.TRANSFER_ONJOB_LIMIT:
            _set_item(item, ItemStatus.NOT_SENT, audits, reason=ItemReason.LIMIT, now=now)
        else:
            sent += 1


def _submit(transfer: Transfer, audits: list[AuditEvent], now: dt.datetime) -> None:
    items = list(transfer.items.all())
    _screen(transfer, items, now, audits)
    _save_items(items)
    transfer.status = TransferStatus.QUEUED
    transfer.submitted_at = now
    if not any(i.status == ItemStatus.QUEUED for i in items):
        transfer.status, transfer.finished_at = TransferStatus.DONE, now
    transfer.save()
    if transfer.status == TransferStatus.QUEUED:
        publish(SUBMITTED_EVENT, id=transfer.pk)


# --- started by people --------------------------------------------------------------------------


@transaction.atomic
def transfer_create(
    *,
    actor: Member,
    kind: str,
    handover: Member,
    takeover: Member,
    customers: Sequence[Customer] = (),
    groups: Sequence[Any] = (),
    note: str = "",
) -> Transfer:
    """A lead moves some of `handover`'s customers and groups to `takeover`. Items WeCom would refuse
    (limits) are kept, marked not sent, with their reason; the rest go to WeCom after the commit."""
    if kind not in TransferKind.values:
        raise DomainError(ERR_KIND, field="kind", kind=kind)
    _check_actor(actor, handover)
    if kind == TransferKind.ONJOB and handover.status == MemberStatus.REMOVED:
        raise DomainError(ERR_HANDOVER_LEFT, field="handover", member=handover.name)
    if kind == TransferKind.RESIGNED and handover.status != MemberStatus.REMOVED:
        raise DomainError(ERR_HANDOVER_ACTIVE, field="handover", member=handover.name)
    if not handover.wecom_userid:
        raise DomainError(ERR_NO_WECOM, field="handover", member=handover.name)
    _check_takeover(actor, handover, takeover)
    customers = list(dict.fromkeys(customers))
    groups = list(dict.fromkeys(groups))
    count = len(customers) + len(groups)
    if not count:
        raise DomainError(ERR_EMPTY, field="customers")
    if count > settings.TRANSFER_BATCH_MAX:
        raise DomainError(ERR_TOO_MANY, field="customers", max=settings.TRANSFER_BATCH_MAX, count=count)
    followed = set(
        FollowRelation.objects.filter(member=handover, deleted=False, customer__in=customers).values_list(
            "customer_id", flat=True
        )
    )
    for c in customers:
        if c.pk not in followed:
            raise DomainError(ERR_NOT_FOLLOWED, field="customers", name=str(c), member=handover.name)
    for g in groups:
        if g.owner_id != handover.pk:
            raise DomainError(ERR_NOT_OWNED, field="groups", name=str(g), member=handover.name)
    now = timezone.now()
    transfer = Transfer.objects.create(
        kind=kind, status=TransferStatus.QUEUED, handover=handover, takeover=takeover, created_by=actor, note=note
    )
    TransferItem.objects.bulk_create(
        [TransferItem(transfer=transfer, customer=c, external_id=c.external_userid) for c in customers]
        + [TransferItem(transfer=transfer, group=g, external_id=g.chat_id) for g in groups]
    )
    audits = [
        _audit(
            transfer,
            "transfer.create",
            None,
            {
                "kind": kind,
                "handover": handover.pk,
                "takeover": takeover.pk,
                "customers": len(customers),
                "groups": len(groups),
            },
            actor=actor,
            reason=note,
        )
    ]
    _submit(transfer, audits, now)
    AuditEvent.objects.bulk_create(audits)
    return transfer


def open_resigned_items(handover: Member) -> tuple[list[int], list[Any]]:
    """Customer ids the member still follows and groups they still own (not dismissed)."""
    from zhidu.groups.models import GroupChat, GroupStatus

    customer_ids = list(
        FollowRelation.objects.filter(member=handover, deleted=False).values_list("customer_id", flat=True)
    )
    groups = list(GroupChat.objects.filter(owner=handover).exclude(status=GroupStatus.DISMISSED))
    return customer_ids, groups


@transaction.atomic
def transfer_open_resigned(*, member_id: int) -> Transfer | None:
    """A member left: open (once) a resigned transfer of everything they still follow and own, waiting for a
    lead to choose the receiver. Subscribed to org's `member.removed`."""
    handover = Member.objects.select_for_update().filter(pk=member_id).first()
    if handover is None or handover.status != MemberStatus.REMOVED or not handover.wecom_userid:
        return None
    if Transfer.objects.filter(handover=handover, status=TransferStatus.PENDING).exists():
        return None
    customer_ids, groups = open_resigned_items(handover)
    if not customer_ids and not groups:
        return None
    customers = dict(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "external_userid"))
    transfer = Transfer.objects.create(kind=TransferKind.RESIGNED, status=TransferStatus.PENDING, handover=handover)
    TransferItem.objects.bulk_create(
        [TransferItem(transfer=transfer, customer_id=pk, external_id=ext) for pk, ext in customers.items()]
        + [TransferItem(transfer=transfer, group=g, external_id=g.chat_id) for g in groups]
    )
    audit_record(
        actor=None,
        actor_label=SYSTEM,
        verb="transfer.open",
        target=transfer,
        after={"kind": transfer.kind, "handover": handover.pk, "customers": len(customers), "groups": len(groups)},
        reason="member removed",
    )
    _notify_leads(transfer)
    return transfer


def _notify_leads(transfer: Transfer) -> None:
    from django.utils.translation import gettext

    from zhidu.core.notifications import notify

    handover = transfer.handover
    leads = [m for m in (handover.reports_to,) if m is not None and m.is_active]
    if not leads:
        return
    notify(
        member_ids=[m.pk for m in leads],
        title=gettext("%(name)s has left: choose who inherits their customers") % {"name": handover.name},
        url=reverse("customers:transfer_detail", args=[transfer.pk]),
        action=gettext("Choose"),
        dedupe_key=f"transfer:{transfer.pk}",
    )


@transaction.atomic
def transfer_assign(*, actor: Member, transfer: Transfer, takeover: Member) -> Transfer:
    """Complete a pending resigned transfer: the lead names the receiver; what the member no longer follows
    or owns is marked not sent, the rest goes to WeCom."""
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("handover").get(pk=transfer.pk)
    _check_actor(actor, transfer.handover)
    if transfer.status != TransferStatus.PENDING:
        raise DomainError(ERR_STATE, code="conflict", status=transfer.get_status_display())
    _check_takeover(actor, transfer.handover, takeover)
    now = timezone.now()
    customer_ids, groups = open_resigned_items(transfer.handover)
    still = set(customer_ids)
    owned = {g.pk for g in groups}
    audits = [
        _audit(
            transfer,
            "transfer.assign",
            {"status": transfer.status, "takeover": None},
            {"status": TransferStatus.QUEUED, "takeover": takeover.pk},
            actor=actor,
        )
    ]
    items = list(transfer.items.all())
    for item in items:
        if item.customer_id and item.customer_id not in still:
            _set_item(item, ItemStatus.NOT_SENT, audits, reason=ItemReason.NOT_FOLLOWING, now=now)
        elif item.group_id and item.group_id not in owned:
            _set_item(item, ItemStatus.NOT_SENT, audits, reason=ItemReason.NOT_OWNER, now=now)
    _save_items(items)
    transfer.takeover, transfer.created_by = takeover, actor
    _submit(transfer, audits, now)
    AuditEvent.objects.bulk_create(audits)
    return transfer


@transaction.atomic
def transfer_cancel(*, actor: Member, transfer: Transfer, reason: str = "") -> Transfer:
    """Drop a pending transfer (nothing was sent)."""
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("handover").get(pk=transfer.pk)
    _check_actor(actor, transfer.handover)
    if transfer.status != TransferStatus.PENDING:
        raise DomainError(ERR_STATE, code="conflict", status=transfer.get_status_display())
    transfer.status, transfer.finished_at = TransferStatus.CANCELLED, timezone.now()
    transfer.save(update_fields=["status", "finished_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="transfer.cancel",
        target=transfer,
        before={"status": TransferStatus.PENDING},
        after={"status": TransferStatus.CANCELLED},
        reason=reason,
    )
    return transfer


def on_member_removed(*, id: int) -> None:
    """Handler of org's `member.removed`."""
    transfer_open_resigned(member_id=id)
