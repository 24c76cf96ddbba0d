"""Writes of customer development: stage and needs analysis, follow-up records, tags, bulk changes, the
last-chat times compliance reports, and the loss of a customer. Validated, one transaction, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.events import publish
from zhidu.core.notifications import notify
from zhidu.org.models import Member, MemberStatus, Role

from ..models import (
    Development,
    FollowRelation,
    FollowUp,
    FollowUpKind,
    ReminderKind,
    ReminderLevel,
    ReminderSent,
    Stage,
    Tag,
)
from . import errors as e

# Roles that develop customers (their own, or those of the members in their scope).
WRITERS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES)
BULK_MAX = 500
DEV_FIELDS = ["stage", "budget", "need", "decision_maker", "timing", "next_action", "next_action_on"]
TEXT_LIMITS = {"budget": 200, "decision_maker": 200, "timing": 200, "next_action": 200, "need": 2000}
FIELD_LABELS = {
    "budget": gettext_noop("Budget"),
    "need": gettext_noop("Need"),
    "decision_maker": gettext_noop("Decision maker"),
    "timing": gettext_noop("Timing"),
    "next_action": gettext_noop("Next action"),
    "summary": gettext_noop("Follow-up summary"),
    "outcome": gettext_noop("Outcome"),
    "next_step": gettext_noop("Next step"),
}


def _label(field: str) -> str:
    return _(FIELD_LABELS.get(field, field))


def follow_for_write(actor: Member, follow_id: int, *, lock: bool = False) -> FollowRelation:
    """The follow relation `actor` may develop; one outside their scope looks missing."""
    qs = FollowRelation.objects.visible_to(actor)
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        follow = qs.select_related("customer", "member").get(pk=follow_id)
    except (FollowRelation.DoesNotExist, ValueError, TypeError):
        raise NotFound from None
    if actor.role not in WRITERS:
        raise DomainError(e.ERR_FORBIDDEN, code="forbidden")
    return follow


def development_of(follow: FollowRelation) -> Development:
    dev, _created = Development.objects.get_or_create(follow=follow)
    return dev


def _text(field: str, value: str | None, *, required: bool = False) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if required and not value:
        raise DomainError(e.ERR_REQUIRED, field=field, label=_label(field))
    limit = TEXT_LIMITS.get(field, 2000)
    if len(value) > limit:
        raise DomainError(e.ERR_TOO_LONG, field=field, label=_label(field), max=limit)
    return value


def _check_stage(stage: str) -> None:
    if stage not in Stage.values:
        raise DomainError(e.ERR_STAGE, field="stage", value=stage)


def _collaborators(ids: Sequence[int], follow: FollowRelation) -> list[Member]:
    wanted = {int(i) for i in ids} - {follow.member_id}
    found = list(Member.objects.filter(pk__in=wanted, status=MemberStatus.ACTIVE, role__in=WRITERS))
    missing = wanted - {m.pk for m in found}
    if missing:
        raise DomainError(e.ERR_COLLABORATOR, field="collaborators", value=min(missing))
    return found


@transaction.atomic
def development_update(
    *,
    actor: Member,
    follow_id: int,
    stage: str | None = None,
    budget: str | None = None,
    need: str | None = None,
    decision_maker: str | None = None,
    timing: str | None = None,
    next_action: str | None = None,
    next_action_on: dt.date | None = None,
    clear_next_action_on: bool = False,
    collaborator_ids: Sequence[int] | None = None,
) -> Development:
    """Change the stage, needs analysis (S9 4.1), next action or collaborators of one follow relation.
    Fields left as None stay as they are."""
    follow = follow_for_write(actor, follow_id, lock=True)
    if stage is not None:
        _check_stage(stage)
    values: dict[str, Any] = {}
    for field, value in (
        ("budget", budget),
        ("need", need),
        ("decision_maker", decision_maker),
        ("timing", timing),
        ("next_action", next_action),
    ):
        checked = _text(field, value)
        if checked is not None:
            values[field] = checked
    if stage is not None:
        values["stage"] = stage
    if next_action_on is not None:
        values["next_action_on"] = next_action_on
    elif clear_next_action_on:
        values["next_action_on"] = None
    collaborators = _collaborators(collaborator_ids, follow) if collaborator_ids is not None else None
    dev = development_of(follow)
    before = snapshot(dev, DEV_FIELDS)
    before_collab = sorted(dev.collaborators.values_list("pk", flat=True))
    for field, value in values.items():
        setattr(dev, field, value)
    dev.save()
    after = snapshot(dev, DEV_FIELDS)
    if collaborators is not None:
        dev.collaborators.set(collaborators)
        after_collab = sorted(m.pk for m in collaborators)
        if after_collab != before_collab:
            before["collaborators"], after["collaborators"] = before_collab, after_collab
    changed = {k for k in after if before.get(k) != after[k]}
    if changed:
        audit_record(
            actor=actor,
            verb="development.update",
            target=dev,
            before={k: before.get(k) for k in sorted(changed)},
            after={k: after[k] for k in sorted(changed)},
        )
    return dev


def _touch_contact(dev: Development, *, followup_at: dt.datetime | None = None, chat_at: dt.datetime | None = None):  # type: ignore[no-untyped-def]
    if followup_at is not None and (dev.last_followup_at is None or followup_at > dev.last_followup_at):
        dev.last_followup_at = followup_at
    if chat_at is not None and (dev.last_chat_at is None or chat_at > dev.last_chat_at):
        dev.last_chat_at = chat_at
    latest = [t for t in (dev.last_followup_at, dev.last_chat_at) if t is not None]
    dev.last_contact_at = max(latest) if latest else None


@transaction.atomic
def followup_record(
    *,
    actor: Member,
    follow_id: int,
    kind: str,
    summary: str,
    outcome: str = "",
    next_step: str = "",
    next_action_on: dt.date | None = None,
    happened_at: dt.datetime | None = None,
) -> FollowUp:
    """Log a follow-up (跟进记录). Its next step becomes the relation's next action (with the date, if given)."""
    follow = follow_for_write(actor, follow_id, lock=True)
    return _followup_write(
        actor=actor,
        follow=follow,
        kind=kind,
        summary=summary,
        outcome=outcome,
        next_step=next_step,
        next_action_on=next_action_on,
        happened_at=happened_at,
    )


