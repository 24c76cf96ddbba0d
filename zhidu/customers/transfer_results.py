"""Customer transfers, as the WeCom integration reports them: what WeCom accepted, what it resolved, what a
`transfer_fail` callback said. Each function is idempotent: an item leaves WAITING once and a follow relation
moves once, so a second poll after a restart, or a callback after the poll, changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhidu.core.models import AuditEvent

from .models import AddWay, FollowEnd, FollowRelation, ItemReason, ItemStatus, Transfer, TransferItem, TransferStatus
from .transfers import _audit, _save_items, _set_item


def _finish_if_done(transfer: Transfer, now: dt.datetime, audits: list[AuditEvent], actor_label: str) -> None:
    open_left = transfer.items.filter(status__in=[ItemStatus.QUEUED, ItemStatus.WAITING]).exists()
    status = TransferStatus.IN_PROGRESS if open_left else TransferStatus.DONE
    if transfer.status == status:
        return
    audits.append(
        _audit(transfer, f"transfer.{status}", {"status": transfer.status}, {"status": status}, actor_label=actor_label)
    )
    transfer.status = status
    transfer.finished_at = None if open_left else now
    transfer.save(update_fields=["status", "finished_at", "updated_at"])


def _locked(transfer_id: int) -> Transfer | None:
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("handover", "takeover")
        .filter(pk=transfer_id)
        .first()
    )


@transaction.atomic
def transfer_items_claim(*, transfer_id: int, external_ids: Sequence[str]) -> list[str]:
    """Stamp the queued items about to be sent (so a restart knows to ask WeCom before sending again)."""
    now = timezone.now()
    qs = TransferItem.objects.filter(
        transfer_id=transfer_id, external_id__in=list(external_ids), status=ItemStatus.QUEUED
    )
    ids = list(qs.values_list("external_id", flat=True))
    qs.update(attempted_at=now, updated_at=now)
    return ids


@transaction.atomic
def transfer_record_sent(
    *, transfer_id: int, results: dict[str, int | None], actor_label: str = "wecom"
) -> Transfer | None:
    """WeCom's answer to a transfer request: per customer (or group) 0 = accepted (customers wait for the
    takeover; groups are done), an error code (failed), or None (WeCom's answer did not mention it)."""
    transfer = _locked(transfer_id)
    if transfer is None:
        return None
    now = timezone.now()
    audits: list[AuditEvent] = []
    items = list(transfer.items.filter(external_id__in=list(results), status=ItemStatus.QUEUED))
    for item in items:
        code = results[item.external_id]
        if code is None:
            _set_item(item, ItemStatus.FAILED, audits, reason=ItemReason.NO_RECORD, now=now, actor_label=actor_label)
        elif code == 0:
            status = ItemStatus.SUCCEEDED if item.group_id else ItemStatus.WAITING
            _set_item(item, status, audits, now=now, actor_label=actor_label)
        else:
            _set_item(
                item, ItemStatus.FAILED, audits, reason=ItemReason.WECOM, errcode=code, now=now, actor_label=actor_label
            )
        item.attempted_at = item.attempted_at or now
    _save_items(items)
    _finish_if_done(transfer, now, audits, actor_label)
    AuditEvent.objects.bulk_create(audits)
    return transfer


# transfer_result status (API.md §4.8) → item status and reason
RESULT_STATUS = {
    1: (ItemStatus.SUCCEEDED, ""),
    3: (ItemStatus.REFUSED, ItemReason.REFUSED),
    4: (ItemStatus.FAILED, ItemReason.TAKEOVER_FULL),
    5: (ItemStatus.FAILED, ItemReason.NO_RECORD),
}


@transaction.atomic
def transfer_apply_results(
    *, transfer_id: int, results: dict[str, tuple[int, int]], actor_label: str = "wecom"
) -> dict[str, int]:
    """Apply `transfer_result` rows ({external_userid: (status, takeover_time)}) to the waiting items.
    Also reconciles queued items WeCom already knows (a send interrupted before its answer was stored)."""
    transfer = _locked(transfer_id)
    counts = {"succeeded": 0, "refused": 0, "failed": 0, "waiting": 0}
    if transfer is None:
        return counts
    now = timezone.now()
    transfer.last_polled_at = now
    transfer.save(update_fields=["last_polled_at", "updated_at"])
    audits: list[AuditEvent] = []
    items = list(
        transfer.items.filter(
            Q(status=ItemStatus.WAITING) | Q(status=ItemStatus.QUEUED, attempted_at__isnull=False),
            customer__isnull=False,
            external_id__in=list(results),
        ).select_related("customer")
    )
    for item in items:
        code, ts = results[item.external_id]
        when = dt.datetime.fromtimestamp(ts, tz=dt.UTC) if ts else None
        if code == 2:
            if item.status == ItemStatus.QUEUED:
                _set_item(item, ItemStatus.WAITING, audits, now=now, takeover_time=when, actor_label=actor_label)
            else:
                item.takeover_time = when
            counts["waiting"] += 1
            continue
        status, reason = RESULT_STATUS.get(code, (ItemStatus.FAILED, ItemReason.NO_RECORD))
        _set_item(item, status, audits, reason=reason, now=now, takeover_time=when, actor_label=actor_label)
        counts[str(status)] += 1
        if status == ItemStatus.SUCCEEDED:
            _move_follow(item, transfer, now, audits, actor_label)
    _save_items(items)
    _finish_if_done(transfer, now, audits, actor_label)
    AuditEvent.objects.bulk_create(audits)
    return counts


@transaction.atomic
def transfer_apply_groups(
    *, transfer_id: int, failed: dict[str, int], sent: Sequence[str], actor_label: str = "wecom"
) -> Transfer | None:
    """A group transfer answer: the chats in `sent` not listed in `failed` changed owner."""
    return transfer_record_sent(
        transfer_id=transfer_id, results={c: int(failed.get(c, 0)) for c in sent}, actor_label=actor_label
    )


@transaction.atomic
def transfer_fail_reported(
    *, external_userid: str, userid: str, fail_reason: str, actor_label: str = "wecom-callback"
) -> bool:
    """The `transfer_fail` callback: the waiting item of this customer (to or from `userid`) ends refused
    (`customer_refused`) or failed (`customer_limit_exceed`). False when no waiting item matches."""
    item = (
        TransferItem.objects.select_for_update(of=("self",))
        .filter(status=ItemStatus.WAITING, customer__external_userid=external_userid)
        .filter(Q(transfer__takeover__wecom_userid=userid) | Q(transfer__handover__wecom_userid=userid))
        .order_by("-id")
        .first()
    )
    if item is None:
        return False
    now = timezone.now()
    audits: list[AuditEvent] = []
    if fail_reason == "customer_refused":
        _set_item(item, ItemStatus.REFUSED, audits, reason=ItemReason.REFUSED, now=now, actor_label=actor_label)
    else:
        _set_item(item, ItemStatus.FAILED, audits, reason=ItemReason.TAKEOVER_FULL, now=now, actor_label=actor_label)
    _save_items([item])
    transfer = _locked(item.transfer_id)
    assert transfer is not None
    _finish_if_done(transfer, now, audits, actor_label)
    AuditEvent.objects.bulk_create(audits)
    return True


def _move_follow(
    item: TransferItem, transfer: Transfer, now: dt.datetime, audits: list[AuditEvent], actor_label: str
) -> None:
    """The customer now belongs to the receiver: the old relation ends BY_TRANSFER (also when a sync already
    ended it as absent), the receiver's relation exists and is active. A callback or sync arriving before or
    after finds the same end state."""
    assert transfer.takeover is not None and item.customer is not None
    old = FollowRelation.objects.select_for_update().filter(customer=item.customer, member=transfer.handover).first()
    if old is not None and (not old.deleted or old.end_reason in (FollowEnd.ABSENT, FollowEnd.BY_MEMBER)):
        before = {"deleted": old.deleted, "end_reason": old.end_reason}
        old.deleted, old.end_reason = True, FollowEnd.BY_TRANSFER
        old.deleted_at = old.deleted_at or now
        old.save(update_fields=["deleted", "deleted_at", "end_reason", "updated_at"])
        after = {"deleted": True, "end_reason": FollowEnd.BY_TRANSFER}
        audits.append(_follow_audit(old, "follow.end", before, after, actor_label))
    new = FollowRelation.objects.select_for_update().filter(customer=item.customer, member=transfer.takeover).first()
    if new is None:
        # WeCom's add_external_contact callback for the receiver may create the relation between the read above
        # and this insert: INSERT … ON CONFLICT DO NOTHING keeps the callback's row (no savepoint, which SQLite
        # cannot open while another statement of the connection is in progress).
        FollowRelation.objects.bulk_create(
            [
                FollowRelation(
                    customer=item.customer,
                    member=transfer.takeover,
                    remark=old.remark if old else "",
                    description=old.description if old else "",
                    remark_corp_name=old.remark_corp_name if old else "",
                    remark_mobiles=list(old.remark_mobiles) if old else [],
                    add_way=AddWay.ASSIGNED,
                    createtime=now,
                    oper_userid=transfer.handover.wecom_userid or "",
                )
            ],
            ignore_conflicts=True,
        )
        new = FollowRelation.objects.select_for_update().get(customer=item.customer, member=transfer.takeover)
        if new.add_way == AddWay.ASSIGNED and new.createtime == now:  # ours, not the callback's
            if old is not None:
                new.tags.set(old.tags.all())
            audits.append(_follow_audit(new, "follow.create", None, {"deleted": False, "via": "transfer"}, actor_label))
        return
    if new.deleted:
        before = {"deleted": True, "end_reason": new.end_reason}
        new.deleted, new.deleted_at, new.end_reason = False, None, FollowEnd.NONE
        new.save(update_fields=["deleted", "deleted_at", "end_reason", "updated_at"])
        audits.append(_follow_audit(new, "follow.update", before, {"deleted": False, "end_reason": ""}, actor_label))


def _follow_audit(
    rel: FollowRelation, verb: str, before: dict[str, Any] | None, after: dict[str, Any], actor_label: str
) -> AuditEvent:
    return AuditEvent(
        actor=None,
        actor_label=actor_label,
        verb=verb,
        target_type="customers.followrelation",
        target_id=str(rel.pk),
        target_label=f"{rel.member_id} → {rel.customer_id}",
        before=before,
        after=after,
        reason="transfer",
    )


def transfers_to_poll(*, limit: int = 200) -> list[int]:
    """Transfers with items WeCom is still working on (oldest poll first)."""
    qs = Transfer.objects.filter(status__in=[TransferStatus.QUEUED, TransferStatus.IN_PROGRESS])
    return list(qs.order_by("last_polled_at", "id").values_list("pk", flat=True)[:limit])
