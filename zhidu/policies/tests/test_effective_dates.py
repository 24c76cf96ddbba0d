"""A version published ahead of its effective date is announced at once but takes force only on that date."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zhidu.core.models import AuditEvent
from zhidu.policies import selectors, services
from zhidu.policies.models import Policy, PolicyVersion, VersionStatus
from zhidu.policies.tasks import policy_effective_dates_task
from zhidu.policies.tests.factories import SMALL, SMALL_V2, make_version

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
RENAMED_V2 = SMALL_V2.replace("测试管理制度", "测试团队管理制度")


def at_shanghai(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def in_force_v1_then_announced_v2() -> tuple[PolicyVersion, PolicyVersion]:
    """v1 in force since today (demo path), v2 published with the minimum notice (effective in 7 days)."""
    v1 = make_version(status=VersionStatus.APPROVED)
    v1 = services.version_publish_demo_seed(version=v1, effective_date=services.today_local())
    v2 = make_version(text=RENAMED_V2, status=VersionStatus.PUBLISHED)
    v1.refresh_from_db()
    return v1, v2


def refreshed(*versions: PolicyVersion) -> list[PolicyVersion]:
    return [PolicyVersion.objects.get(pk=v.pk) for v in versions]


def test_previous_version_stays_in_force_until_the_effective_date(actors):
    v1, v2 = in_force_v1_then_announced_v2()
    assert v2.effective_date == services.today_local() + dt.timedelta(days=7)
    assert (v1.status, v2.status) == (VersionStatus.PUBLISHED, VersionStatus.PUBLISHED)
    assert selectors.version_in_force(v1.policy) == v1
    assert selectors.versions_upcoming(v1.policy) == [v2]
    assert Policy.objects.get(pk=v1.policy_id).current_version_id == v1.pk
    # citations still follow v1: its title, its text, and v2's new article 5 does not exist yet
    assert selectors.citation_for("test-rules#3.2") == "《测试管理制度》第三条第（二）项"
    assert selectors.article_resolve("test-rules#4").text.endswith("依照公司规定处理。")
    assert selectors.citation_for("test-rules#5") is None
    assert not AuditEvent.objects.filter(verb="policy_version.supersede").exists()
    # v2 is announced: members can read and acknowledge it now
    assert v2 in selectors.pending_acknowledgements(actors.sales)
    _ack, created = services.version_acknowledge(actor=actors.sales, version=v2)
    assert created
    # running the daily job today changes nothing
    assert services.policies_apply_effective_dates() == []
    assert [v.status for v in refreshed(v1, v2)] == [VersionStatus.PUBLISHED, VersionStatus.PUBLISHED]


def test_list_page_and_api_show_the_version_in_force_and_the_upcoming_one(actors, login):
    v1, v2 = in_force_v1_then_announced_v2()
    client = login(actors.sales)
    page = client.get("/policies/")
    row = next(p for p in page.context["policies"] if p.code == "test-rules")
    assert (row.in_force, row.upcoming) == (v1, v2)
    html = page.content.decode()
    assert 'data-testid="upcoming"' in html and f"{v2.effective_date:%Y-%m-%d}" in html
    data = next(p for p in client.get("/api/policies/").json() if p["code"] == "test-rules")
    assert data["in_force"]["id"] == data["current_version"]["id"] == v1.pk
    assert data["upcoming"]["id"] == v2.pk and data["upcoming"]["effective_date"] == f"{v2.effective_date:%Y-%m-%d}"
    assert client.get("/api/policies/resolve", {"key": "test-rules#4"}).json()["text"].endswith("依照公司规定处理。")
    # the regulation's page opens the version in force; v2's page says it is announced
    assert client.get("/policies/test-rules/").url == f"/policies/versions/{v1.pk}/"
    assert 'data-testid="announced"' in client.get(f"/policies/versions/{v2.pk}/").content.decode()
    assert 'data-testid="announced"' not in client.get(f"/policies/versions/{v1.pk}/").content.decode()


def test_on_the_effective_date_the_new_version_takes_force_and_the_old_is_superseded(actors):
    v1, v2 = in_force_v1_then_announced_v2()
    assert v2.effective_date is not None
    # 23:30 in Shanghai the evening before: still v1
    with time_machine.travel(at_shanghai(v2.effective_date - dt.timedelta(days=1), 23, 30), tick=False):
        assert selectors.version_in_force(v1.policy) == v1
        assert policy_effective_dates_task() == 0
    # 00:30 in Shanghai on the effective date is still the previous day in UTC
    with time_machine.travel(at_shanghai(v2.effective_date, 0, 30), tick=False):
        # in force at once, even before the daily job runs
        assert selectors.version_in_force(v1.policy) == v2
        assert selectors.citation_for("test-rules#5") == "《测试团队管理制度》第五条"
        assert policy_effective_dates_task() == 1
        v1, v2 = refreshed(v1, v2)
        assert (v1.status, v2.status) == (VersionStatus.SUPERSEDED, VersionStatus.PUBLISHED)
        assert v1.superseded_at is not None
        policy = Policy.objects.get(pk=v1.policy_id)
        assert (policy.current_version_id, policy.title) == (v2.pk, "测试团队管理制度")
        event = AuditEvent.objects.get(verb="policy_version.supersede", target_id=str(v1.pk))
        assert event.actor is None and event.before["status"] == "published" and event.after["status"] == "superseded"
        assert AuditEvent.objects.filter(verb="policy.update", target_id=str(policy.pk)).exists()
        # idempotent: a re-run supersedes nothing and records nothing
        audits = AuditEvent.objects.count()
        assert policy_effective_dates_task() == 0
        assert AuditEvent.objects.count() == audits
        assert selectors.pending_acknowledgements(actors.sales_b) == [v2]


def test_a_later_announcement_on_the_same_date_replaces_the_pending_one(actors):
    v1, v2 = in_force_v1_then_announced_v2()
    v3 = make_version(text=SMALL_V2.replace("给予警告", "给予通报批评"), status=VersionStatus.PUBLISHED)
    v1, v2, v3 = refreshed(v1, v2, v3)
    assert (v1.status, v2.status, v3.status) == (
        VersionStatus.PUBLISHED,
        VersionStatus.SUPERSEDED,
        VersionStatus.PUBLISHED,
    )
    assert selectors.version_in_force(v1.policy) == v1 and selectors.versions_upcoming(v1.policy) == [v3]


def test_first_version_announced_ahead_is_cited_until_it_takes_force(db):
    v1 = make_version(text=SMALL, status=VersionStatus.PUBLISHED)
    assert selectors.version_in_force(v1.policy) is None
    assert selectors.citation_for("test-rules#1") == "《测试管理制度》第一条"
    assert Policy.objects.get(pk=v1.policy_id).current_version_id == v1.pk
