"""Approved account profiles and profile reviews (S8 第十条): services and scoped reads.

A member's public WeCom profile (name, alias, avatar, external position, external profile) is approved once;
every later observation is compared with it. The first observation becomes the approved baseline. A difference
opens one review per member (a further change updates it); the member's lead approves the new profile or asks
the member to restore the approved one, and a later observation of the approved values closes it as restored.
Nobody is blamed automatically: an admin's console edit looks exactly like the member's own, so no violation.

Observations come from the WeCom layer (`zhidu.wecom.profiles`), which also makes changes through WeCom.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.notifications import notify

from .models import (
    OPEN_REVIEW_STATUSES,
    PROFILE_FIELDS,
    ApprovedProfile,
    Member,
    ProfileReview,
    ProfileSource,
    ReviewStatus,
)
from .services import can_manage

ERR_NOT_ALLOWED = gettext_noop("Only the member's lead (or someone above them) may decide about this profile.")
ERR_REVIEW_CLOSED = gettext_noop("This review is already closed ({status}).")
ERR_RESTORE_ALREADY = gettext_noop("The member was already asked to restore the approved profile.")
ERR_REASON_REQUIRED = gettext_noop("Say why the member should restore the approved profile.")

CHECK_ACTOR = "profile-check"
REVIEW_PAGE_SIZE = 50

FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "alias": gettext_lazy("Alias"),
    "avatar": gettext_lazy("Avatar"),
    "external_position": gettext_lazy("External position"),
    "external_profile": gettext_lazy("External profile"),
}


# --- comparing ------------------------------------------------------------------------------------------


ATTRS_MAX = 20  # external_attr rows kept (WeCom shows a handful)
VALUE_MAX = 500  # characters kept of any one profile value


def _text(value: Any) -> str:
    return str(value or "").strip()[:VALUE_MAX]


def _attr(row: Mapping[str, Any]) -> dict[str, Any]:
    kind = row.get("type", 0)
    out: dict[str, Any] = {"type": int(kind) if str(kind).isdigit() else 0, "name": _text(row.get("name"))}
    for key in ("text", "web", "miniprogram"):
        if isinstance(row.get(key), Mapping):
            out[key] = {str(k)[:64]: _text(v) for k, v in sorted(row[key].items())[:8]}
    return out


def normalize_external_profile(value: Any) -> dict[str, Any]:
    """The comparable part of WeCom's external_profile: corp name, channels nickname, attribute rows."""
    value = value if isinstance(value, Mapping) else {}
    channels = value.get("wechat_channels") if isinstance(value.get("wechat_channels"), Mapping) else {}
    attrs = value.get("external_attr") if isinstance(value.get("external_attr"), list) else []
    return {
        "external_corp_name": _text(value.get("external_corp_name")),
        "wechat_channels": {"nickname": _text(channels.get("nickname"))},
        "external_attr": [_attr(a) for a in attrs[:ATTRS_MAX] if isinstance(a, Mapping)],
    }


def normalize_profile(values: Mapping[str, Any]) -> dict[str, Any]:
    """A profile as compared and stored: the five fields, text stripped, external_profile normalised."""
    out: dict[str, Any] = {name: _text(values.get(name)) for name in PROFILE_FIELDS if name != "external_profile"}
    out["external_profile"] = normalize_external_profile(values.get("external_profile"))
    return out


def profile_diff(approved: Mapping[str, Any], observed: Mapping[str, Any]) -> list[str]:
    """The fields that differ. An empty observed avatar is WeCom withholding a sensitive field, not a change."""
    changed = []
    for name in PROFILE_FIELDS:
        if name == "avatar" and not observed.get(name):
            continue
        if approved.get(name) != observed.get(name):
            changed.append(name)
    return changed


def value_text(field: str, value: Any) -> str:
    """One field's value as a person reads it (external_profile summarised line by line)."""
    if field != "external_profile":
        return _text(value) or "—"
    value = normalize_external_profile(value)
    lines = []
    if value["external_corp_name"]:
        lines.append(gettext("Company") + ": " + value["external_corp_name"])
    if value["wechat_channels"]["nickname"]:
        lines.append(gettext("Channels video") + ": " + value["wechat_channels"]["nickname"])
    for attr in value["external_attr"]:
        shown = attr.get("text", {}).get("value") or attr.get("web", {}).get("url") or attr.get("miniprogram", {})
        lines.append(f"{attr['name']}: {shown or '—'}")
    return "\n".join(lines) or "—"


def _restore_value(field: str, value: Any) -> str:
    if field == "avatar":  # a picture's address means nothing to a person: the review page shows it
        return gettext("the approved avatar (see the review)")
    return value_text(field, value)


