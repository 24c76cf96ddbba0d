"""The demo's transfer (`zhidu demo`, `make run`): a supervisor moves two customers between salespeople of their
team, so the demo company has an on-job transfer in progress (WeCom takes 24 h; `make run` gives the simulator
the same delay)."""

from __future__ import annotations

from zhidu.org.models import Member, MemberStatus, Role

from .models import Customer, FollowRelation, Transfer, TransferKind
from .transfers import transfer_create

DEMO_NOTE = "演示：客户分配调整"


def demo_transfer() -> Transfer | None:
    """Idempotent: does nothing once any transfer exists or when no team has customers."""
    if Transfer.objects.exists():
        return None
    for lead in Member.objects.filter(role=Role.SUPERVISOR, status=MemberStatus.ACTIVE).order_by("id"):
        team = list(
            lead.reports.filter(role=Role.SALES, status=MemberStatus.ACTIVE).exclude(wecom_userid=None).order_by("id")
        )
        for handover in team:
            ids = (
                FollowRelation.objects.filter(member=handover, deleted=False)
                .order_by("id")
                .values_list("customer_id", flat=True)
            )
            customers = list(Customer.objects.filter(pk__in=list(ids[:2])))
            others = [m for m in team if m.pk != handover.pk]
            if len(customers) == 2 and others:
                return transfer_create(
                    actor=lead,
                    kind=TransferKind.ONJOB,
                    handover=handover,
                    takeover=others[0],
                    customers=customers,
                    note=DEMO_NOTE,
                )
    return None
