"""Account profiles on the WeCom side (S8 第十条): periodic drift checks and changes made through zhidu.

* `profiles_check()` (Celery task `profile_check_task`, beat entry "profile-check") reads `user/get` with the
  app secret for a batch of members (PROFILE_CHECK_BATCH): first those an `update_user` callback marked due,
  then the ones never checked, then the longest unchecked; so every member is looked at in turn, 3,000 members
  over 3000 / batch runs. Each observation goes to `zhidu.org.profiles.profile_observe` (baseline, review,
  restored). WeCom's update_user callback carries no external-profile fields (API.md §15.2), so a callback
  only marks the member due (`profile_check_mark_due`).
* `profile_update()` changes a member's alias / external position / external profile through `user/update`
  (contact-sync secret, API.md §15.1); on success the new values are approved directly, no review.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from zhidu.core.errors import DomainError
from zhidu.org.models import ApprovedProfile, Member, MemberStatus
from zhidu.org.profiles import ERR_NOT_ALLOWED, normalize_external_profile, profile_observe, profile_set_by_zhidu
from zhidu.org.services import can_manage

from .client import WeComError, WeComNotFound
from .models import ProfileCheck

log = logging.getLogger(__name__)

ERR_NO_WECOM = gettext_noop("{member} has no WeCom account.")
ERR_EXTERNAL_POSITION_LONG = gettext_noop("The external position may have at most {max} characters.")
ERR_WECOM_REFUSED = gettext_noop("WeCom refused the change (error {errcode}).")
ERR_NOTHING_TO_CHANGE = gettext_noop("Nothing to change.")

EXTERNAL_POSITION_MAX = 12  # characters WeCom accepts (API.md §15.1)
ALIAS_MAX = 64

ClientFactory = Callable[[str], Any]


def _factory(client_factory: ClientFactory | None) -> ClientFactory:
    if client_factory is not None:
        return client_factory
    from .sync import default_client_factory

    return default_client_factory


def observed_from(user: Any) -> dict[str, Any]:
    """The profile fields of a user/get answer."""
    return {
        "name": user.name,
        "alias": user.alias,
        "avatar": user.avatar,
        "external_position": user.external_position,
        "external_profile": user.external_profile.model_dump(),
    }


def _candidates() -> Any:
    return Member.objects.filter(status=MemberStatus.ACTIVE).exclude(wecom_userid=None).exclude(wecom_userid="")


def profile_check_batch(size: int) -> list[Member]:
    """Who to check next: members marked due (oldest mark first), then never checked, then least recently."""
    due = list(_candidates().filter(profile_check__due_at__isnull=False).order_by("profile_check__due_at", "pk")[:size])
    rest = size - len(due)
    if rest > 0:
        order = (F("profile_check__checked_at").asc(nulls_first=True), "pk")
        more = _candidates().exclude(pk__in=[m.pk for m in due]).order_by(*order)[:rest]
        due.extend(more)
    return due


def profiles_check(
    *, client_factory: ClientFactory | None = None, batch: int | None = None, members: list[Member] | None = None
) -> dict[str, int]:
    """Read user/get for a batch of members and compare each with their approved profile. Idempotent."""
    size = batch if batch is not None else settings.PROFILE_CHECK_BATCH
    todo = members if members is not None else profile_check_batch(size)
    counts: dict[str, int] = {"checked": 0, "errors": 0}
    if not todo:
        return counts
    client = _factory(client_factory)("app")
    try:
        for member in todo:
            started = timezone.now()
            error = ""
            try:
                user = client.user_get(member.wecom_userid or "")
            except WeComNotFound as exc:
                error = f"{exc.errcode}"
            except WeComError as exc:
                log.warning("profile check of %s failed: %s", member.wecom_userid, exc)
                error = f"{exc.errcode}"
            else:
                outcome = profile_observe(member=member, observed=observed_from(user))
                counts[outcome] = counts.get(outcome, 0) + 1
                counts["checked"] += 1
            if error:
                counts["errors"] += 1
            _checked(member, started, error)
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()
    return counts


def _checked(member: Member, started: Any, error: str) -> None:
    row, _created = ProfileCheck.objects.get_or_create(member=member)
    ProfileCheck.objects.filter(pk=row.pk).update(checked_at=timezone.now(), error=error[:200])
    # a callback that arrived while we were reading keeps its mark: its change may be newer than what we saw
    ProfileCheck.objects.filter(pk=row.pk, due_at__lte=started).update(due_at=None)


def profile_check_mark_due(userid: str) -> int:
    """An update_user callback: look at this member's profile in the next check run (cheap, no WeCom call)."""
    member = Member.objects.filter(wecom_userid=userid).first()
    if member is None:
        return 0
    row, _created = ProfileCheck.objects.get_or_create(member=member)
    return ProfileCheck.objects.filter(pk=row.pk, due_at__isnull=True).update(due_at=timezone.now())


def profile_update(
    *,
    actor: Member,
    member: Member,
    alias: str | None = None,
    external_position: str | None = None,
    external_profile: dict[str, Any] | None = None,
    client_factory: ClientFactory | None = None,
) -> ApprovedProfile:
    """Change the member's public profile in WeCom (user/update); the new values become the approved ones."""
    if not can_manage(actor, member) or actor.role == "admin":
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")
    if not member.wecom_userid:
        raise DomainError(ERR_NO_WECOM, member=member.name)
    fields: dict[str, Any] = {}
    if alias is not None:
        fields["alias"] = alias.strip()[:ALIAS_MAX]
    if external_position is not None:
        if len(external_position.strip()) > EXTERNAL_POSITION_MAX:
            raise DomainError(ERR_EXTERNAL_POSITION_LONG, field="external_position", max=EXTERNAL_POSITION_MAX)
        fields["external_position"] = external_position.strip()
    if external_profile is not None:
        fields["external_profile"] = normalize_external_profile(external_profile)
    if not fields:
        raise DomainError(ERR_NOTHING_TO_CHANGE)
    client = _factory(client_factory)("contact")
    try:
        client.user_update(member.wecom_userid, **fields)
    except WeComError as exc:
        raise DomainError(ERR_WECOM_REFUSED, code="conflict", errcode=exc.errcode) from None
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()
    return profile_set_by_zhidu(actor=actor, member=member, values=fields)
