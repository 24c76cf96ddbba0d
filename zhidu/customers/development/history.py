"""The customer page's change history in words: audit events of its follow relations and their development."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhidu.core.models import AuditEvent

from ..models import Development, FollowEnd, FollowRelation, Stage

VERBS = {
    "development.update": gettext_noop("Development changed"),
    "development.lost": gettext_noop("The customer deleted the member: lost"),
    "follow.tags": gettext_noop("Tags changed"),
    "follow.end": gettext_noop("Follow relation ended"),
    "follow.create": gettext_noop("Customer added"),
    "follow.update": gettext_noop("Synced from WeCom"),
    "follow.archive_agree": gettext_noop("Agreed to chat archiving"),
    "follow.transfer_fail": gettext_noop("Transfer failed"),
}


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    who: str
    what: str
    changes: list[tuple[str, str, str]]  # (field, before, after)


def _field_label(name: str) -> str:
    if name == "collaborators":
        return _("Collaborators")
    if name == "tags":
        return _("Tags")
    for model in (Development, FollowRelation):
        try:
            return str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
        except FieldDoesNotExist:
            continue
    return name


def _value(name: str, value: Any, tag_names: dict[int, str], member_names: dict[int, str]) -> str:
    if value in (None, "", []):
        return "—"
    if name == "stage" and value in Stage.values:
        return str(Stage(value).label)
    if name == "end_reason" and value in FollowEnd.values:
        return str(FollowEnd(value).label)
    if name == "tags" and isinstance(value, list):
        return "、".join(tag_names.get(v, str(v)) for v in value)
    if name == "collaborators" and isinstance(value, list):
        return "、".join(member_names.get(v, str(v)) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def history_lines(events: list[AuditEvent]) -> list[HistoryLine]:
    """Two extra queries at most (tag and member names), whatever the number of events."""
    from zhidu.org.models import Member

    from ..models import Tag

    tag_ids: set[int] = set()
    member_ids: set[int] = set()
    for ev in events:
        for side in (ev.before or {}, ev.after or {}):
            tag_ids.update(v for v in side.get("tags", []) if isinstance(v, int))
            member_ids.update(v for v in side.get("collaborators", []) if isinstance(v, int))
    tags = dict(Tag.objects.filter(pk__in=tag_ids).values_list("pk", "name")) if tag_ids else {}
    members = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "name")) if member_ids else {}
    out = []
    for ev in events:
        before, after = ev.before or {}, ev.after or {}
        changes = [
            (_field_label(k), _value(k, before.get(k), tags, members), _value(k, after.get(k), tags, members))
            for k in after
            if k in before or ev.verb.startswith("development")
        ]
        who = ev.actor.name if ev.actor else (ev.actor_label or _("System"))
        out.append(HistoryLine(ev.at, who, _(VERBS.get(ev.verb, ev.verb)), changes))
    return out
