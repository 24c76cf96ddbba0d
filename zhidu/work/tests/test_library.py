"""The experience library and cases: who reads, writes, reviews, likes and uses what (pages and API over the
canonical actors), the compliance check that keeps a violating text from being published (with a real imported
rule backed by a regulation in force), search through the index with visibility, refusals that write nothing,
cases from archived chats stored masked, paging by key and query counts."""

from __future__ import annotations

import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ACTOR_NAMES
from zhidu.compliance.models import ArchiveMessage, Rule, ms_to_datetime
from zhidu.compliance.selectors import citation_text, citations_in_force
from zhidu.compliance.services import citation_add, rules_import
from zhidu.compliance.services.rules import TermRow
from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent, Notification
from zhidu.customers.models import Customer, FollowRelation
from zhidu.org import services as org_services
from zhidu.policies import services as policies
from zhidu.policies.models import Article
from zhidu.policies.selectors import clause_resolve
from zhidu.work import errors as E
from zhidu.work import library_selectors as sel
from zhidu.work import library_services as svc
from zhidu.work.models import (
    LibraryCase,
    LibraryItem,
    LibraryLike,
    LibraryStatus,
    LibraryTag,
    LibraryTerm,
    LibraryUse,
)

pytestmark = pytest.mark.django_db

REVIEWERS = {"supervisor", "manager", "director"}  # of an item by `sales`
READS_UNPUBLISHED = REVIEWERS | {"sales"}
LEADS = {"supervisor", "supervisor_b", "manager", "director"}


def bearer(member):  # type: ignore[no-untyped-def]
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def write(
    member,
    *,
    title="开场白：首次添加客户",
    body="您好，我是顾问小周，很高兴为您服务。",
    tags=("开场",),
    submit=True,
    kind="script",
    topic="opening",
):  # type: ignore[no-untyped-def]
    return svc.item_create(actor=member, kind=kind, topic=topic, title=title, body=body, tags=list(tags), submit=submit)


def publish(item, lead):  # type: ignore[no-untyped-def]
    return svc.item_review(actor=lead, item=item, decision="approve")


def state():  # type: ignore[no-untyped-def]
    return (
        AuditEvent.objects.count(),
        Notification.objects.count(),
        list(
            LibraryItem.objects.order_by("pk").values_list("pk", "status", "title", "body", "like_count", "use_count")
        ),
        LibraryTerm.objects.count(),
        LibraryTag.objects.count(),
        LibraryLike.objects.count(),
        list(LibraryUse.objects.values_list("pk", "count")),
        LibraryCase.objects.count(),
    )


@pytest.fixture
def guarantee_rule(actors):  # type: ignore[no-untyped-def]
    """A real rule imported like a compliance officer does (保本保息, false claim), backed by 第十七条 of the
    regulation in force."""
    version = policies.policy_load_demo(actor=None)
    rules_import(
        actor=actors.compliance, rows=[TermRow(row=1, term="保本保息", category="false_claim", severity="high")]
    )
    rule = Rule.objects.get(term_rows__term="保本保息")
    if not citations_in_force([rule.pk]).get(rule.pk):  # the category template may have mapped it already
        article = clause_resolve(version, "第十七条")
        assert isinstance(article, Article)
        citation_add(actor=actors.compliance, rule=rule, version=version, article_id=article.pk)
    assert "第十七条" in citation_text(citations_in_force([rule.pk])[rule.pk])
    return rule


