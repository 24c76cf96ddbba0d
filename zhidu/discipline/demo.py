"""The discipline part of the demo (`make run`): the default sanction policies, then a salesperson's three chat
messages that break the demo regulation go through the real archive ingest (scan, violations citing the
regulation), their supervisor confirms them with consequence facts, and the proposals take their course —
an approved fine the member appealed (pending), a written warning awaiting the lead, and a dismissal
proposed for the third repeat that the supervisor changed into an oral warning.
Idempotent: does nothing once any reward or penalty exists."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from django.utils import timezone

from zhidu.compliance.models import Impact, Violation, ViolationStatus
from zhidu.compliance.services.ingest import archive_ingest
from zhidu.compliance.services.review import violation_confirm
from zhidu.customers.models import FollowRelation
from zhidu.org.models import Member, MemberStatus, Role
from zhidu.wecom.archive.base import ArchiveRecord
from zhidu.wecom.archive.decode import parse_plaintext

from .models import Kind, Sanction
from .services import (
    appeal_submit,
    policy_defaults,
    sanction_approve,
    sanction_change,
    sanction_propose_for_violation,
)

log = logging.getLogger(__name__)

TEXTS = [
    "这款是全网最低价，今天下单最划算",
    "放心，我们的产品是全网第一，效果最好",
    "这个价格是史上最低，错过就没有了",
]


class _DemoChat:
    """Three decrypted archive records of one salesperson to one customer (an in-memory archive source)."""

    name = "demo:discipline"

    def __init__(self, sender: str, customer: str) -> None:
        now = int(timezone.now().timestamp() * 1000)
        self.records = [
            {
                "msgid": f"demo-discipline-{i}",
                "action": "send",
                "from": sender,
                "tolist": [customer],
                "roomid": "",
                "msgtime": now - (len(TEXTS) - i) * 3_600_000,
                "msgtype": "text",
                "text": {"content": text},
            }
            for i, text in enumerate(TEXTS, start=1)
        ]

    def fetch(self, seq: int, limit: int) -> list[ArchiveRecord]:
        return [
            ArchiveRecord(seq=i, msg=parse_plaintext(orjson.dumps(rec)), where=f"demo {i}")
            for i, rec in enumerate(self.records, start=1)
            if i > seq
        ][:limit]


def _cast() -> tuple[Member, Member, str] | None:
    for sales in Member.objects.filter(role=Role.SALES, status=MemberStatus.ACTIVE).exclude(wecom_userid=None):
        lead = sales.reports_to
        if lead is None or lead.role != Role.SUPERVISOR or lead.reports_to is None:
            continue
        follow = FollowRelation.objects.filter(member=sales, deleted=False).select_related("customer").first()
        customer = follow.customer.external_userid if follow else "wmDemoDisciplineCustomer"
        return sales, lead, customer
    return None


def demo_discipline() -> None:
    # Rewards may already be proposed (the performance demo freezes last month's ranking before this step runs).
    if Sanction.objects.filter(violation__isnull=False).exists():
        return
    policy_defaults()
    cast = _cast()
    if cast is None:
        log.info("demo discipline: no salesperson with a supervisor and a manager")
        return
    sales, supervisor, customer = cast
    assert sales.wecom_userid is not None
    archive_ingest(source=_DemoChat(sales.wecom_userid, customer))
    violations = list(
        Violation.objects.filter(
            member=sales, status=ViolationStatus.OPEN, message__msgid__startswith="demo-discipline-"
        ).order_by("occurred_at")[:3]
    )
    if len(violations) < 3:
        log.info("demo discipline: the demo messages found %s violations", len(violations))
        return
    facts: list[dict[str, Any]] = [
        {"loss_amount": "800", "impact": Impact.BAD},
        {"loss_amount": None, "impact": Impact.NONE},
        {"loss_amount": None, "impact": Impact.NONE},
    ]
    sanctions = []
    for v, f in zip(violations, facts, strict=True):
        violation_confirm(actor=supervisor, violation=v, reason="已核实聊天记录", **f)
        # the `violation.confirmed` handler proposes after the commit; inside an outer transaction, propose now
        # (idempotent: the handler then finds the proposal)
        sanctions.append(
            Sanction.objects.filter(violation=v).first() or sanction_propose_for_violation(violation_id=v.pk)
        )
    fine, _pending, third = sanctions
    if fine is not None and fine.kind == Kind.FINE:
        sanction_approve(actor=supervisor, sanction=fine, reason="属实")
        appeal_submit(actor=sales, sanction=fine, text="客户事后确认未受影响，损失已追回，请求撤销罚款。")
    if third is not None:
        sanction_change(actor=supervisor, sanction=third, kind=Kind.ORAL_WARNING, reason="本人已认识错误")
    # the second stays pending in the supervisor's inbox
    log.info("demo discipline: %s proposals", len([s for s in sanctions if s is not None]))
