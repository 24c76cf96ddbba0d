"""The discipline demo step on the demo company: sanctions citing the demo regulation, one pending proposal,
one pending appeal."""

from __future__ import annotations

import pytest

from zhidu.discipline.models import Appeal, AppealStatus, Sanction, Status
from zhidu.web import demo

pytestmark = pytest.mark.django_db


def test_demo_shows_sanctions_with_citations_a_pending_proposal_and_a_pending_appeal(settings):  # type: ignore[no-untyped-def]
    settings.WECOM_CORP_ID = ""
    demo.load_demo()
    sanctions = list(Sanction.objects.all())
    assert len(sanctions) == 3
    assert all(s.citation.startswith("《") for s in sanctions)
    assert Sanction.objects.filter(status=Status.PROPOSED).count() == 1
    assert Appeal.objects.filter(status=AppealStatus.PENDING).count() == 1
    demo.load_demo()  # idempotent
    assert Sanction.objects.count() == 3