# ------------------------------------------------------------------------------------------------ permissions


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_who_reads_reviews_likes_and_uses(actors, client, login, name):  # type: ignore[no-untyped-def]
    item = write(actors.sales)
    member = actors.by_name(name)
    auth = bearer(member)
    c = login(member)
    assert c.get(reverse("work:library")).status_code == 200
    assert c.get(reverse("work:library_new")).status_code == 200
    page = c.get(reverse("work:library_item", args=[item.pk]))
    assert page.status_code == (200 if name in READS_UNPUBLISHED else 404)
    assert (b'data-testid="library-review-form"' in page.content) == (name in REVIEWERS)
    edit = c.get(reverse("work:library_edit", args=[item.pk]))
    assert edit.status_code == (200 if name == "sales" else 404 if name not in READS_UNPUBLISHED else 403)
    api = client.get(reverse("api:work_library_get", args=[item.pk]), **auth)
    assert api.status_code == (200 if name in READS_UNPUBLISHED else 404)
    if name in READS_UNPUBLISHED:
        assert api.json()["may_review"] == (name in REVIEWERS)
    queue = client.get(reverse("api:work_library_list") + "?box=review", **auth).json()
    assert ([r["id"] for r in queue] == [item.pk]) == (name in REVIEWERS)
    # a pending item takes no likes or uses, nor a second submission: 409 for those who see it, 404 for the others
    like = client.post(reverse("api:work_library_like", args=[item.pk]), **auth)
    assert like.status_code == (409 if name in READS_UNPUBLISHED else 404)
    use = c.post(reverse("work:library_use", args=[item.pk]))
    assert use.status_code == (302 if name in READS_UNPUBLISHED else 404)
    submit = client.post(reverse("api:work_library_submit", args=[item.pk]), **auth)
    assert submit.status_code == (409 if name == "sales" else 403 if name in READS_UNPUBLISHED else 404)
    submit_page = c.post(reverse("work:library_submit", args=[item.pk]))
    assert submit_page.status_code == (302 if name == "sales" else 403 if name in READS_UNPUBLISHED else 404)
    edit_api = client.put(
        reverse("api:work_library_edit", args=[item.pk]),
        data={"title": "改过的标题", "body": "改过的正文"},
        content_type="application/json",
        **auth,
    )
    assert edit_api.status_code == (200 if name == "sales" else 403 if name in READS_UNPUBLISHED else 404)
    assert LibraryItem.objects.get(pk=item.pk).status == LibraryStatus.PENDING
    assert client.get(reverse("api:work_library_sidebar"), **auth).json() == []
    assert LibraryItem.objects.get(pk=item.pk).use_count == 0
    before = state()
    review = client.post(
        reverse("api:work_library_review", args=[item.pk]),
        data={"decision": "approve", "note": "可以"},
        content_type="application/json",
        **auth,
    )
    if name in REVIEWERS:
        assert review.status_code == 200 and review.json()["status"] == LibraryStatus.PUBLISHED
    else:
        assert review.status_code == (403 if name == "sales" else 404)
        assert state() == before
        publish(item, actors.supervisor)
    # published: every active member reads, likes (a toggle) and uses it
    assert c.get(reverse("work:library_item", args=[item.pk])).status_code == 200
    assert client.get(reverse("api:work_library_get", args=[item.pk]), **auth).status_code == 200
    listed = client.get(reverse("api:work_library_list"), **auth).json()
    assert [r["id"] for r in listed] == [item.pk]
    liked = client.post(reverse("api:work_library_like", args=[item.pk]), **auth).json()
    assert (liked["liked"], liked["like_count"]) == (True, 1)
    used = client.post(reverse("api:work_library_use", args=[item.pk]), **auth).json()
    assert (used["counted"], used["use_count"]) == (True, 1)
    page = c.post(reverse("work:library_like", args=[item.pk]))
    assert page.status_code == 302
    assert LibraryItem.objects.get(pk=item.pk).like_count == 0
    assert [r["id"] for r in client.get(reverse("api:work_library_sidebar"), **auth).json()] == [item.pk]
    created = client.post(
        reverse("api:work_library_list"),
        data={"title": "我的话术", "body": "您好"},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201 and created.json()["mine"] is True


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_case_pages_and_endpoints_by_actor(actors, client, login, name):  # type: ignore[no-untyped-def]
    msgs = chat(actors.sales, "wmCust0001")
    case = svc.case_create(
        actor=actors.supervisor, chat_key=msgs[0].chat_key, first_id=msgs[0].pk, last_id=msgs[-1].pk,
        verdict="good", title="先问需求", lesson="先问预算再推荐。",
    )  # fmt: skip
    member = actors.by_name(name)
    auth, c = bearer(member), login(member)
    assert c.get(reverse("work:library_cases")).status_code == 200
    listed = client.get(reverse("api:work_library_cases"), **auth).json()
    assert [r["id"] for r in listed] == ([case.pk] if name == "supervisor" else [])
    assert c.get(reverse("work:library_case_new")).status_code == (200 if name in LEADS else 403)
    draft = c.get(reverse("work:library_case", args=[case.pk]))
    assert draft.status_code == (200 if name == "supervisor" else 404)
    api = client.get(reverse("api:work_library_case_get", args=[case.pk]), **auth)
    assert api.status_code == (200 if name == "supervisor" else 404)
    publish_api = client.post(reverse("api:work_library_case_publish", args=[case.pk]), **auth)
    assert publish_api.status_code == (200 if name == "supervisor" else 404)
    if name != "supervisor":
        svc.case_publish(actor=actors.supervisor, case=case)
    assert c.get(reverse("work:library_case", args=[case.pk])).status_code == 200
    body = client.get(reverse("api:work_library_case_get", args=[case.pk]), **auth).json()
    assert body["status"] == "published" and "13912345678" not in str(body)
    again = client.post(reverse("api:work_library_case_publish", args=[case.pk]), **auth)
    assert again.status_code == (409 if name == "supervisor" else 403)
    # making a case from sales's chat: the leads whose scope holds sales may; the others cannot see the chat
    made = client.post(
        reverse("api:work_library_cases"),
        data={"chat_key": msgs[0].chat_key, "first_id": msgs[0].pk, "last_id": msgs[1].pk, "verdict": "bad",
              "title": "回复太慢", "lesson": "客户等了很久。"},
        content_type="application/json",
        **auth,
    )  # fmt: skip
    expected = 201 if name in REVIEWERS else 400 if name == "supervisor_b" else 403
    assert made.status_code == expected


# ------------------------------------------------------------------------------------------------ compliance


def test_approval_is_blocked_by_a_rule_and_writes_nothing(actors, client, login, guarantee_rule):  # type: ignore[no-untyped-def]
    # written while the rule was off (or before it was imported): pending now, the rule applies at approval
    Rule.objects.filter(pk=guarantee_rule.pk).update(enabled=False)
    item = write(actors.sales, title="理财产品介绍", body="这款产品保本保息，年化收益稳定。")
    Rule.objects.filter(pk=guarantee_rule.pk).update(enabled=True, updated_at=timezone.now())
    auth = bearer(actors.supervisor)
    before = state()
    with pytest.raises(svc.LibraryBlocked) as err:
        svc.item_review(actor=actors.supervisor, item=item, decision="approve")
    assert err.value.code == "conflict" and err.value.template == E.ERR_LIBRARY_BLOCKED
    [finding] = err.value.findings
    assert finding.rule_id == guarantee_rule.pk and finding.matched == "保本保息"
    assert "第十七条" in finding.citation and "销售团队管理制度" in finding.citation
    assert state() == before
    api = client.post(
        reverse("api:work_library_review", args=[item.pk]),
        data={"decision": "approve"},
        content_type="application/json",
        **auth,
    )
    assert api.status_code == 409 and "第十七条" in api.json()["detail"]
    assert state() == before
    # the reviewer and the author see the rule and the article on the page; the reviewer may still reject
    for member in (actors.supervisor, actors.sales):
        page = login(member).get(reverse("work:library_item", args=[item.pk])).content.decode()
        assert 'data-testid="library-findings"' in page and guarantee_rule.name in page and "第十七条" in page
    page = login(actors.supervisor).post(reverse("work:library_item", args=[item.pk]), {"decision": "approve"})
    assert page.status_code == 400 and "第十七条" in page.content.decode()
    assert state() == before
    svc.item_review(actor=actors.supervisor, item=item, decision="reject", note="不能承诺保本。")
    assert LibraryItem.objects.get(pk=item.pk).status == LibraryStatus.REJECTED


def test_submitting_a_violating_text_is_refused_and_a_clean_one_passes(actors, guarantee_rule):  # type: ignore[no-untyped-def]
    before = state()
    with pytest.raises(svc.LibraryBlocked):
        write(actors.sales, body="放心，保本保息，没有风险。")
    assert state() == before
    draft = write(actors.sales, body="放心，保本保息，没有风险。", submit=False)
    with pytest.raises(svc.LibraryBlocked):
        svc.item_submit(actor=actors.sales, item=draft)
    assert LibraryItem.objects.get(pk=draft.pk).status == LibraryStatus.DRAFT
    svc.item_edit(
        actor=actors.sales, item=draft, kind="script", topic="product", title="风险提示",
        body="理财有风险，收益以合同为准。", tags=["风险"],
    )  # fmt: skip
    svc.item_submit(actor=actors.sales, item=draft)
    published = svc.item_review(actor=actors.supervisor, item=draft, decision="approve", note="表述稳妥")
    assert published.status == LibraryStatus.PUBLISHED and published.review_note == "表述稳妥"
    verbs = list(
        AuditEvent.objects.filter(target_type="work.libraryitem").values_list("verb", flat=True).order_by("pk")
    )
    assert verbs == ["library.create", "library.edit", "library.submit", "library.approve"]
    assert Notification.objects.filter(recipient=actors.sales).count() == 1
    assert Notification.objects.filter(recipient=actors.supervisor).count() == 1


def test_editing_a_published_item_sends_it_back_to_review(actors, guarantee_rule):  # type: ignore[no-untyped-def]
    item = publish(write(actors.sales), actors.supervisor)
    with pytest.raises(svc.LibraryBlocked):
        svc.item_edit(actor=actors.sales, item=item, kind="script", topic="opening", title=item.title, body="保本保息")
    assert LibraryItem.objects.get(pk=item.pk).status == LibraryStatus.PUBLISHED
    svc.item_edit(
        actor=actors.sales, item=item, kind="script", topic="opening", title=item.title, body="您好，欢迎咨询。"
    )
    item.refresh_from_db()
    assert item.status == LibraryStatus.PENDING and item.body == "您好，欢迎咨询。"
    assert not sel.library_page(actors.sales_b, sel.LibraryQuery())
    with pytest.raises(DomainError) as err:
        svc.item_edit(actor=actors.supervisor, item=item, kind="script", topic="opening", title="x", body="y")
    assert err.value.template == E.ERR_LIBRARY_NOT_AUTHOR


# ------------------------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"title": "  "}, E.ERR_LIBRARY_TITLE),
        ({"body": ""}, E.ERR_LIBRARY_BODY),
        ({"kind": "poem"}, E.ERR_LIBRARY_KIND),
        ({"topic": "weather"}, E.ERR_LIBRARY_TOPIC),
        ({"tags": [f"标签{i}" for i in range(20)]}, E.ERR_LIBRARY_TAGS),
        ({"product_id": 999999}, E.ERR_LIBRARY_PRODUCT),
    ],
)
def test_bad_input_writes_nothing(actors, fields, error):  # type: ignore[no-untyped-def]
    data = {"kind": "script", "topic": "opening", "title": "标题", "body": "正文", "tags": [], "product_id": None}
    before = state()
    with pytest.raises(DomainError) as err:
        svc.item_create(actor=actors.sales, submit=True, **(data | fields))
    assert err.value.template == error
    assert state() == before