def followup_validate(
    *, kind: str, summary: str, outcome: str, next_step: str, happened_at: dt.datetime | None
) -> tuple[str, str, str]:
    if kind not in FollowUpKind.values:
        raise DomainError(e.ERR_KIND, field="kind", value=kind)
    summary_ = _text("summary", summary, required=True) or ""
    outcome_ = _text("outcome", outcome) or ""
    next_ = _text("next_step", next_step) or ""
    if happened_at is not None and happened_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(e.ERR_FUTURE, field="happened_at")
    return summary_, outcome_, next_


def _followup_write(
    *,
    actor: Member,
    follow: FollowRelation,
    kind: str,
    summary: str,
    outcome: str,
    next_step: str,
    next_action_on: dt.date | None,
    happened_at: dt.datetime | None,
) -> FollowUp:
    summary, outcome, next_step = followup_validate(
        kind=kind, summary=summary, outcome=outcome, next_step=next_step, happened_at=happened_at
    )
    at = happened_at or timezone.now()
    record = FollowUp.objects.create(
        follow=follow, author=actor, kind=kind, happened_at=at, summary=summary, outcome=outcome, next_step=next_step
    )
    dev = development_of(follow)
    _touch_contact(dev, followup_at=at)
    if next_step:
        dev.next_action = next_step
        dev.next_action_on = next_action_on
    dev.save()
    audit_record(
        actor=actor,
        verb="followup.record",
        target=record,
        after={"follow": follow.pk, "kind": kind, "summary": summary[:200], "next_step": next_step},
    )
    return record


def _tags(ids: Sequence[int]) -> list[Tag]:
    wanted = {int(i) for i in ids}
    found = list(Tag.objects.filter(pk__in=wanted, deleted=False, group__deleted=False))
    missing = wanted - {t.pk for t in found}
    if missing:
        raise DomainError(e.ERR_TAG, field="tags", value=min(missing))
    return found


def _tags_apply(actor: Member, follow: FollowRelation, add: list[Tag], remove: list[Tag]) -> bool:
    current = set(follow.tags.values_list("pk", flat=True))
    adding = [t for t in add if t.pk not in current]
    removing = [t for t in remove if t.pk in current and t not in add]
    if not adding and not removing:
        return False
    follow.tags.add(*adding)
    follow.tags.remove(*removing)
    audit_record(
        actor=actor,
        verb="follow.tags",
        target=follow,
        before={"tags": sorted(current)},
        after={"tags": sorted((current | {t.pk for t in adding}) - {t.pk for t in removing})},
    )
    # WeCom is told after commit (zhidu.wecom subscribes and calls externalcontact/mark_tag).
    publish(
        "customers.tags_changed",
        external_userid=follow.customer.external_userid,
        userid=follow.member.wecom_userid or "",
        add=[t.wecom_id for t in adding],
        remove=[t.wecom_id for t in removing],
    )
    return True


@transaction.atomic
def follow_tags_change(*, actor: Member, follow_id: int, add: Sequence[int] = (), remove: Sequence[int] = ()) -> bool:
    """Add and remove corp tags on one follow relation; WeCom gets the change through mark_tag."""
    if not add and not remove:
        raise DomainError(e.ERR_TAG_NOTHING, field="tags")
    follow = follow_for_write(actor, follow_id, lock=True)
    return _tags_apply(actor, follow, _tags(add), _tags(remove))


