"""/admin/ is the configuration console: the admin role sees configuration models, never sales work."""

from __future__ import annotations

import pytest

from zhidu.core.models import AuditEvent
from zhidu.org.models import Role


@pytest.fixture
def admin_client(actors, login):
    user = actors.admin.user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return login(actors.admin)


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("/admin/compliance/archivemessage/", False),
        ("/admin/compliance/violation/", False),
        ("/admin/customers/customer/", False),
        ("/admin/customers/followrelation/", False),
        ("/admin/groups/groupchat/", False),
        ("/admin/org/department/", True),
        ("/admin/org/member/", True),
        ("/admin/compliance/rule/", True),
        ("/admin/policies/policy/", True),
        ("/admin/wecom/rolerule/", True),
        ("/admin/core/eventdelivery/", True),
    ],
)
def test_admin_role_sees_configuration_only(admin_client, url, allowed):
    resp = admin_client.get(url)
    assert resp.status_code == (200 if allowed else 403)


def test_admin_index_lists_no_sales_work(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "/admin/org/department/" in html and "/admin/compliance/rule/" in html
    assert "/admin/compliance/archivemessage/" not in html and "/admin/customers/customer/" not in html


@pytest.mark.parametrize("actor", ["director", "compliance", "sales"])
def test_other_roles_get_no_console_even_as_staff(actors, login, actor):
    member = actors.by_name(actor)
    member.user.is_staff = True
    member.user.save(update_fields=["is_staff"])
    client = login(member)
    assert client.get("/admin/org/department/").status_code == 403
    assert client.get("/admin/compliance/archivemessage/").status_code == 403


def test_demo_admin_is_not_a_superuser(db):
    from zhidu.web.demo import build_direct_company, ensure_logins

    build_direct_company()
    ensure_logins()
    from zhidu.org.models import Member

    admin = Member.objects.filter(role=Role.ADMIN).select_related("user").first()
    assert admin is not None and admin.user.is_staff and not admin.user.is_superuser


def _member_form(member, **changes):
    data = {
        "name": member.name,
        "department": member.department_id,
        "role": member.role,
        "reports_to": member.reports_to_id or "",
        "position": member.position,
        "mobile": member.mobile,
        "email": member.email,
    }
    data.update(changes)
    return data


def test_admin_member_edit_runs_the_service(admin_client, actors):
    resp = admin_client.post(
        f"/admin/org/member/{actors.sales.pk}/change/", _member_form(actors.sales, role="supervisor")
    )
    assert resp.status_code == 302
    actors.sales.refresh_from_db()
    assert actors.sales.role == "supervisor" and actors.sales.role_locked
    assert AuditEvent.objects.filter(verb="member.role_change", actor=actors.admin).exists()


def test_admin_role_retries_stuck_event_deliveries_and_it_is_audited(admin_client, actors):
    import datetime as dt

    from django.utils import timezone

    from zhidu.core.models import DeliveryStatus, EventDelivery

    later = timezone.now() + dt.timedelta(hours=1)
    failed = EventDelivery.objects.create(
        name="x.happened", handler="m.h", status=DeliveryStatus.FAILED, attempts=3, next_attempt_at=later
    )
    done = EventDelivery.objects.create(
        name="x.happened", handler="m.h", status=DeliveryStatus.DONE, next_attempt_at=later
    )
    assert admin_client.get("/admin/core/eventdelivery/").status_code == 200
    response = admin_client.post(
        "/admin/core/eventdelivery/",
        {"action": "retry_now", "_selected_action": [failed.pk, done.pk]},
        follow=True,
    )
    assert response.status_code == 200
    failed.refresh_from_db()
    done.refresh_from_db()
    assert failed.next_attempt_at <= timezone.now() and failed.status == DeliveryStatus.FAILED
    assert done.next_attempt_at == later  # a finished delivery is never run again
    event = AuditEvent.objects.get(verb="event_delivery.retry_now")
    assert event.actor == actors.admin and event.after == {"rescheduled": 1}
