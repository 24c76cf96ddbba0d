"""The WeCom part of the demo (`zhidu demo`, `make run`): sync the demo company from a local simulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings


def demo_company_from_simulator(write: Callable[[str], Any], stdout: Any) -> bool:
    """Sync the organisation, customers and groups from the simulator; False when none is configured."""
    if not (settings.WECOM_CORP_ID and settings.WECOM_API_BASE.startswith("http://127.0.0.1")):
        return False
    from .sync import sync_all

    write(f"Syncing the demo company from the WeCom simulator at {settings.WECOM_API_BASE} …\n")
    counts = sync_all(stdout=stdout)
    write(f"Synced: {counts}\n")
    return True


DEMO_PROFILE_EDIT = {"external_position": "首席理财规划师", "alias": "理财小能手"}


def demo_profiles() -> Any:
    """Account profiles in the demo: baselines for a batch of members, then somebody edits one salesperson's
    public profile in the (simulated) WeCom admin console, and the next check opens a profile review for the
    supervisor. Idempotent: nothing happens once a review exists or without a simulator."""
    from zhidu.org.models import Member, MemberStatus, ProfileReview, Role

    from .profiles import profiles_check

    if ProfileReview.objects.exists() or not _simulator_configured():
        return None
    member = (
        Member.objects.filter(role=Role.SALES, status=MemberStatus.ACTIVE, reports_to__role=Role.SUPERVISOR)
        .exclude(wecom_userid=None)
        .order_by("id")
        .first()
    )
    if member is None:
        return None
    profiles_check()  # one batch: the first observation of each becomes their approved profile
    profiles_check(members=[member])  # its baseline, should the batch not have reached it
    import httpx

    # the simulator's test-only "console edit" (not a WeCom API): WeCom pushes a bare update_user for it
    response = httpx.post(
        f"{settings.WECOM_API_BASE.rstrip('/')}/sim/mutate/user_profile_edit",
        params={"wait": "0"},
        json={"userid": member.wecom_userid, **DEMO_PROFILE_EDIT},
        timeout=10.0,
    )
    response.raise_for_status()
    return profiles_check(members=[member])


def _simulator_configured() -> bool:
    return bool(settings.WECOM_CORP_ID and settings.WECOM_API_BASE.startswith("http://127.0.0.1"))
