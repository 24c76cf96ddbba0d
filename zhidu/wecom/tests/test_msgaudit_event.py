"""msgaudit_notify reaches compliance through a domain event (wecom sits below compliance and never imports it)."""

from __future__ import annotations

import pytest

from zhidu.core.models import DeliveryStatus, EventDelivery
from zhidu.wecom.models import CallbackInbox
from zhidu.wecom.tests.test_callbacks import callback_settings, clock, event_xml, post  # noqa: F401  (autouse fixtures)

pytestmark = pytest.mark.django_db


def test_msgaudit_notify_publishes_an_event_that_compliance_handles(client, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event_xml("msgaudit_notify", AgentID="2000004"))
    assert response.status_code == 200
    assert CallbackInbox.objects.get().processed_at is not None
    (delivery,) = EventDelivery.objects.all()
    assert (delivery.name, delivery.handler, delivery.status, delivery.attempts) == (
        "wecom.msgaudit_notify",
        "zhidu.compliance.services.ingest.on_msgaudit_notify",
        DeliveryStatus.DONE,
        1,
    )