@pytest.mark.parametrize(
    "who, decision, note, error",
    [
        ("supervisor", "reject", "", E.ERR_LIBRARY_REASON),
        ("supervisor", "publish", "", E.ERR_LIBRARY_DECISION),
        ("supervisor_b", "approve", "", E.ERR_LIBRARY_NOT_REVIEWER),
        ("sales", "approve", "", E.ERR_LIBRARY_NOT_REVIEWER),
        ("compliance", "approve", "", E.ERR_LIBRARY_NOT_REVIEWER),
    ],
)
def test_refused_reviews_write_nothing(actors, who, decision, note, error):  # type: ignore[no-untyped-def]
    item = write(actors.sales)
    before = state()
    with pytest.raises(DomainError) as err:
        svc.item_review(actor=actors.by_name(who), item=item, decision=decision, note=note)
    assert err.value.template == error
    assert state() == before


def test_a_lead_cannot_review_their_own_item_and_a_reviewed_item_is_closed(actors):  # type: ignore[no-untyped-def]
    own = write(actors.supervisor)
    assert not svc.can_review(actors.supervisor, own) and svc.can_review(actors.manager, own)
    item = publish(write(actors.sales), actors.manager)
    before = state()
    with pytest.raises(DomainError) as err:
        svc.item_review(actor=actors.director, item=item, decision="reject", note="重复")
    assert err.value.template == E.ERR_LIBRARY_NOT_PENDING and err.value.code == "conflict"
    assert state() == before


