"""Import → discussion → approval → publication (notice period) → acknowledgement, and every refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent
from zhidu.org.models import MemberStatus
from zhidu.policies import selectors, services
from zhidu.policies.models import (
    Acknowledgement,
    Article,
    Comment,
    Item,
    Policy,
    PolicyNotice,
    PolicyVersion,
    VersionStatus,
)
from zhidu.policies.parser import parse_text
from zhidu.policies.tests.factories import SMALL, SMALL_V2, make_version
from zhidu.wecom.models import OutboxMessage

pytestmark = pytest.mark.django_db


def counts():
    return (
        Policy.objects.count(),
        PolicyVersion.objects.count(),
        Article.objects.count(),
        Item.objects.count(),
        Comment.objects.count(),
        Acknowledgement.objects.count(),
        PolicyNotice.objects.count(),
        AuditEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_import_creates_a_draft_with_its_tree(actors):
    version = services.policy_import(
        actor=actors.director, parsed=parse_text(SMALL), source=SMALL, code="test-rules", source_name="small.txt"
    )
    assert (version.number, version.status, version.title) == (1, VersionStatus.DRAFT, "测试管理制度")
    assert version.policy.code == "test-rules" and version.policy.current_version is None
    assert version.chapters.count() == 2 and version.articles.count() == 4
    art3 = version.articles.get(number=3)
    assert art3.chapter.number == 2 and [i.label for i in art3.items.all()] == ["（一）", "（二）", "（三）"]
    events = list(AuditEvent.objects.filter(verb__in=["policy.create", "policy_version.import"]).order_by("id"))
    assert [e.verb for e in events] == ["policy.create", "policy_version.import"]
    assert events[1].actor == actors.director and events[1].after["articles"] == 4


def test_second_import_is_a_new_version_of_the_same_policy(actors):
    make_version(status=VersionStatus.PUBLISHED, actor=actors.director)
    v2 = services.policy_import(actor=actors.manager, parsed=parse_text(SMALL_V2), source=SMALL_V2, code="test-rules")
    assert v2.number == 2 and v2.policy.versions.count() == 2
    assert Policy.objects.count() == 1


def test_import_without_code_reuses_the_code_of_the_same_title(actors):
    v1 = services.policy_import(actor=None, parsed=parse_text(SMALL), source=SMALL)
    v2 = services.policy_import(actor=None, parsed=parse_text(SMALL_V2), source=SMALL_V2)
    assert v1.policy_id == v2.policy_id and v1.policy.code.startswith("reg-")


@pytest.mark.parametrize(
    "kwargs, field",
    [({"code": "Bad Code"}, "code"), ({"code": "import"}, "code"), ({"title": " "}, None)],
)
def test_import_refusals_write_nothing(actors, kwargs, field):
    parsed = parse_text(SMALL)
    if "title" in kwargs:
        parsed.title = ""
    before = counts()
    with pytest.raises(DomainError) as exc:
        services.policy_import(actor=actors.director, parsed=parsed, source=SMALL, **kwargs)
    if field:
        assert exc.value.field == field
    assert counts() == before


@pytest.mark.parametrize("who", ["supervisor", "sales", "compliance", "outsider"])
def test_import_forbidden_roles(actors, who):
    before = counts()
    with pytest.raises(DomainError) as exc:
        services.policy_import(actor=actors.by_name(who), parsed=parse_text(SMALL), source=SMALL, code="x")
    assert exc.value.code == "forbidden" and counts() == before


def test_happy_path(actors, settings):
    settings.POLICY_NOTICE_DAYS = 7
    version = make_version(actor=actors.manager)
    version = services.version_open_discussion(actor=actors.manager, version=version)
    assert version.status == VersionStatus.DISCUSSION and version.discussion_opened_at is not None
    art = version.articles.get(number=3)
    comment = services.comment_add(actor=actors.sales, article=art, text="第（三）项建议写明适用范围。")
    assert comment.member == actors.sales
    version = services.version_approve(actor=actors.director, version=version, reason="讨论完毕")
    assert version.status == VersionStatus.APPROVED and version.approved_by == actors.director
    effective = services.today_local() + dt.timedelta(days=7)
    version = services.version_publish(actor=actors.director, version=version, effective_date=effective)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED and version.effective_date == effective
    assert version.published_by == actors.director and version.policy.current_version_id == version.pk
    notice = PolicyNotice.objects.get(version=version)
    assert str(effective) in notice.body
    ack, created = services.version_acknowledge(actor=actors.sales, version=version)
    assert created and ack.member == actors.sales
    verbs = list(
        AuditEvent.objects.filter(target_type="policies.policyversion", target_id=str(version.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "policy_version.import",
        "policy_version.open_discussion",
        "policy_version.approve",
        "policy_version.publish",
        "policy_version.acknowledge",
    ]


def test_publish_notifies_members_through_the_outbox(actors):
    version = make_version(status=VersionStatus.APPROVED)
    services.version_publish(actor=actors.admin, version=version, effective_date=services.earliest_effective_date())
    notice = PolicyNotice.objects.get(version=version)
    messages = list(OutboxMessage.objects.filter(dedupe_key__startswith=f"policy-version-{version.pk}-"))
    assert len(messages) == 1
    active = {m.wecom_userid for m in actors.__dict__.values() if hasattr(m, "wecom_userid")}
    assert set(messages[0].to_userids) == active and notice.recipients == len(active)


def test_suspended_members_are_not_notified(actors):
    actors.outsider.status = MemberStatus.SUSPENDED
    actors.outsider.save()
    version = make_version(status=VersionStatus.PUBLISHED)
    message = OutboxMessage.objects.get(dedupe_key__startswith=f"policy-version-{version.pk}-")
    assert actors.outsider.wecom_userid not in message.to_userids


@pytest.mark.parametrize("days_short", [1, 7])
def test_notice_period_is_enforced(actors, settings, days_short):
    settings.POLICY_NOTICE_DAYS = 7
    version = make_version(status=VersionStatus.APPROVED)
    before = counts()
    too_early = services.today_local() + dt.timedelta(days=7 - days_short)
    with pytest.raises(DomainError) as exc:
        services.version_publish(actor=actors.director, version=version, effective_date=too_early)
    assert exc.value.field == "effective_date" and "7 days" in exc.value.message
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED and counts() == before


def test_notice_period_is_configurable(actors, settings):
    settings.POLICY_NOTICE_DAYS = 0
    version = make_version(status=VersionStatus.APPROVED)
    services.version_publish(actor=actors.director, version=version, effective_date=services.today_local())
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED


def test_publish_needs_a_date(actors):
    version = make_version(status=VersionStatus.APPROVED)
    with pytest.raises(DomainError) as exc:
        services.version_publish(actor=actors.director, version=version, effective_date=None)
    assert exc.value.field == "effective_date"


def test_publishing_supersedes_the_previous_version(actors):
    v1 = make_version(status=VersionStatus.PUBLISHED)
    services.version_acknowledge(actor=actors.sales, version=v1)
    v2 = make_version(text=SMALL_V2, status=VersionStatus.PUBLISHED)
    v1.refresh_from_db()
    v2.policy.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED and v1.superseded_at is not None
    assert v2.status == VersionStatus.PUBLISHED and v2.policy.current_version_id == v2.pk
    assert PolicyVersion.objects.filter(policy=v2.policy, status=VersionStatus.PUBLISHED).count() == 1
    assert selectors.acknowledgement_of(actors.sales, v2) is None  # a new version needs a new acknowledgement
    assert AuditEvent.objects.filter(verb="policy_version.supersede", target_id=str(v1.pk)).exists()


# (service, status it needs, roles allowed)
TRANSITIONS = [
    ("open_discussion", VersionStatus.DRAFT, {"director", "manager", "admin"}),
    ("approve", VersionStatus.DISCUSSION, {"director", "manager", "admin"}),
    ("publish", VersionStatus.APPROVED, {"director", "admin"}),
]


def _call(name, actor, version):
    if name == "open_discussion":
        return services.version_open_discussion(actor=actor, version=version)
    if name == "approve":
        return services.version_approve(actor=actor, version=version)
    return services.version_publish(actor=actor, version=version, effective_date=services.earliest_effective_date())


@pytest.mark.parametrize("name, needs, allowed", TRANSITIONS, ids=[t[0] for t in TRANSITIONS])
@pytest.mark.parametrize("who", ["director", "manager", "supervisor", "sales", "compliance", "admin", "outsider"])
def test_transition_roles(actors, name, needs, allowed, who):
    version = make_version(status=needs)
    before = counts()
    if who in allowed:
        assert _call(name, actors.by_name(who), version).status != needs
    else:
        with pytest.raises(DomainError) as exc:
            _call(name, actors.by_name(who), version)
        assert exc.value.code == "forbidden"
        version.refresh_from_db()
        assert version.status == needs and counts() == before


@pytest.mark.parametrize("name, needs, _allowed", TRANSITIONS, ids=[t[0] for t in TRANSITIONS])
@pytest.mark.parametrize(
    "state", [VersionStatus.DRAFT, VersionStatus.DISCUSSION, VersionStatus.APPROVED, VersionStatus.PUBLISHED]
)
def test_transitions_refuse_other_states(actors, name, needs, _allowed, state):
    if state == needs:
        return
    version = make_version(status=state)
    before = counts()
    with pytest.raises(DomainError) as exc:
        _call(name, actors.director, version)
    assert exc.value.code == "conflict"
    version.refresh_from_db()
    assert version.status == state and counts() == before


def test_inactive_lead_cannot_approve(actors):
    version = make_version(status=VersionStatus.DISCUSSION)
    actors.manager.status = MemberStatus.SUSPENDED
    actors.manager.save()
    with pytest.raises(DomainError):
        services.version_approve(actor=actors.manager, version=version)


# --- comments -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["director", "manager", "supervisor", "sales", "compliance", "admin", "outsider"])
def test_every_member_may_comment_during_discussion(actors, who):
    version = make_version(status=VersionStatus.DISCUSSION)
    article = version.articles.get(number=1)
    services.comment_add(actor=actors.by_name(who), article=article, text="同意。")
    assert article.comments.count() == 1


@pytest.mark.parametrize("state", [VersionStatus.DRAFT, VersionStatus.APPROVED, VersionStatus.PUBLISHED])
def test_comments_closed_outside_discussion(actors, state):
    article = make_version(status=state).articles.get(number=1)
    before = counts()
    with pytest.raises(DomainError) as exc:
        services.comment_add(actor=actors.sales, article=article, text="意见")
    assert exc.value.code == "conflict" and counts() == before


@pytest.mark.parametrize("text, fragment", [("   ", "empty"), ("长" * 2001, "at most")])
def test_comment_validation(actors, text, fragment):
    article = make_version(status=VersionStatus.DISCUSSION).articles.get(number=1)
    with pytest.raises(DomainError, match=fragment):
        services.comment_add(actor=actors.sales, article=article, text=text)
    assert article.comments.count() == 0


def test_suspended_member_cannot_comment_or_acknowledge(actors):
    version = make_version(status=VersionStatus.DISCUSSION)
    actors.sales.status = MemberStatus.SUSPENDED
    actors.sales.save()
    with pytest.raises(DomainError):
        services.comment_add(actor=actors.sales, article=version.articles.first(), text="x")
    published = make_version(code="other", status=VersionStatus.PUBLISHED)
    with pytest.raises(DomainError):
        services.version_acknowledge(actor=actors.sales, version=published)
    assert Comment.objects.count() == 0 and Acknowledgement.objects.count() == 0


# --- acknowledgement ------------------------------------------------------------------------------------------


def test_acknowledgement_is_idempotent(actors):
    version = make_version(status=VersionStatus.PUBLISHED)
    first, created = services.version_acknowledge(actor=actors.sales, version=version)
    events = AuditEvent.objects.count()
    again, created_again = services.version_acknowledge(actor=actors.sales, version=version)
    assert created and not created_again and first.pk == again.pk
    assert Acknowledgement.objects.filter(version=version, member=actors.sales).count() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("state", [VersionStatus.DRAFT, VersionStatus.DISCUSSION, VersionStatus.APPROVED])
def test_only_published_versions_can_be_acknowledged(actors, state):
    version = make_version(status=state)
    with pytest.raises(DomainError) as exc:
        services.version_acknowledge(actor=actors.sales, version=version)
    assert exc.value.code == "conflict" and Acknowledgement.objects.count() == 0


def test_superseded_version_cannot_be_newly_acknowledged(actors):
    v1 = make_version(status=VersionStatus.PUBLISHED)
    make_version(text=SMALL_V2, status=VersionStatus.PUBLISHED)
    v1.refresh_from_db()
    with pytest.raises(DomainError):
        services.version_acknowledge(actor=actors.sales, version=v1)


def test_unacknowledged_lists_are_scoped(actors):
    version = make_version(status=VersionStatus.PUBLISHED)
    services.version_acknowledge(actor=actors.sales, version=version)
    services.version_acknowledge(actor=actors.director, version=version)

    def names(who):
        return {m.name for m in selectors.version_unacknowledged(viewer=actors.by_name(who), version=version)}

    everyone = {m.name for m in actors.__dict__.values() if hasattr(m, "wecom_userid")} - {"周销售", "赵总监"}
    assert names("director") == everyone
    assert names("compliance") == everyone
    assert names("admin") == everyone
    assert names("manager") == {"钱经理", "孙主管", "李主管", "吴销售"}  # 销售一部; 周销售 acknowledged
    assert names("supervisor") == {"孙主管"}  # self + 周销售 (acknowledged)
    assert names("supervisor_b") == {"李主管", "吴销售"}
    for who in ("sales", "sales_b", "outsider"):
        with pytest.raises(DomainError) as exc:
            selectors.version_unacknowledged(viewer=actors.by_name(who), version=version)
        assert exc.value.code == "forbidden"


def test_pending_acknowledgements(actors):
    version = make_version(status=VersionStatus.PUBLISHED)
    assert selectors.pending_acknowledgements(actors.sales) == [version]
    services.version_acknowledge(actor=actors.sales, version=version)
    assert selectors.pending_acknowledgements(actors.sales) == []


# --- demo -----------------------------------------------------------------------------------------------------


def test_demo_loader_publishes_and_is_idempotent(actors):
    version = services.policy_load_demo()
    assert version.status == VersionStatus.PUBLISHED and version.effective_date == services.today_local()
    assert version.policy.code == "sales-conduct" and version.policy.title == "销售团队管理制度"
    assert version.articles.count() == 29 and version.chapters.count() == 7
    publish = AuditEvent.objects.get(verb="policy_version.publish", target_id=str(version.pk))
    assert publish.actor is None and publish.actor_label == "demo-seed" and "demo" in publish.reason
    assert not OutboxMessage.objects.exists()  # demo seeding queues no WeCom messages
    assert PolicyNotice.objects.filter(version=version).exists()
    events = AuditEvent.objects.count()
    assert services.policy_load_demo().pk == version.pk
    assert AuditEvent.objects.count() == events and PolicyVersion.objects.count() == 1


def test_demo_seed_path_still_needs_an_approved_version(actors):
    version = make_version(status=VersionStatus.DISCUSSION)
    with pytest.raises(DomainError):
        services.version_publish_demo_seed(version=version, effective_date=dt.date(2020, 1, 1))


def test_unacknowledged_lists_are_bounded_on_pages(actors, login, monkeypatch):
    from zhidu.org.tests.factories import MemberFactory
    from zhidu.policies import views

    MemberFactory.create_batch(33, department=actors.dept2)
    version = make_version(status=VersionStatus.PUBLISHED)
    total = selectors.version_unacknowledged(viewer=actors.director, version=version).count()
    assert total > views.UNACK_PREVIEW
    client = login(actors.director)
    page = client.get(f"/policies/versions/{version.pk}/").content.decode()
    assert f"({total})" in page and " …" in page
    monkeypatch.setattr(views, "UNACK_ROWS_MAX", 5)
    full = client.get(f"/policies/versions/{version.pk}/unacknowledged/").content.decode()
    assert full.count("data-member=") == 5 and f"({total})" in full and 'data-testid="truncated"' in full
