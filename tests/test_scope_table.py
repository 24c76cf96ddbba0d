"""The README scope table, checked: compliance reviews violations and manages the rule pack, edits no
sales or organisation data; admin configures and does not review sales work."""

from __future__ import annotations

import pytest

from zhidu.compliance import services as compliance
from zhidu.compliance.models import Rule
from zhidu.compliance.tests.factories import make_violation
from zhidu.core.errors import DomainError
from zhidu.org import services as org
from zhidu.org.models import Member, Role


def test_compliance_reviews_violations(actors):
    v = make_violation(actors.sales)
    compliance.violation_confirm(actor=actors.compliance, violation=v, reason="属实")
    v.refresh_from_db()
    assert v.status == "confirmed" and v.reviewed_by == actors.compliance
    w = make_violation(actors.sales_b)
    compliance.violation_dismiss(actor=actors.compliance, violation=w, reason="误报")
    w.refresh_from_db()
    assert w.status == "dismissed"


def test_compliance_manages_the_rule_pack(actors):
    result = compliance.rules_import(
        actor=actors.compliance,
        rows=[compliance.TermRow(row=1, term="保本保息", category="false_claim", severity="high")],
    )
    assert result.terms_added == 1
    rule = Rule.objects.get(term_rows__term="保本保息")
    compliance.rule_set_enabled(actor=actors.compliance, rule=rule, enabled=False)
    rule.refresh_from_db()
    assert rule.enabled is False


@pytest.mark.parametrize(
    "action",
    [
        lambda a: org.member_update(actor=a.compliance, member=a.sales, name="改名"),
        lambda a: org.member_update(actor=a.compliance, member=a.sales, role=Role.SUPERVISOR),
        lambda a: org.member_suspend(actor=a.compliance, member=a.sales, reason="x"),
        lambda a: org.department_create(actor=a.compliance, name="新部门", parent=a.root),
    ],
    ids=["rename", "role", "suspend", "department"],
)
def test_compliance_edits_no_people(actors, action):
    before = sorted(Member.objects.values_list("pk", "name", "role", "status"))
    with pytest.raises(DomainError) as err:
        action(actors)
    assert err.value.code == "forbidden"
    assert sorted(Member.objects.values_list("pk", "name", "role", "status")) == before


def test_admin_does_not_review_violations(actors):
    v = make_violation(actors.sales)
    with pytest.raises(DomainError):
        compliance.violation_confirm(actor=actors.admin, violation=v, reason="x")
    v.refresh_from_db()
    assert v.status == "open"