def _bulk_follows(actor: Member, follow_ids: Sequence[int]) -> list[FollowRelation]:
    ids = list(dict.fromkeys(int(i) for i in follow_ids))
    if not ids:
        raise DomainError(e.ERR_BULK_EMPTY, field="ids")
    if len(ids) > BULK_MAX:
        raise DomainError(e.ERR_BULK_MAX, field="ids", max=BULK_MAX)
    follows = list(
        FollowRelation.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("customer", "member")
        .filter(pk__in=ids)
    )
    if len(follows) != len(ids):  # one foreign id: nothing is changed
        raise NotFound
    if actor.role not in WRITERS:
        raise DomainError(e.ERR_FORBIDDEN, code="forbidden")
    return follows


@transaction.atomic
def development_bulk_stage(*, actor: Member, follow_ids: Sequence[int], stage: str) -> int:
    """Set one stage on many follow relations (all in the actor's scope, or none). Returns how many changed."""
    _check_stage(stage)
    changed = 0
    for follow in _bulk_follows(actor, follow_ids):
        dev = development_of(follow)
        if dev.stage == stage:
            continue
        before = dev.stage
        dev.stage = stage
        dev.save(update_fields=["stage", "updated_at"])
        audit_record(
            actor=actor, verb="development.update", target=dev, before={"stage": before}, after={"stage": stage}
        )
        changed += 1
    return changed


@transaction.atomic
def follow_bulk_tags(
    *, actor: Member, follow_ids: Sequence[int], add: Sequence[int] = (), remove: Sequence[int] = ()
) -> int:
    if not add and not remove:
        raise DomainError(e.ERR_TAG_NOTHING, field="tags")
    adding, removing = _tags(add), _tags(remove)
    return sum(_tags_apply(actor, f, adding, removing) for f in _bulk_follows(actor, follow_ids))


# --- reported by other layers ---------------------------------------------------------------------------


@transaction.atomic
def chats_seen(*, chats: list[list[Any]]) -> int:
    """Handler of `compliance.customer_chats`: [[member_id, external_userid, iso time], …] of one archive batch.

    Records the latest chat time on the matching follow relations (the "no chat" reminders and the list's last
    contact read it). Returns how many relations changed."""
    latest: dict[tuple[int, str], dt.datetime] = {}
    for member_id, external_userid, when in chats:
        at = parse_datetime(str(when))
        if at is None:
            continue
        key = (int(member_id), str(external_userid))
        if key not in latest or at > latest[key]:
            latest[key] = at
    if not latest:
        return 0
    follows = FollowRelation.objects.filter(
        member_id__in={m for m, _c in latest}, customer__external_userid__in={c for _m, c in latest}
    ).select_related("customer")
    by_pair = {(f.member_id, f.customer.external_userid): f for f in follows}
    pairs = {pair: f for pair, f in by_pair.items() if pair in latest}
    follow_ids = [f.pk for f in pairs.values()]
    # rows a concurrent writer creates meanwhile are kept (ignore_conflicts), then everything is read back locked
    Development.objects.bulk_create([Development(follow_id=pk) for pk in follow_ids], ignore_conflicts=True)
    existing = {d.follow_id: d for d in Development.objects.select_for_update().filter(follow_id__in=follow_ids)}
    changed: list[Development] = []
    for pair, follow in pairs.items():
        dev = existing[follow.pk]
        before = dev.last_chat_at
        _touch_contact(dev, chat_at=latest[pair])
        if dev.last_chat_at != before:
            changed.append(dev)
    Development.objects.bulk_update(changed, ["last_chat_at", "last_contact_at"], batch_size=500)
    return len(changed)


def follow_lost(*, follow: FollowRelation) -> None:
    """The customer deleted the member (`del_follow_user`): stage 已流失, and the owner and their supervisor
    hear of it (流失提醒). Runs inside the caller's transaction (`follow_end`)."""
    dev = development_of(follow)
    before = dev.stage
    if before != Stage.LOST:
        dev.stage = Stage.LOST
        dev.save(update_fields=["stage", "updated_at"])
        audit_record(
            actor=None,
            actor_label="wecom",
            verb="development.lost",
            target=dev,
            before={"stage": before},
            after={"stage": Stage.LOST},
        )
    owner = follow.member
    recipients = [(ReminderLevel.OWNER, owner.pk)]
    if owner.reports_to_id:
        recipients.append((ReminderLevel.SUPERVISOR, owner.reports_to_id))
    anchor = (follow.deleted_at or timezone.now()).isoformat()[:40]
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        name = follow.customer.name or follow.customer.external_userid
        title = _("Customer lost: %(customer)s deleted %(member)s") % {"customer": name, "member": owner.name}
        body = _("Stage before: %(stage)s") % {"stage": Stage(before).label}
        for level, member_id in recipients:
            if ReminderSent.objects.filter(follow=follow, kind=ReminderKind.LOST, level=level, anchor=anchor).exists():
                continue
            notify(
                member_ids=[member_id],
                title=title,
                body=body,
                url=reverse("customers:detail", args=[follow.customer_id]),
                action=_("View"),
                dedupe_key=f"custlost:{follow.pk}:{level}:{anchor}",
            )
            ReminderSent.objects.create(
                follow=follow, kind=ReminderKind.LOST, level=level, anchor=anchor, recipient_id=member_id, sent_at=now
            )
