"""REST: /api/customers/transfers/ — list (with a total), detail, items, start, assign a receiver, cancel."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema, Status
from pydantic import Field

from zhidu.core.errors import DomainError, NotFound
from zhidu.core.schemas import FreeText, Id, PageIn, Text, paginate
from zhidu.org.models import LEAD_ROLES, Role

from . import transfer_selectors as selectors
from . import transfers as services
from .models import Customer, ItemStatus, Transfer, TransferItem, TransferKind, TransferStatus

router = Router(tags=["customer transfers"])

READERS = (*LEAD_ROLES, Role.SALES, Role.COMPLIANCE)
ERR_ROLE = gettext_noop("You may not do this.")


class TransferOut(Schema):
    id: int
    kind: str
    status: str
    handover_id: int
    handover_name: str
    takeover_id: int | None
    takeover_name: str
    note: str
    submitted_at: dt.datetime | None
    finished_at: dt.datetime | None
    counts: dict[str, int]


class TransferPage(Schema):
    total: int
    items: list[TransferOut]


class TransferItemOut(Schema):
    id: int
    customer_id: int | None
    group_id: int | None
    external_id: str
    status: str
    reason: str
    reason_label: str
    errcode: int
    takeover_time: dt.datetime | None
    finished_at: dt.datetime | None


class ItemPage(Schema):
    total: int
    items: list[TransferItemOut]


class TransferIn(Schema):
    kind: Annotated[str, Text(20)] = TransferKind.ONJOB
    handover_id: Id
    takeover_id: Id
    customer_ids: list[Id] = Field(default_factory=list, max_length=5000)
    group_ids: list[Id] = Field(default_factory=list, max_length=5000)
    note: Annotated[str, Text(200)] = ""


class AssignIn(Schema):
    takeover_id: Id


class CancelIn(Schema):
    reason: FreeText = ""


def _reader(request: HttpRequest):  # type: ignore[no-untyped-def]
    member = request.auth  # type: ignore[attr-defined]
    if member.role not in READERS:
        raise DomainError(ERR_ROLE, code="forbidden")
    return member


def _out(t: Transfer, counts: dict[str, int] | None = None) -> dict:  # type: ignore[type-arg]
    if counts is None:
        counts = {s: getattr(t, f"n_{s}", 0) for s in ItemStatus.values}
    return {
        "id": t.pk,
        "kind": t.kind,
        "status": t.status,
        "handover_id": t.handover_id,
        "handover_name": t.handover.name,
        "takeover_id": t.takeover_id,
        "takeover_name": t.takeover.name if t.takeover else "",
        "note": t.note,
        "submitted_at": t.submitted_at,
        "finished_at": t.finished_at,
        "counts": counts,
    }


def _item(i: TransferItem) -> dict:  # type: ignore[type-arg]
    return {
        "id": i.pk,
        "customer_id": i.customer_id,
        "group_id": i.group_id,
        "external_id": i.external_id,
        "status": i.status,
        "reason": i.reason,
        "reason_label": i.reason_label,
        "errcode": i.errcode,
        "takeover_time": i.takeover_time,
        "finished_at": i.finished_at,
    }


def _detail(viewer, transfer_id: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    t = selectors.transfer_get_for(viewer, transfer_id)
    return _out(t, selectors.transfer_item_counts(t))


@router.get("/", response=TransferPage)
def transfer_list(request: HttpRequest, page: Query[PageIn], status: Annotated[str, Text(20)] = ""):  # type: ignore[no-untyped-def]
    """Newest first; `after` is the id of the last transfer of the previous page; `total` counts them all."""
    viewer = _reader(request)
    qs = selectors.transfer_list(viewer=viewer, status=status if status in TransferStatus.values else "")
    return {"total": qs.count(), "items": [_out(t) for t in paginate(qs, page, descending=True)]}


@router.get("/{transfer_id}", response=TransferOut)
def transfer_detail(request: HttpRequest, transfer_id: int):  # type: ignore[no-untyped-def]
    return _detail(_reader(request), transfer_id)


@router.get("/{transfer_id}/items", response=ItemPage)
def transfer_items(request: HttpRequest, transfer_id: int, page: Query[PageIn], status: Annotated[str, Text(20)] = ""):  # type: ignore[no-untyped-def]
    transfer = selectors.transfer_get_for(_reader(request), transfer_id)
    qs = selectors.transfer_items(transfer=transfer, status=status if status in ItemStatus.values else "")
    return {"total": qs.count(), "items": [_item(i) for i in paginate(qs, page)]}


@router.post("/", response={201: TransferOut})
def transfer_create(request: HttpRequest, body: TransferIn):  # type: ignore[no-untyped-def]
    from zhidu.groups.models import GroupChat

    viewer = request.auth  # type: ignore[attr-defined]
    handover = selectors.member_in_scope(viewer, body.handover_id)
    takeover = selectors.member_in_scope(viewer, body.takeover_id)
    customers = list(Customer.objects.visible_to(viewer).filter(pk__in=body.customer_ids))
    groups = list(GroupChat.objects.visible_to(viewer).filter(pk__in=body.group_ids))
    if len(customers) != len(set(body.customer_ids)) or len(groups) != len(set(body.group_ids)):
        raise NotFound
    t = services.transfer_create(
        actor=viewer,
        kind=body.kind,
        handover=handover,
        takeover=takeover,
        customers=customers,
        groups=groups,
        note=body.note,
    )
    return Status(201, _detail(viewer, t.pk))


@router.post("/{transfer_id}/assign", response=TransferOut)
def transfer_assign(request: HttpRequest, transfer_id: int, body: AssignIn):  # type: ignore[no-untyped-def]
    viewer = request.auth  # type: ignore[attr-defined]
    transfer = selectors.transfer_get_for(viewer, transfer_id)
    takeover = selectors.member_in_scope(viewer, body.takeover_id)
    services.transfer_assign(actor=viewer, transfer=transfer, takeover=takeover)
    return _detail(viewer, transfer_id)


@router.post("/{transfer_id}/cancel", response=TransferOut)
def transfer_cancel(request: HttpRequest, transfer_id: int, body: CancelIn):  # type: ignore[no-untyped-def]
    viewer = request.auth  # type: ignore[attr-defined]
    transfer = selectors.transfer_get_for(viewer, transfer_id)
    services.transfer_cancel(actor=viewer, transfer=transfer, reason=body.reason)
    return _detail(viewer, transfer_id)