def test_api_answers_400_403_404_409_and_422(actors, client):  # type: ignore[no-untyped-def]
    auth = bearer(actors.sales)
    url = reverse("api:work_library_list")
    bad = client.post(
        url, data={"title": "标题", "body": "正文", "topic": "weather"}, content_type="application/json", **auth
    )
    assert bad.status_code == 422
    blank = client.post(url, data={"title": "   ", "body": "正文"}, content_type="application/json", **auth)
    assert blank.status_code == 400 and blank.json()["field"] == "title"
    item = write(actors.sales)
    assert client.post(reverse("api:work_library_submit", args=[item.pk]), **auth).status_code == 409
    assert client.get(reverse("api:work_library_get", args=[item.pk + 1000]), **auth).status_code == 404
    other = client.put(
        reverse("api:work_library_edit", args=[item.pk]),
        data={"title": "改", "body": "改"},
        content_type="application/json",
        **bearer(actors.supervisor),
    )
    assert other.status_code == 403
    created = client.post(
        url, data={"title": "新话术", "body": "您好", "tags": ["开场"]}, content_type="application/json", **auth
    )
    assert created.status_code == 201 and created.json()["status"] == "draft" and created.json()["tags"] == ["开场"]


# ------------------------------------------------------------------------------------------------ likes, uses


