"""The discipline demo step on the demo company: sanctions citing the demo regulation, one pending proposal,
one pending appeal."""

from __future__ import annotations

import pytest

from zhidu.discipline.models import Appeal, AppealStatus, Sanction, Status
from zhidu.web import demo

pytestmark = pytest.mark.django_db


def test_demo_shows_sanctions_with_citations_a_pending_proposal_and_a_pending_appeal(
    settings, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    settings.WECOM_CORP_ID = ""
    demo.load_demo()
    sanctions = list(Sanction.objects.filter(violation__isnull=False))
    assert len(sanctions) == 3
    assert all(s.citation.startswith("《") for s in sanctions)
    assert Sanction.objects.filter(status=Status.PROPOSED).count() == 1
    assert Appeal.objects.filter(status=AppealStatus.PENDING).count() == 1
    demo.load_demo()  # idempotent
    assert Sanction.objects.filter(violation__isnull=False).count() == 3


def test_demo_still_shows_sanctions_when_the_frozen_ranking_proposed_rewards_first(
    settings, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    """In `make run` each step commits on its own: the performance step (order 80) freezes last month and, after
    its commit, discipline proposes rewards; the discipline step (85) must still write its sanctions and appeal."""
    from zhidu.discipline.models import Kind

    settings.WECOM_CORP_ID = ""
    demo.build_direct_company()
    for _order, step in sorted(demo._steps.values(), key=lambda entry: entry[0]):
        with django_capture_on_commit_callbacks(execute=True):  # the commit at the end of each step
            step()
    assert Sanction.objects.filter(kind=Kind.COMMENDATION, snapshot_id__isnull=False).exists()
    assert Sanction.objects.filter(violation__isnull=False).count() == 3
    assert Appeal.objects.filter(status=AppealStatus.PENDING).count() == 1