def comparison(review: ProfileReview) -> list[dict[str, Any]]:
    """Rows for the side-by-side view: field label, approved value, observed value, whether it changed."""
    return [
        {
            "field": name,
            "label": FIELD_LABELS[name],
            "approved": value_text(name, review.approved.get(name)),
            "observed": value_text(name, review.observed.get(name)),
            "changed": name in review.changed_fields,
            "is_image": name == "avatar",
            "approved_raw": review.approved.get(name, ""),
            "observed_raw": review.observed.get(name, ""),
        }
        for name in PROFILE_FIELDS
    ]


# --- observing ------------------------------------------------------------------------------------------


def review_url(review: ProfileReview) -> str:
    return reverse("org:profile_review", args=[review.pk])


def _notify_lead(review: ProfileReview) -> None:
    lead_id = review.member.reports_to_id
    if not lead_id:
        return
    with translation.override(settings.LANGUAGE_CODE):
        labels = "、".join(str(FIELD_LABELS[f]) for f in review.changed_fields)
        notify(
            member_ids=[lead_id],
            title=gettext("%(name)s's WeCom profile changed") % {"name": review.member.name},
            body=gettext("Changed: %(fields)s. Approve the new profile or ask for the approved one back.")
            % {"fields": labels},
            url=review_url(review),
            action=gettext("Review"),
            dedupe_key=f"profile-review:{review.pk}",
        )


@transaction.atomic
def profile_observe(*, member: Member, observed: Mapping[str, Any], actor_label: str = CHECK_ACTOR) -> str:
    """Compare what WeCom shows for `member` with the approved profile and act on it.

    Returns "baseline" (first observation, now approved), "unchanged", "opened" (a review), "updated" (the open
    review now shows the newer values) or "restored" (the approved values are back; the review is closed)."""
    now = timezone.now()
    values = normalize_profile(observed)
    approved = ApprovedProfile.objects.select_for_update().filter(member=member).first()
    if approved is None:
        approved = ApprovedProfile.objects.create(member=member, approved_at=now, **values)
        audit_record(actor=None, actor_label=actor_label, verb="profile.baseline", target=approved, after=values)
        return "baseline"
    changed = profile_diff(approved.values(), values)
    review = ProfileReview.objects.select_for_update().filter(member=member, status__in=OPEN_REVIEW_STATUSES).first()
    if review is None:
        if not changed:
            return "unchanged"
        review = ProfileReview.objects.create(
            member=member, approved=approved.values(), observed=values, changed_fields=changed, observed_at=now
        )
        audit_record(
            actor=None,
            actor_label=actor_label,
            verb="profile_review.open",
            target=review,
            before={f: approved.values()[f] for f in changed},
            after={f: values[f] for f in changed},
        )
        _notify_lead(review)
        return "opened"
    if not changed:
        before = {"status": review.status}
        review.status, review.closed_at, review.observed, review.observed_at = ReviewStatus.RESTORED, now, values, now
        review.changed_fields = []
        review.save()
        audit_record(
            actor=None,
            actor_label=actor_label,
            verb="profile_review.restored",
            target=review,
            before=before,
            after={"status": review.status},
        )
        return "restored"
    if values == review.observed:
        ProfileReview.objects.filter(pk=review.pk).update(observed_at=now)
        return "unchanged"
    before = {"observed": review.observed, "changed_fields": review.changed_fields}
    review.observed, review.changed_fields, review.observed_at = values, changed, now
    review.save()
    audit_record(
        actor=None,
        actor_label=actor_label,
        verb="profile_review.update",
        target=review,
        before=before,
        after={"observed": values, "changed_fields": changed},
    )
    return "updated"


# --- deciding -------------------------------------------------------------------------------------------


def can_decide(actor: Member, review: ProfileReview) -> bool:
    """The member's lead chain (within their scope) and the director; never the member themselves."""
    return review.is_open and can_manage(actor, review.member) and actor.role != "admin"


def _locked_open(actor: Member, review: ProfileReview) -> ProfileReview:
    locked = ProfileReview.objects.select_for_update().select_related("member").get(pk=review.pk)
    if not ProfileReview.objects.visible_to(actor).filter(pk=locked.pk).exists():
        raise NotFound
    if not can_manage(actor, locked.member) or actor.role == "admin":
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")
    if not locked.is_open:
        raise DomainError(ERR_REVIEW_CLOSED, code="conflict", status=ReviewStatus(locked.status).label)
    return locked


def _set_approved(
    *, member: Member, values: Mapping[str, Any], actor: Member | None, source: str, reason: str = ""
) -> ApprovedProfile:
    now = timezone.now()
    approved = ApprovedProfile.objects.select_for_update().filter(member=member).first()
    before = approved.values() if approved is not None else None
    if approved is None:
        approved = ApprovedProfile(member=member)
    for name, value in values.items():
        setattr(approved, name, value)
    approved.source, approved.approved_by, approved.approved_at = source, actor, now
    approved.save()
    verb = "profile.change" if source == ProfileSource.ZHIDU else "profile.approve"
    audit_record(actor=actor, verb=verb, target=approved, before=before, after=approved.values(), reason=reason)
    return approved