def test_likes_toggle_and_uses_are_bounded_per_member_and_day(actors, time_machine, settings):  # type: ignore[no-untyped-def]
    settings.WORK_LIBRARY_USES_PER_DAY = 2
    time_machine.move_to("2026-03-02 09:00:00+08:00", tick=False)
    item = publish(write(actors.sales), actors.supervisor)
    assert svc.item_like_toggle(actor=actors.sales_b, item=item) is True
    assert svc.item_like_toggle(actor=actors.outsider, item=item) is True
    assert svc.item_like_toggle(actor=actors.sales_b, item=item) is False
    item.refresh_from_db()
    assert item.like_count == 1 and list(LibraryLike.objects.values_list("member_id", flat=True)) == [
        actors.outsider.pk
    ]
    assert [svc.item_use(actor=actors.sales_b, item=item) for _ in range(4)] == [True, True, False, False]
    assert svc.item_use(actor=actors.outsider, item=item) is True
    time_machine.move_to("2026-03-03 09:00:00+08:00", tick=False)
    assert svc.item_use(actor=actors.sales_b, item=item) is True
    item.refresh_from_db()
    assert item.use_count == 4
    assert AuditEvent.objects.filter(verb="library.use").count() == 4


def test_the_copy_button_posts_a_use_and_answers_json(actors, login):  # type: ignore[no-untyped-def]
    item = publish(write(actors.sales), actors.supervisor)
    c = login(actors.sales_b)
    page = c.get(reverse("work:library_item", args=[item.pk])).content.decode()
    assert 'data-testid="library-copy"' in page and 'data-copy="#library-text"' in page
    answer = c.post(reverse("work:library_use", args=[item.pk]), HTTP_ACCEPT="application/json")
    assert answer.json() == {"result": True, "use_count": 1, "like_count": 0}
    assert c.post(reverse("work:library_use", args=[item.pk])).status_code == 302
    assert c.get(reverse("work:library_use", args=[item.pk])).status_code == 405


# ------------------------------------------------------------------------------------------------ search


