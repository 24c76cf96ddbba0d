"""Policy selection across consequence facts, articles, categories, windows and repeats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhidu.compliance.models import Impact, Violation, ViolationStatus
from zhidu.core.models import AuditEvent, Notification
from zhidu.discipline.models import Kind, Sanction, SanctionPolicy, Status
from zhidu.discipline.services import policy_defaults

from .factories import confirm, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder(actors):  # type: ignore[no-untyped-def]
    policy_defaults()
    return SanctionPolicy.objects.get(category="")


def test_first_minor_breach_is_criticism_with_reasoning_and_lead_notified(
    actors, ladder, django_capture_on_commit_callbacks
):
    _v, s = confirm(actors, django_capture_on_commit_callbacks)
    assert s is not None
    assert (s.kind, s.status, s.amount, s.member_id, s.policy_id) == (
        Kind.CRITICISM, Status.PROPOSED, None, actors.sales.pk, ladder.pk
    )  # fmt: skip
    assert s.facts["step"] == "first" and s.facts["previous"] == 0
    assert AuditEvent.objects.filter(verb="sanction.propose", target_id=str(s.pk)).exists()
    assert Notification.objects.filter(recipient=actors.supervisor, url__endswith=f"/{s.pk}/").exists()


def test_loss_proposes_the_policy_fine(actors, ladder, django_capture_on_commit_callbacks, settings):
    ladder.fine_amount = Decimal("350.00")
    ladder.save()
    _v, s = confirm(actors, django_capture_on_commit_callbacks, loss="800")
    assert s is not None and (s.kind, s.amount, s.facts["step"], s.facts["loss"]) == (
        Kind.FINE, Decimal("350.00"), "loss", "800.00"
    )  # fmt: skip


def test_bad_impact_without_loss_is_a_fine(actors, ladder, django_capture_on_commit_callbacks):
    _v, s = confirm(actors, django_capture_on_commit_callbacks, impact=Impact.BAD)
    assert s is not None and s.kind == Kind.FINE


@pytest.mark.parametrize("impact", [Impact.IMAGE, Impact.SECRET])
def test_secrets_or_image_is_suspension(actors, ladder, django_capture_on_commit_callbacks, impact):
    _v, s = confirm(actors, django_capture_on_commit_callbacks, impact=impact, loss="10")
    assert s is not None and (s.kind, s.facts["step"]) == (Kind.SUSPENSION, "impact")


def test_serious_loss_is_dismissal(actors, ladder, django_capture_on_commit_callbacks):
    _v, s = confirm(actors, django_capture_on_commit_callbacks, loss=str(ladder.serious_loss))
    assert s is not None and (s.kind, s.facts["step"]) == (Kind.DISMISSAL, "serious")


def test_repeats_of_the_same_article_climb_the_ladder_within_the_window(
    actors, ladder, django_capture_on_commit_callbacks
):
    ladder.repeat_threshold = 3
    ladder.window_days = 30
    ladder.save()
    kinds = [confirm(actors, django_capture_on_commit_callbacks, cited_article=9)[1].kind for _ in range(3)]  # type: ignore[union-attr]
    assert kinds == [Kind.CRITICISM, Kind.WRITTEN_WARNING, Kind.DISMISSAL]
    # another article does not count as a repeat
    _v, other = confirm(actors, django_capture_on_commit_callbacks, cited_article=10)
    assert other is not None and other.kind == Kind.CRITICISM


def test_offences_outside_the_window_or_overturned_do_not_count(actors, ladder, django_capture_on_commit_callbacks):
    ladder.window_days = 30
    ladder.save()
    old, _s = confirm(actors, django_capture_on_commit_callbacks, cited_article=9)
    Violation.objects.filter(pk=old.pk).update(occurred_at=old.occurred_at - dt.timedelta(days=60))
    gone, _s2 = confirm(actors, django_capture_on_commit_callbacks, cited_article=9)
    Violation.objects.filter(pk=gone.pk).update(status=ViolationStatus.OVERTURNED)
    _v, s = confirm(actors, django_capture_on_commit_callbacks, cited_article=9)
    assert s is not None and (s.kind, s.facts["previous"]) == (Kind.CRITICISM, 0)


def test_illegal_goods_category_is_dismissal_and_referral_at_once(actors, ladder, django_capture_on_commit_callbacks):
    r = rule("fake-goods", category="counterfeit")
    _v, s = confirm(actors, django_capture_on_commit_callbacks, rule=r)
    assert s is not None and (s.kind, s.also_refer, s.facts["step"]) == (Kind.DISMISSAL, True, "refer")


def test_the_most_specific_policy_wins(actors, ladder, django_capture_on_commit_callbacks):
    SanctionPolicy.objects.create(name="high", severity="high", first_kind=Kind.ORAL_WARNING)
    SanctionPolicy.objects.create(name="claims", category="false_claim", first_kind=Kind.WRITTEN_WARNING)
    r = rule("claim-high", category="false_claim", severity="high")
    _v, s = confirm(actors, django_capture_on_commit_callbacks, rule=r)
    assert s is not None and s.kind == Kind.WRITTEN_WARNING  # category (2) beats severity (1)


def test_article_policy_matches_the_cited_article(actors, ladder, django_capture_on_commit_callbacks):
    from zhidu.policies.models import VersionStatus
    from zhidu.policies.tests.factories import make_version

    art = make_version(status=VersionStatus.PUBLISHED).articles.get(number=3)
    SanctionPolicy.objects.create(name="art", article=art, first_kind=Kind.DEMOTION)
    SanctionPolicy.objects.create(name="claims", category="false_claim", first_kind=Kind.WRITTEN_WARNING)
    _v, s = confirm(actors, django_capture_on_commit_callbacks, cited_article=art.pk)
    assert s is not None and s.kind == Kind.DEMOTION


def test_open_or_dismissed_violations_propose_nothing_and_twice_proposes_once(
    actors, ladder, django_capture_on_commit_callbacks
):
    from zhidu.discipline.services import sanction_propose_for_violation

    v, s = confirm(actors, django_capture_on_commit_callbacks)
    assert sanction_propose_for_violation(violation_id=v.pk) is None
    assert Sanction.objects.filter(violation=v).count() == 1 and s is not None
