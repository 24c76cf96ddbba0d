"""A small company with work on both teams, for the API fuzz run (see test_api.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from conftest import Actors
from zhidu.compliance.models import Rule
from zhidu.compliance.services.review import violation_confirm
from zhidu.compliance.tests.factories import make_rule, make_violation
from zhidu.customers.tests.factories import FollowFactory, TagFactory
from zhidu.discipline.services import appeal_submit, policy_defaults, sanction_approve, sanction_propose_for_violation
from zhidu.groups.models import MemberType
from zhidu.groups.tests.factories import GroupChatFactory, GroupMemberFactory
from zhidu.org import services as org_services
from zhidu.org.models import Member
from zhidu.performance.models import Scorecard
from zhidu.performance.services import scorecards_compute
from zhidu.performance.tests.helpers import followups_set, this_month
from zhidu.policies.models import Article, VersionStatus
from zhidu.policies.tests.factories import SMALL, make_version
from zhidu.work.suggestions_services import suggestion_submit


@dataclass
class World:
    actors: Actors
    tokens: dict[str, str]
    ids: list[int] = field(default_factory=list)  # primary keys that exist, to aim path and query ids at
    words: list[str] = field(default_factory=list)  # strings that mean something here (keys, names)


@pytest.fixture
def world(actors: Actors) -> World:
    a = actors
    tag = TagFactory()
    follows = []
    for owner in (a.sales, a.sales_b, a.outsider):
        follow = FollowFactory(member=owner)
        follow.tags.add(tag)
        follows.append(follow)
    FollowFactory(member=a.sales_b, customer=follows[0].customer)  # one customer shared by two teams
    FollowFactory(member=a.outsider, deleted=True)  # a relation that ended
    groups = []
    for owner in (a.sales, a.sales_b, a.outsider):
        group = GroupChatFactory(owner=owner, owner_userid=owner.wecom_userid)
        GroupMemberFactory(group=group, type=MemberType.STAFF, member=owner, userid=owner.wecom_userid)
        GroupMemberFactory(group=group, customer=follows[0].customer, userid=follows[0].customer.external_userid)
        groups.append(group)
    make_rule()
    violations = [make_violation(m) for m in (a.sales, a.sales_b, a.outsider)]
    published = make_version(code="fuzz-published", status=VersionStatus.PUBLISHED, actor=a.director)
    draft = make_version(text=SMALL.replace("测试", "草案"), code="fuzz-draft", actor=a.director)
    pending = org_services.application_submit(
        name="新人", username="newcomer", password="a-long-password-1", department=a.dept1, lead=a.supervisor
    )
    # Discipline and performance: a proposed fine and an approved one (with a pending appeal), scorecards this month.
    policy_defaults()
    for v in violations[:2]:
        violation_confirm(actor=a.director, violation=v, loss_amount="300")
    sanctions = [sanction_propose_for_violation(violation_id=v.pk) for v in violations[:2]]
    approved = sanction_approve(actor=a.supervisor_b, sanction=sanctions[1])
    appeal_submit(actor=a.sales_b, sanction=approved, text="申诉理由")
    followups_set(a.director)
    scorecards_compute(actor=None, kind="month", start=this_month())
    suggestions = [
        suggestion_submit(actor=m, title="建议", body="内容", anonymous=anon)
        for m, anon in ((a.sales, False), (a.sales_b, True), (a.outsider, False))
    ]
    tokens = {
        name: org_services.api_token_create(actor=a.by_name(name), name="fuzz")[1] for name in ("director", "sales")
    }
    ids = sorted(
        {m.pk for m in Member.objects.all()}
        | {f.customer_id for f in follows}
        | {g.pk for g in groups}
        | {v.pk for v in violations}
        | {published.pk, draft.pk, pending.pk, a.dept1.pk, a.dept2.pk}
        | {x.pk for x in suggestions}
        | {x.pk for x in sanctions if x is not None}
        | set(Scorecard.objects.values_list("pk", flat=True))
        | set(Article.objects.values_list("pk", flat=True))
    )
    words = sorted(
        {art.key for art in Article.objects.select_related("version__policy")}
        | {a.sales.name, a.outsider.name, follows[2].customer.name, groups[2].name, "open", "pending", "high"}
        | set(Rule.objects.values_list("category", flat=True))
        | {"suspend", "remove", "reinstate", "wecom"}
    )
    return World(actors=a, tokens=tokens, ids=ids, words=words)


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, kept from closing the test transaction's connection after each request
    (what django.test.Client does too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