def test_search_by_title_body_and_tag_respects_visibility(actors, client):  # type: ignore[no-untyped-def]
    a = publish(
        write(actors.sales, title="客户嫌贵怎么办", body="先认同，再拆分价格。", tags=["价格异议"]), actors.supervisor
    )
    b = publish(
        write(actors.sales_b, title="售后安抚", body="非常抱歉给您带来不便，我们马上处理。", tags=["售后"]),
        actors.supervisor_b,
    )
    hidden = write(actors.sales_b, title="价格谈判草稿", body="拆分价格的另一种说法", submit=False)

    def found(member, **kw):  # type: ignore[no-untyped-def]
        return [i.pk for i in sel.library_page(member, sel.LibraryQuery(**kw))]

    assert found(actors.outsider, q="嫌贵") == [a.pk]  # title
    assert found(actors.outsider, q="抱歉") == [b.pk]  # body
    assert found(actors.outsider, q="价格异议") == [a.pk]  # tag words
    assert found(actors.outsider, tag="售后") == [b.pk]  # tag filter
    assert found(actors.outsider, q="拆分价格") == [a.pk]  # the draft with the same words stays hidden
    assert found(actors.sales_b, q="拆分价格", box="mine") == [hidden.pk]
    assert found(actors.outsider, q="不存在的词") == []
    assert found(actors.outsider, q="贵", kind="article") == []
    api = client.get(reverse("api:work_library_sidebar") + "?q=抱歉", **bearer(actors.outsider)).json()
    assert [r["id"] for r in api] == [b.pk]
    # the index follows an edit
    svc.item_edit(actor=actors.sales, item=a, kind="script", topic="price", title="价格太高的回应", body="先认同。")
    assert found(actors.sales, q="嫌贵", box="mine") == []
    assert found(actors.sales, q="太高", box="mine") == [a.pk]


