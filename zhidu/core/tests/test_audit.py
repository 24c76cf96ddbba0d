from __future__ import annotations

import pytest

from zhidu.core.audit import audit_record
from zhidu.core.models import AuditEvent


def test_audit_events_are_append_only(actors):
    ev = audit_record(actor=actors.admin, verb="test.do", target=actors.sales, before={"a": 1}, after={"a": 2})
    ev.reason = "edited"
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        ev.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=ev.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=ev.pk).delete()
    ev.refresh_from_db()
    assert ev.reason == "" and ev.target_type == "org.member" and ev.target_id == str(actors.sales.pk)


def test_audit_page_filters(actors, login):
    audit_record(actor=actors.admin, verb="policy.publish", target=actors.dept1)
    audit_record(actor=actors.manager, verb="member.suspend", target=actors.sales, reason="违规")
    client = login(actors.compliance)
    body = client.get("/audit/audit/?verb=member.").content.decode()
    assert "member.suspend" in body and "policy.publish" not in body
    body = client.get("/audit/audit/?actor=钱经理").content.decode()
    assert "member.suspend" in body and "policy.publish" not in body


def test_audit_visible_only_to_admin_and_compliance(actors):
    audit_record(actor=None, verb="x", target_type="t", target_id=1)
    assert AuditEvent.objects.visible_to(actors.compliance).count() == 1
    assert AuditEvent.objects.visible_to(actors.director).count() == 0
