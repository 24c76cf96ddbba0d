"""Group conventions over the simulator: the sync checks every group it writes against the simulator's ground
truth ('部门+姓名' nicknames, group names), and a rename pushed as a callback opens or resolves the name issue."""

from __future__ import annotations

import time

import pytest

from zhidu.groups.models import ConventionIssue, GroupChat
from zhidu.wecom.sync import sync_all
from zhidu.wecom.tests.test_sync_incremental import delivered
from zhidu.wecom.tests.test_sync_incremental import sim as sim

pytestmark = pytest.mark.django_db(transaction=True)


def eventually(check, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    """The callback is answered before its processing commits (on the live server's thread): poll briefly."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_sync_finds_the_simulators_convention_breaks_and_callbacks_update_them(sim):  # type: ignore[no-untyped-def]
    company = sim.company
    groups = company.live_groups()
    bad_nicks = {(g.chat_id, m.userid) for g in groups for m in g.members if m.type == 1 and not m.follows_nickname}
    bad_names = {g.chat_id for g in groups if not g.follows_naming}
    assert bad_nicks and bad_names, "the seeded company should break both conventions somewhere"

    open_rows = ConventionIssue.objects.open().select_related("group")
    found_nicks = {(i.group.chat_id, i.userid) for i in open_rows.filter(kind="nickname")}
    found_names = {i.group.chat_id for i in open_rows.filter(kind="group_name")}
    assert found_nicks == bad_nicks
    assert found_names == bad_names
    # WeCom admins nobody designated yet; every group lacks a designated admin
    admins = {(g.chat_id, a) for g in groups for a in g.admins}
    assert {(i.group.chat_id, i.userid) for i in open_rows.filter(kind="admin_undesignated")} == admins
    assert open_rows.filter(kind="no_admin").count() == len(groups)

    # a group that follows the rule is renamed badly in WeCom: the callback refresh opens the issue ...
    good = next(g for g in groups if g.follows_naming)
    delivered(sim.mutate("group_update", chat_id=good.chat_id, name="福利群"))
    group = GroupChat.objects.get(chat_id=good.chat_id)
    opened = ConventionIssue.objects.filter(group=group, kind="group_name", resolved_at=None)
    assert eventually(opened.exists)
    issue = opened.get()
    assert issue.actual == "福利群" and issue.expected.endswith("群")
    # ... and renaming it back resolves it
    team = group.owner.department.name
    # WeCom's change_name event names no name and has a CreateTime in seconds: a second rename within the same second
    # is byte-for-byte the first event, which the inbox takes for a replay. Real renames are seconds apart.
    time.sleep(1.1)
    delivered(sim.mutate("group_update", chat_id=good.chat_id, name=f"{team}-老客户-服务群"))
    resolved = ConventionIssue.objects.filter(pk=issue.pk, resolved_at__isnull=False)
    assert eventually(resolved.exists)

    # a full sync afterwards changes nothing
    before = list(ConventionIssue.objects.order_by("id").values_list("id", "resolved_at"))
    sync_all()
    assert list(ConventionIssue.objects.order_by("id").values_list("id", "resolved_at")) == before


def test_demo_step_designates_wecoms_admins_and_leaves_real_breaks(sim):  # type: ignore[no-untyped-def]
    from zhidu.groups.demo import demo_conventions
    from zhidu.groups.models import GroupAdminDesignation

    groups = sim.company.live_groups()
    counts = demo_conventions()
    with_admins = [g for g in groups if g.admins]
    assert counts["designated"] == sum(len(g.admins) for g in with_admins) > 0
    assert GroupAdminDesignation.objects.filter(designated_by__role="manager").exists()
    open_rows = ConventionIssue.objects.open()
    assert not open_rows.filter(kind__in=["admin_undesignated", "admin_not_set"]).exists()
    assert open_rows.filter(kind="no_admin").count() == len(groups) - len(with_admins)
    assert open_rows.filter(kind="nickname").exists() and open_rows.filter(kind="group_name").exists()
    assert demo_conventions()["designated"] == 0  # idempotent
