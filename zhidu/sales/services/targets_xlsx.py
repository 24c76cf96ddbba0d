"""Excel export and import of a period's target tree (openpyxl), all-or-nothing, errors by row.

Columns (first row, in English or in the reader's language): member (WeCom userid, or the member id when there
is none), name (ignored on import), parent (the member above, empty for the company target), target; an export
also writes the live achievement, which an import ignores. An import replaces the tree: nodes of members not in
the file are removed, the others are moved and changed to match the file.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError
from zhidu.core.periods import period_start
from zhidu.core.xlsx import xlsx_row, xlsx_uncell
from zhidu.org.models import SALES_ROLES, Member, MemberStatus, Role, work_scope_q

from .. import targets_errors as E
from ..models.targets import CorrectivePlan, TargetNode, TargetTree
from ..targets_selectors import TreeView
from .targets import AMOUNT_MAX, clean_period

COLUMNS = (
    ("member", gettext_noop("Member")),
    ("name", gettext_noop("Name")),
    ("parent", gettext_noop("Reports to")),
    ("target", gettext_noop("Target")),
    ("actual", gettext_noop("Achieved")),
)
REQUIRED = ("member", "parent", "target")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ROWS = 20


def member_key(member: Member) -> str:
    return member.wecom_userid or str(member.pk)


def tree_export_xlsx(view: TreeView) -> bytes:
    """The visible part of a tree, parents before children."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "targets"
    ws.append([gettext(label) for _key, label in COLUMNS])
    keys = {v.node.pk: member_key(v.owner) for v in view.nodes.values()}
    for v in view.flat():
        parent = keys.get(v.node.parent_id or 0, "")
        ws.append(xlsx_row([member_key(v.owner), v.owner.name, parent, v.node.amount, v.actual]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Row:
    row: int
    member: str
    parent: str
    target: Any


class ColumnNames:
    """Column labels, translated when the error is read."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys

    def __str__(self) -> str:
        return ", ".join(gettext(label) for key, label in COLUMNS if key in self.keys)


class RowProblems:
    """Bad rows, put into words when the error is read (so in the reader's language)."""

    def __init__(self, rows: dict[int, list[tuple[str, dict[str, Any]]]]) -> None:
        self.rows = sorted(rows.items())

    def __str__(self) -> str:
        parts = [
            gettext(E.ROW_PROBLEMS).format(row=row, problems="; ".join(gettext(t).format(**p) for t, p in problems))
            for row, problems in self.rows[:SHOWN_ROWS]
        ]
        if len(self.rows) > SHOWN_ROWS:
            parts.append(gettext(E.MORE_ROWS).format(count=len(self.rows) - SHOWN_ROWS))
        return "; ".join(parts)


def parse_xlsx(content: bytes) -> list[Row]:
    """Rows of the first sheet; the header row names the columns (English keys or translated labels)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        raw = list(ws.iter_rows(values_only=True, max_row=settings.TARGET_IMPORT_MAX_ROWS + 2))
        wb.close()
    except Exception:  # openpyxl raises many kinds for a bad file
        raise DomainError(E.ERR_NOT_XLSX, field="file") from None
    if not raw:
        raise DomainError(E.ERR_EMPTY, field="file")
    if len(raw) > settings.TARGET_IMPORT_MAX_ROWS + 1:
        raise DomainError(E.ERR_TOO_MANY_ROWS, field="file", max=settings.TARGET_IMPORT_MAX_ROWS)
    names = {key: key for key, _label in COLUMNS}
    for code, _name in settings.LANGUAGES:  # a file exported in any of our languages reads back
        with translation.override(code):
            names.update({gettext(label).lower(): key for key, label in COLUMNS})
    names.update({label.lower(): key for key, label in COLUMNS})
    header = ["" if c is None else str(c).strip().lower() for c in raw[0]]
    columns = [names.get(h, "") for h in header]
    if any(k not in columns for k in REQUIRED):
        wanted = ColumnNames(REQUIRED)
        found = ", ".join(h for h in header if h) or "—"
        raise DomainError(E.ERR_COLUMNS, field="file", columns=wanted, found=found)
    out = []
    for index, values in enumerate(raw[1:], start=2):
        if not any(v not in (None, "") for v in values):
            continue
        data = dict(zip(columns, values, strict=False))

        def text(key: str, data: dict[str, Any] = data) -> str:
            v = data.get(key)
            if v is None:
                return ""
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            return xlsx_uncell(str(v)).strip()

        out.append(Row(row=index, member=text("member"), parent=text("parent"), target=data.get("target")))
    if not out:
        raise DomainError(E.ERR_EMPTY, field="file")
    return out


def _amount(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _validate(rows: list[Row]) -> tuple[dict[str, Member], dict[int, list[tuple[str, dict[str, Any]]]]]:
    keys = {r.member for r in rows if r.member}
    by_userid = {m.wecom_userid or "": m for m in Member.objects.filter(wecom_userid__in=keys)}
    ids = [int(k) for k in keys if k.isdigit() and k not in by_userid]
    by_id = {str(m.pk): m for m in Member.objects.filter(pk__in=ids, wecom_userid__isnull=True)}
    members: dict[str, Member] = {**by_id, **by_userid}
    bad: dict[int, list[tuple[str, dict[str, Any]]]] = {}

    def problem(row: int, template: str, **params: Any) -> None:
        bad.setdefault(row, []).append((template, params))

    listed_keys = {r.member for r in rows}
    first_row: dict[str, int] = {}
    root_row: int | None = None
    for r in rows:
        m = members.get(r.member)
        if not r.member:
            problem(r.row, E.ROW_MEMBER_MISSING)
        elif m is None or m.status != MemberStatus.ACTIVE:
            problem(r.row, E.ROW_MEMBER_UNKNOWN, value=r.member)
        elif r.member in first_row:
            problem(r.row, E.ROW_MEMBER_TWICE, value=r.member, other=first_row[r.member])
        else:
            first_row[r.member] = r.row
            if m.role not in SALES_ROLES:
                problem(r.row, E.ROW_ROLE, name=m.name)
        amount = _amount(r.target)
        if amount is None:
            problem(r.row, E.ROW_AMOUNT_TYPE, value="" if r.target is None else str(r.target))
        elif not 0 <= amount <= AMOUNT_MAX:
            problem(r.row, E.ROW_AMOUNT_RANGE, max=AMOUNT_MAX)
        if not r.parent:
            if root_row is not None:
                problem(r.row, E.ROW_ROOT_TWICE, other=root_row)
            else:
                root_row = r.row
                if m is not None and m.role != Role.DIRECTOR:
                    problem(r.row, E.ROW_ROOT_ROLE)
        elif r.parent not in listed_keys:
            problem(r.row, E.ROW_PARENT_UNKNOWN, value=r.parent)
    if root_row is None:
        problem(rows[0].row, E.ROW_NO_ROOT)
    if bad:
        return members, bad
    # Cycles: follow each row's parent chain; a chain that comes back is a loop (reported on every row in it).
    parent_of = {r.member: r.parent for r in rows}
    row_of = {r.member: r.row for r in rows}
    for r in rows:
        seen = [r.member]
        current = r.parent
        while current:
            if current in seen:
                if current == r.member:
                    problem(r.row, E.ROW_CYCLE, value=r.member)
                break
            seen.append(current)
            current = parent_of.get(current, "")
    if bad:
        return members, bad
    # Scope: each member must be within the work scope of the member above them.
    listed = [m.pk for m in members.values()]
    leads = {members[r.parent].pk: members[r.parent] for r in rows if r.parent}
    scope = {
        pk: set(Member.objects.filter(pk__in=work_scope_q(lead)).filter(pk__in=listed).values_list("pk", flat=True))
        for pk, lead in leads.items()
    }
    for r in rows:
        if r.parent:
            m, lead = members[r.member], members[r.parent]
            if m.pk not in scope[lead.pk] or m.pk == lead.pk:
                problem(row_of[r.member], E.ROW_OUT_OF_SCOPE, name=m.name, owner=lead.name)
    return members, bad


@transaction.atomic
def tree_import_xlsx(*, actor: Member, period: str, start: dt.date, metric: str, content: bytes) -> TargetTree:
    """Replace the period's tree with the file's (the director only); nothing is written if any row is bad."""
    clean_period(period, metric)
    if not actor.is_active or actor.role != Role.DIRECTOR:
        raise DomainError(E.ERR_DIRECTOR_ONLY, code="forbidden")
    rows = parse_xlsx(content)
    members, bad = _validate(rows)
    if bad:
        raise DomainError(E.ERR_IMPORT_ROWS, field="file", count=len(bad), details=RowProblems(bad))
    tree, _ = TargetTree.objects.get_or_create(period=period, start=period_start(period, start), metric=metric)
    existing = {n.owner_id: n for n in TargetNode.objects.select_for_update().filter(tree=tree)}
    before = {str(owner): n.amount for owner, n in existing.items()}
    root_member = members[next(r.member for r in rows if not r.parent)]
    old_root = next((n for n in existing.values() if n.parent_id is None), None)
    if old_root is not None and old_root.owner_id != root_member.pk:
        # A new director at the top: rebuild the tree from scratch.
        _delete_nodes(list(existing.values()))
        existing = {}
    # Parents before children.
    depth: dict[str, int] = {}
    parent_of = {r.member: r.parent for r in rows}
    for r in rows:
        d, current = 0, r.parent
        while current:
            d, current = d + 1, parent_of[current]
        depth[r.member] = d
    nodes: dict[str, TargetNode] = {}
    for r in sorted(rows, key=lambda r: depth[r.member]):
        m = members[r.member]
        amount = (_amount(r.target) or Decimal(0)).quantize(Decimal("0.01"))
        parent = nodes[r.parent] if r.parent else None
        node = existing.pop(m.pk, None)
        if node is None:
            node = TargetNode.objects.create(tree=tree, owner=m, parent=parent, amount=amount, set_by=actor)
        else:
            node.parent, node.amount, node.set_by = parent, amount, actor
            node.save(update_fields=["parent", "amount", "set_by", "updated_at"])
        nodes[r.member] = node
    _delete_nodes(list(existing.values()))
    audit_record(
        actor=actor,
        verb="target.import",
        target=tree,
        before=before,
        after={str(n.owner_id): n.amount for n in nodes.values()},
    )
    return tree


def _delete_nodes(nodes: list[TargetNode]) -> None:
    """Delete nodes whose remaining children are all being deleted too (deepest first)."""
    pending = {n.pk for n in nodes}
    CorrectivePlan.objects.filter(node_id__in=pending).delete()
    while pending:
        parents = set(TargetNode.objects.filter(parent_id__in=pending).values_list("parent_id", flat=True))
        leaves = pending - parents
        if not leaves:  # cannot happen in a tree; refuse rather than loop
            raise DomainError(E.ERR_CYCLE, field="file", name="?")
        TargetNode.objects.filter(pk__in=leaves).delete()
        pending -= leaves