def test_search_uses_the_index_not_a_like(actors, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    publish(write(actors.sales, title="开场白"), actors.supervisor)
    with CaptureQueriesContext(connection) as ctx:
        sel.library_page(actors.sales, sel.LibraryQuery(q="开场白"))
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "work_libraryterm" in sql and not re.search(r"\bLIKE\b", sql.upper())


def test_paging_by_key_in_each_sort(actors, settings, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    settings.WORK_LIBRARY_PAGE_SIZE = 5
    items = [publish(write(actors.sales, title=f"话术{i}"), actors.supervisor) for i in range(12)]
    for n, item in enumerate(items):
        LibraryItem.objects.filter(pk=item.pk).update(use_count=n % 4, like_count=(n * 7) % 5)
    for sort, field in (("new", None), ("used", "use_count"), ("liked", "like_count")):
        seen: list[int] = []
        after = ""
        for _page in range(4):
            rows = sel.library_page(actors.sales_b, sel.LibraryQuery(sort=sort, after=after))
            seen += [r.pk for r in rows]
            if len(rows) < 5:
                break
            after = sel.row_key(rows[-1], sort)
        fresh = {i.pk: i for i in LibraryItem.objects.all()}
        order = sorted(fresh.values(), key=lambda i, f=field: (-getattr(i, f) if f else 0, -i.pk))  # type: ignore[misc]
        assert seen == [i.pk for i in order]
    c = login(actors.sales_b)
    with django_assert_max_num_queries(10):
        page = c.get(reverse("work:library") + "?sort=used")
    assert (
        page.content.decode().count('data-testid="library-row"') == 5
        and 'data-testid="library-more"' in page.content.decode()
    )


def test_pages_stay_within_their_query_counts(actors, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    for i in range(30):
        item = publish(write(actors.sales, title=f"话术{i}", tags=["开场", f"t{i}"]), actors.supervisor)
        svc.item_like_toggle(actor=actors.sales_b, item=item)
    pending = write(actors.sales, title="待审核")
    c = login(actors.supervisor)
    with django_assert_max_num_queries(10):
        c.get(reverse("work:library") + "?q=话术")
    with django_assert_max_num_queries(10):
        c.get(reverse("work:library") + "?box=review")
    with django_assert_max_num_queries(16):
        c.get(reverse("work:library_item", args=[pending.pk]))
    msgs = chat(actors.sales, "wmCust0002")
    for i in range(8):
        case = svc.case_create(
            actor=actors.supervisor,
            chat_key=msgs[0].chat_key,
            first_id=msgs[0].pk,
            last_id=msgs[-1].pk,
            verdict="good",
            title=f"案例{i}",
            lesson="要点",
        )
        svc.case_publish(actor=actors.supervisor, case=case)
    with django_assert_max_num_queries(8):
        c.get(reverse("work:library_cases"))
    with django_assert_max_num_queries(8):
        c.get(reverse("work:library_case", args=[case.pk]))
    with django_assert_max_num_queries(14):
        c.get(reverse("work:library_case_new") + "?chat=" + msgs[0].chat_key)
    with django_assert_max_num_queries(10):
        c.get(reverse("work:library_case_new"))
    with django_assert_max_num_queries(10):
        c.get(reverse("work:library_case_new") + f"?member={actors.sales.pk}")


# ------------------------------------------------------------------------------------------------ cases


_seq = itertools.count(1)
LINES = [
    ("customer", "你好，我是王建国，电话 139 1234 5678，想问问套餐"),
    ("staff", "王先生您好，我是顾问小周，您的预算大概多少？"),
    (
        "customer",
        "三千左右，送到杭州市西湖区文三路90号，身份证11010519491231002X，邮箱 wjg@example.com，微信号 wjg_1988",
    ),
    ("staff", "好的，老王，我把三千以内的两款对比发给您。"),
]


def chat(member, customer_id):  # type: ignore[no-untyped-def]
    """Four archived messages between `member` and a customer named 王建国 (remark 老王), oldest first."""
    customer = Customer.objects.get_or_create(external_userid=customer_id, defaults={"name": "王建国"})[0]
    FollowRelation.objects.get_or_create(customer=customer, member=member, defaults={"remark": "老王"})
    key = "|".join(sorted([member.wecom_userid, customer_id]))
    base = int(timezone.now().timestamp() * 1000) - 3_600_000
    out = []
    for side, text in LINES:
        n = next(_seq)
        staff = side == "staff"
        out.append(
            ArchiveMessage.objects.create(
                msgid=f"lib{n:06d}", seq=n, action="send", side=side,
                sender=member.wecom_userid if staff else customer_id,
                receivers=[customer_id if staff else member.wecom_userid], chat_key=key, msgtime=base + n * 1000,
                sent_at=ms_to_datetime(base + n * 1000), msgtype="text", text=text, raw={}, member=member,
                customer_id=customer_id,
            )
        )  # fmt: skip
    return out


def test_a_case_stores_the_chosen_messages_masked_and_labelled_by_role(actors, login):  # type: ignore[no-untyped-def]
    msgs = chat(actors.sales, "wmCust0003")
    page = login(actors.supervisor).get(reverse("work:library_case_new")).content.decode()
    assert f"?member={actors.sales.pk}" in page and actors.sales_b.name not in page  # only their own team
    chats = login(actors.supervisor).get(reverse("work:library_case_new") + f"?member={actors.sales.pk}")
    assert "?chat=" in chats.content.decode()
    other = login(actors.supervisor_b).get(reverse("work:library_case_new") + f"?member={actors.sales.pk}")
    assert "?chat=" not in other.content.decode()  # a member outside the lead's scope shows no chats
    preview = login(actors.supervisor).get(reverse("work:library_case_new") + "?chat=" + msgs[0].chat_key)
    assert "王建国" not in preview.content.decode() and "销售人员" in preview.content.decode()
    response = login(actors.supervisor).post(
        reverse("work:library_case_new") + "?chat=" + msgs[0].chat_key,
        {"first": msgs[0].pk, "last": msgs[2].pk, "verdict": "good", "topic": "needs", "title": "先问预算",
         "lesson": "先问预算再推荐。"},
    )  # fmt: skip
    case = LibraryCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("work:library_case", args=[case.pk])
    assert [(m["side"], m["role"], m["party"]) for m in case.messages] == [
        ("customer", "", 1), ("staff", "sales", 0), ("customer", "", 1)
    ]  # fmt: skip
    stored = " ".join(str(m["text"]) for m in case.messages)
    for secret in (
        "王建国",
        "老王",
        "王先生",
        "139 1234 5678",
        "11010519491231002X",
        "wjg@example.com",
        "wjg_1988",
        "文三路90号",
    ):
        assert secret not in stored
    assert "【客户】" in stored and "【号码】" in stored and "【邮箱】" in stored and "【地址】" in stored
    assert "预算" in stored  # the rest of the conversation is kept
    shown = login(actors.supervisor).get(reverse("work:library_case", args=[case.pk])).content.decode()
    assert "客户 1" in shown and "销售人员" in shown and actors.sales.name not in shown.split("<main")[-1]
    assert AuditEvent.objects.filter(verb="library.case_create", target_id=str(case.pk)).exists()


@pytest.mark.parametrize(
    "who, first, last, error",
    [
        ("supervisor", 2, 0, E.ERR_CASE_RANGE),  # reversed
        ("supervisor", 0, 99, E.ERR_CASE_RANGE),  # not in the chat
        ("supervisor_b", 0, 1, E.ERR_CASE_RANGE),  # not in their scope: the chat is not theirs to see
        ("sales", 0, 1, E.ERR_CASE_NOT_LEAD),
        ("compliance", 0, 1, E.ERR_CASE_NOT_LEAD),
    ],
)
def test_refused_cases_write_nothing(actors, who, first, last, error):  # type: ignore[no-untyped-def]
    msgs = chat(actors.sales, "wmCust0004")
    ids = [m.pk for m in msgs] + [10**9]
    before = state()
    with pytest.raises(DomainError) as err:
        svc.case_create(
            actor=actors.by_name(who), chat_key=msgs[0].chat_key, first_id=ids[min(first, 4)],
            last_id=ids[min(last, 4)], verdict="good", title="标题", lesson="要点",
        )  # fmt: skip
    assert err.value.template == error
    assert state() == before


def test_a_case_longer_than_the_bound_is_refused(actors, settings):  # type: ignore[no-untyped-def]
    settings.WORK_LIBRARY_CASE_MAX_LINES = 3
    msgs = chat(actors.sales, "wmCust0005")
    with pytest.raises(DomainError) as err:
        svc.case_create(
            actor=actors.manager,
            chat_key=msgs[0].chat_key,
            first_id=msgs[0].pk,
            last_id=msgs[3].pk,
            verdict="bad",
            title="t",
            lesson="l",
        )
    assert err.value.template == E.ERR_CASE_RANGE and LibraryCase.objects.count() == 0


# ------------------------------------------------------------------------------------------------ pages, demo


def test_write_submit_and_review_through_the_pages(actors, login):  # type: ignore[no-untyped-def]
    c = login(actors.sales)
    response = c.post(
        reverse("work:library_new"),
        {"kind": "script", "topic": "price", "title": "报价后的跟进", "body": "报价单收到了吗？有疑问我来解释。",
         "tags": "报价，跟进", "submit": "1"},
    )  # fmt: skip
    item = LibraryItem.objects.get()
    assert response.status_code == 302 and item.status == LibraryStatus.PENDING and item.tags == ["报价", "跟进"]
    bad = c.post(reverse("work:library_new"), {"kind": "script", "topic": "price", "title": "", "body": "x"})
    assert bad.status_code == 400 and LibraryItem.objects.count() == 1
    lead = login(actors.supervisor)
    queue = lead.get(reverse("work:library") + "?box=review").content.decode()
    assert "报价后的跟进" in queue
    done = lead.post(reverse("work:library_item", args=[item.pk]), {"decision": "reject", "note": "再具体一点"})
    assert done.status_code == 302
    mine = login(actors.sales).get(reverse("work:library_item", args=[item.pk])).content.decode()
    assert "再具体一点" in mine and "已驳回" in mine and 'data-testid="library-submit"' in mine


def test_demo_fills_the_library_once(actors):  # type: ignore[no-untyped-def]
    from zhidu.compliance.services import rules_seed_default
    from zhidu.work.library_demo import demo_library

    rules_seed_default(actor=None)
    demo_library()
    demo_library()
    statuses = [s for s in LibraryItem.objects.values_list("status", flat=True)]
    assert statuses.count("published") == 12 and statuses.count("pending") == 1 and statuses.count("draft") == 1
    assert LibraryItem.objects.filter(status="published", use_count__gt=0).count() == 12
    assert LibraryItem.objects.filter(like_count__gt=0).exists()
    blocked = LibraryItem.objects.get(status="draft")
    assert sel.item_findings(actors.sales, blocked)
    case = LibraryCase.objects.get()
    assert case.status == "published" and "13912345678" not in str(case.messages)
    assert not re.search(r"1[3-9]\d{9}", str(case.messages))
