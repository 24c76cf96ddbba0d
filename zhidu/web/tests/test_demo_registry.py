"""The demo (layer 2) runs steps that higher apps register in their ready(); it imports none of them."""

from __future__ import annotations

import io

import pytest

from zhidu.compliance.models import Rule
from zhidu.policies.models import Policy
from zhidu.web import demo

pytestmark = pytest.mark.django_db


def test_apps_register_their_demo_parts():  # type: ignore[no-untyped-def]
    assert list(demo._company_sources) == ["wecom-simulator"]
    steps = [name for name, _entry in sorted(demo._steps.items(), key=lambda kv: kv[1][0])]
    assert steps == [
        "policies",
        "compliance",
        "customer-development",
        "customer-transfer",
        "sales-orders",
        "sales-targets",
        "org-calendar",
        "reply",
        "group-conventions",
        "moderation",
        "account-profiles",
        "performance",
        "discipline",
        "work-tasks",
        "work-reports",
        "work-meetings",
        "work-library",
        "work-suggestions",
    ]


def test_load_demo_without_a_simulator_builds_the_company_and_seeds_every_step(settings):  # type: ignore[no-untyped-def]
    settings.WECOM_CORP_ID = ""
    out = io.StringIO()
    logins = demo.load_demo(stdout=out)
    assert out.getvalue() == "Creating a small demo company directly (no WeCom simulator configured) …\n"
    assert [role for role, _username, _name in logins] == [
        "director", "manager", "supervisor", "sales", "compliance", "admin"
    ]  # fmt: skip
    assert Policy.objects.filter(code="sales-conduct").exists() and Rule.objects.exists()
