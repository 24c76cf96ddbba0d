"""REST endpoints that act in WeCom: a member's public profile changed through zhidu (user/update)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema

from zhidu.core.schemas import Text
from zhidu.org.api import ApprovedProfileOut
from zhidu.org.models import ApprovedProfile, Member
from zhidu.org.selectors import member_get_for

from .profiles import ALIAS_MAX, profile_update

router = Router(tags=["wecom"])


class WeComProfileIn(Schema):
    alias: Annotated[str, Text(ALIAS_MAX)] | None = None
    external_position: Annotated[str, Text(64)] | None = None
    external_profile: dict[str, Any] | None = None


@router.put("/members/{member_id}/profile", response=ApprovedProfileOut)
def member_profile_update(request: HttpRequest, member_id: int, payload: WeComProfileIn) -> ApprovedProfile:
    """Change the member's alias / external position / external profile in WeCom; approved without review."""
    viewer: Member = request.auth  # type: ignore[attr-defined]
    member = member_get_for(viewer, member_id)
    return profile_update(
        actor=viewer,
        member=member,
        alias=payload.alias,
        external_position=payload.external_position,
        external_profile=payload.external_profile,
    )
