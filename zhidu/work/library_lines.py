"""A case's lines from archived messages: the text masked (`library_masking`), the members' side labelled by role
and the customers numbered in order of appearance; and their display (labels in the reader's language)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhidu.compliance.models import ArchiveMessage
from zhidu.customers.models import Customer, FollowRelation
from zhidu.org.models import Member, Role

from .library_masking import mask_text


def _customer_names(messages: Sequence[ArchiveMessage]) -> list[str]:
    """Everything that names the chat's customers: their names, companies, the members' remarks and remark numbers."""
    ids = {m.customer_id for m in messages if m.customer_id} | {m.sender for m in messages if m.side == "customer"}
    names: list[str] = []
    for name, corp in Customer.objects.filter(external_userid__in=ids).values_list("name", "corp_name"):
        names += [name, corp]
    for remark, corp, mobiles in FollowRelation.objects.filter(customer__external_userid__in=ids).values_list(
        "remark", "remark_corp_name", "remark_mobiles"
    ):
        names += [remark, corp, *[str(m) for m in mobiles or []]]
    return [n for n in names if n]


def case_lines(messages: Sequence[ArchiveMessage]) -> list[dict[str, object]]:
    """The stored lines of a case: masked text; the members' side by role, customers numbered in order."""
    names = _customer_names(messages)
    senders = {m.sender for m in messages if m.side == "staff"}
    roles = dict(Member.objects.filter(wecom_userid__in=senders).values_list("wecom_userid", "role"))
    customers: dict[str, int] = {}
    lines: list[dict[str, object]] = []
    for m in messages:
        party = 0
        if m.side != "staff":
            party = customers.setdefault(m.sender, len(customers) + 1)
        lines.append(
            {
                "side": "staff" if m.side == "staff" else "customer",
                "role": roles.get(m.sender, "") if m.side == "staff" else "",
                "party": party,
                "msgtype": m.msgtype,
                "text": mask_text(m.text, names=names),
                "at": m.sent_at.isoformat(),
            }
        )
    return lines


@dataclass(frozen=True)
class Line:
    label: str
    staff: bool
    text: str
    at: dt.datetime | None
    msgtype: str
    id: int = 0


def line_label(line: dict[str, object]) -> str:
    if line.get("side") == "staff":
        role = str(line.get("role") or "")
        return str(Role(role).label) if role in Role.values else _("Staff")
    return _("Customer %(n)s") % {"n": line.get("party") or 1}


def display(lines: Sequence[dict[str, object]], ids: Sequence[int] = ()) -> list[Line]:
    out = []
    for i, line in enumerate(lines):
        try:
            at = dt.datetime.fromisoformat(str(line.get("at")))
        except ValueError:
            at = None
        out.append(
            Line(
                label=line_label(line),
                staff=line.get("side") == "staff",
                text=str(line.get("text") or ""),
                at=at,
                msgtype=str(line.get("msgtype") or ""),
                id=ids[i] if i < len(ids) else 0,
            )
        )
    return out
