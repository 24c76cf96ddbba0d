"""Customer transfers on WeCom (API.md §4.8): send a submitted transfer, poll its results.

customers owns `Transfer`/`TransferItem` and their state transitions (`zhidu.customers.transfers` and
`transfer_results`); this module only maps WeCom onto them (DESIGN §2.1: wecom, layer 4, maps WeCom onto
customers, layer 3). customers publishes `customers.transfer_submitted` after a lead's transfer commits;
`on_transfer_submitted` (subscribed in `WecomConfig.ready()`) sends it and polls once; the periodic
`transfer_poll_task` polls every open transfer until WeCom has resolved each customer.

Restarts: before a send, items are stamped `attempted_at` in their own transaction. A send that died before its
answer was stored is reconciled from `transfer_result` first, so nothing is sent twice and no item is counted
twice. Per-customer answers (40128, 40129, …) become failed items with the code; a whole-request error that is
not transient (40097, 60111, …) fails the chunk's items with that code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

from zhidu.customers.models import ItemStatus, Transfer, TransferItem, TransferKind, TransferStatus
from zhidu.customers.transfer_results import (
    transfer_apply_groups,
    transfer_apply_results,
    transfer_items_claim,
    transfer_record_sent,
    transfers_to_poll,
)

from .client import TRANSIENT_CODES, WeComError

log = logging.getLogger(__name__)

CHUNK = 100  # customers per transfer_customer call, chats per group transfer call (API.md §4.8)


def _client(client: Any) -> tuple[Any, bool]:
    if client is not None:
        return client, False
    from .sync import default_client_factory

    return default_client_factory("customer"), True


def _chunks(items: list[str], size: int = CHUNK) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def transfer_send(transfer_id: int, *, client: Any = None) -> dict[str, int]:
    """Send every queued item of a transfer to WeCom (reconciling earlier interrupted sends first)."""
    transfer = Transfer.objects.select_related("handover", "takeover").filter(pk=transfer_id).first()
    counts = {"sent": 0, "failed": 0}
    if transfer is None or transfer.status not in (TransferStatus.QUEUED, TransferStatus.IN_PROGRESS):
        return counts
    assert transfer.takeover is not None
    handover, takeover = transfer.handover.wecom_userid or "", transfer.takeover.wecom_userid or ""
    api, owned = _client(client)
    try:
        queued = TransferItem.objects.filter(transfer=transfer, status=ItemStatus.QUEUED)
        if queued.filter(attempted_at__isnull=False, customer__isnull=False).exists():
            _poll(transfer, api)  # an interrupted send: WeCom may already have these
        customers = list(
            queued.filter(customer__isnull=False, attempted_at__isnull=True).values_list("external_id", flat=True)
        )
        groups = list(queued.filter(group__isnull=False).values_list("external_id", flat=True))
        resigned = transfer.kind == TransferKind.RESIGNED
        send_customers: Callable[[list[str]], Any] = (
            (lambda ids: api.resigned_transfer_customer(handover, takeover, ids))
            if resigned
            else (lambda ids: api.transfer_customer(handover, takeover, ids))
        )
        for chunk in _chunks(customers):
            chunk = transfer_items_claim(transfer_id=transfer.pk, external_ids=chunk)
            if not chunk:
                continue
            try:
                answer = send_customers(chunk)
                results = {row.external_userid: int(row.errcode) for row in answer.customer}
            except WeComError as exc:
                if exc.errcode in TRANSIENT_CODES:
                    raise
                results = {}
                failed_code = exc.errcode
            else:
                failed_code = 0
            # Customers missing from WeCom's answer failed with the request's code (or "no record": None).
            answered: dict[str, int | None] = {ext: results.get(ext, failed_code or None) for ext in chunk}
            transfer_record_sent(transfer_id=transfer.pk, results=answered)
            counts["sent"] += sum(1 for code in answered.values() if code == 0)
            counts["failed"] += sum(1 for code in answered.values() if code != 0)
        for chunk in _chunks(groups):
            chunk = transfer_items_claim(transfer_id=transfer.pk, external_ids=chunk)
            if not chunk:
                continue
            try:
                move = api.groupchat_transfer if resigned else api.groupchat_onjob_transfer
                failed = {row.chat_id: int(row.errcode) for row in move(chunk, takeover).failed_chat_list}
            except WeComError as exc:
                if exc.errcode in TRANSIENT_CODES:
                    raise
                failed = dict.fromkeys(chunk, exc.errcode)
            transfer_apply_groups(transfer_id=transfer.pk, failed=failed, sent=chunk)
            counts["sent"] += len(chunk) - len(failed)
            counts["failed"] += len(failed)
    finally:
        if owned:
            api.close()
    return counts


def _poll(transfer: Transfer, api: Any) -> dict[str, int]:
    assert transfer.takeover is not None
    handover, takeover = transfer.handover.wecom_userid or "", transfer.takeover.wecom_userid or ""
    rows = (
        api.iter_resigned_transfer_result(handover, takeover)
        if transfer.kind == TransferKind.RESIGNED
        else api.iter_transfer_result(handover, takeover)
    )
    results = {row.external_userid: (int(row.status), int(row.takeover_time or 0)) for row in rows}
    # Items WeCom has no row for (status 5) once they were sent.
    return transfer_apply_results(transfer_id=transfer.pk, results=results)


def transfer_poll(transfer_id: int, *, client: Any = None) -> dict[str, int]:
    """Ask WeCom how the waiting customers of one transfer are doing; apply what it says."""
    transfer = Transfer.objects.select_related("handover", "takeover").filter(pk=transfer_id).first()
    if (
        transfer is None
        or transfer.takeover is None
        or transfer.status
        in (
            TransferStatus.PENDING,
            TransferStatus.CANCELLED,
            TransferStatus.DONE,
        )
    ):
        return {}
    api, owned = _client(client)
    try:
        return _poll(transfer, api)
    finally:
        if owned:
            api.close()


def transfers_poll_open(*, client: Any = None, limit: int = 200) -> dict[str, int]:
    """Periodic: send what is still queued and poll every open transfer (bounded per run)."""
    totals: dict[str, int] = {}
    if client is None and not configured():
        return totals
    api, owned = _client(client)
    try:
        for pk in transfers_to_poll(limit=limit):
            try:
                for key, value in {**transfer_send(pk, client=api), **transfer_poll(pk, client=api)}.items():
                    totals[key] = totals.get(key, 0) + value
            except WeComError:
                log.exception("transfer #%s: WeCom refused the poll; trying again next run", pk)
                totals["errors"] = totals.get("errors", 0) + 1
    finally:
        if owned:
            api.close()
    return totals


def configured() -> bool:
    """Without a WeCom corp configured, transfers stay queued (shown as not sent yet) until one is."""
    return bool(settings.WECOM_CORP_ID)


def on_transfer_submitted(*, id: int) -> None:
    """Handler of customers' `customers.transfer_submitted`: send now, poll once."""
    if not configured():
        log.warning("transfer #%s stays queued: WeCom is not configured", id)
        return
    transfer_send(id)
    transfer_poll(id)