@transaction.atomic
def profile_review_approve(*, actor: Member, review: ProfileReview, reason: str = "") -> ProfileReview:
    """The new profile is fine: it becomes the approved one."""
    review = _locked_open(actor, review)
    _set_approved(member=review.member, values=review.observed, actor=actor, source=ProfileSource.REVIEW, reason=reason)
    before = {"status": review.status}
    review.status, review.decided_by, review.decided_at, review.reason = (
        ReviewStatus.APPROVED,
        actor,
        timezone.now(),
        reason,
    )
    review.closed_at = review.decided_at
    review.save()
    audit_record(
        actor=actor,
        verb="profile_review.approve",
        target=review,
        before=before,
        after={"status": review.status},
        reason=reason,
    )
    return review


@transaction.atomic
def profile_review_request_restore(*, actor: Member, review: ProfileReview, reason: str) -> ProfileReview:
    """Ask the member to put the approved values back (they are told what to change); the next check that
    sees the approved values closes the review as restored."""
    if not reason.strip():
        raise DomainError(ERR_REASON_REQUIRED, field="reason")
    review = _locked_open(actor, review)
    if review.status == ReviewStatus.RESTORE_REQUESTED:
        raise DomainError(ERR_RESTORE_ALREADY, code="conflict")
    before = {"status": review.status}
    review.status, review.decided_by, review.decided_at, review.reason = (
        ReviewStatus.RESTORE_REQUESTED,
        actor,
        timezone.now(),
        reason,
    )
    review.save()
    audit_record(
        actor=actor,
        verb="profile_review.request_restore",
        target=review,
        before=before,
        after={"status": review.status},
        reason=reason,
    )
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            gettext("%(field)s: change back to %(value)s")
            % {"field": FIELD_LABELS[f], "value": _restore_value(f, review.approved.get(f))}
            for f in review.changed_fields
        ]
        notify(
            member_ids=[review.member_id],
            title=gettext("Please restore your approved WeCom profile"),
            body="\n".join([*lines, gettext("Reason: %(reason)s") % {"reason": reason}]),
            url=review_url(review),
            action=gettext("View"),
            dedupe_key=f"profile-restore:{review.pk}",
        )
    return review


@transaction.atomic
def profile_set_by_zhidu(*, actor: Member, member: Member, values: Mapping[str, Any]) -> ApprovedProfile:
    """After WeCom accepted a change made through zhidu: the new values are approved directly (no review);
    an open review of the member is superseded by it."""
    if not can_manage(actor, member) or actor.role == "admin":
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")
    current = ApprovedProfile.objects.filter(member=member).first()
    merged = normalize_profile({**(current.values() if current else {}), **values})
    approved = _set_approved(member=member, values=merged, actor=actor, source=ProfileSource.ZHIDU)
    for review in ProfileReview.objects.select_for_update().filter(member=member, status__in=OPEN_REVIEW_STATUSES):
        before = {"status": review.status}
        review.status, review.closed_at = ReviewStatus.SUPERSEDED, timezone.now()
        review.save()
        audit_record(
            actor=actor,
            verb="profile_review.supersede",
            target=review,
            before=before,
            after={"status": review.status},
        )
    return approved


# --- reads ----------------------------------------------------------------------------------------------


def review_page(
    viewer: Member, *, status: str = "", before: int | None = None, size: int = REVIEW_PAGE_SIZE
) -> tuple[list[ProfileReview], int | None]:
    """Reviews in the viewer's scope, newest first, at most `size` with an id below `before`, and the next
    page's `before` (None on the last). One query, paged by key."""
    qs = ProfileReview.objects.visible_to(viewer).select_related("member", "member__department", "decided_by")
    if status == "open":
        qs = qs.open()
    elif status:
        qs = qs.filter(status=status)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.order_by("-id")[: size + 1])
    if len(rows) > size:
        return rows[:size], rows[size - 1].pk
    return rows, None


def review_list(viewer: Member, *, status: str = "") -> QuerySet[ProfileReview]:
    qs = ProfileReview.objects.visible_to(viewer).select_related("member")
    return qs.open() if status == "open" else qs.filter(status=status) if status else qs


def review_get_for(viewer: Member, review_id: int) -> ProfileReview:
    try:
        return ProfileReview.objects.visible_to(viewer).select_related("member", "decided_by").get(pk=review_id)
    except (ProfileReview.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def approved_profile_of(member: Member) -> ApprovedProfile | None:
    return ApprovedProfile.objects.filter(member=member).select_related("approved_by").first()
