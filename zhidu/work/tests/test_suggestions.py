"""The suggestion box: who reads and answers what (pages and API over the canonical actors), anonymity that holds
in every output, the answer flow with its audit trail and notifications, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from conftest import ACTOR_NAMES
from zhidu.core import events
from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent, Notification
from zhidu.core.periods import local_today
from zhidu.org import services as org_services
from zhidu.work import errors as E
from zhidu.work import suggestions_services as svc
from zhidu.work.models import Suggestion, SuggestionReply, SuggestionStatus

pytestmark = pytest.mark.django_db

# Who may read (and who may answer) a suggestion by `sales` (reports to `supervisor`, department 销售一部).
READS_NAMED = {"sales", "supervisor", "manager", "director"}
ANSWERS_NAMED = {"supervisor", "manager", "director"}
# An anonymous one skips the supervisor: a team of two could tell who wrote it.
READS_ANON = {"sales", "manager", "director"}
ANSWERS_ANON = {"manager", "director"}


def bearer(member):  # type: ignore[no-untyped-def]
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def submit(member, *, anonymous=False, title="周报模板太长"):  # type: ignore[no-untyped-def]
    return svc.suggestion_submit(
        actor=member, title=title, body="建议把周报拆成三个必填栏目。", topic="process", anonymous=anonymous
    )


def state():  # type: ignore[no-untyped-def]
    return (
        AuditEvent.objects.count(),
        list(Suggestion.objects.order_by("pk").values_list("pk", "status", "planned_on")),
        SuggestionReply.objects.count(),
    )


@pytest.mark.parametrize("anonymous", [False, True])
@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_who_reads_and_answers(actors, client, login, name, anonymous):  # type: ignore[no-untyped-def]
    s = submit(actors.sales, anonymous=anonymous)
    reads, answers = (READS_ANON, ANSWERS_ANON) if anonymous else (READS_NAMED, ANSWERS_NAMED)
    member = actors.by_name(name)
    auth = bearer(member)
    page = login(member).get(reverse("work:suggestion", args=[s.pk]))
    assert page.status_code == (200 if name in reads else 404)
    assert (b'data-testid="decision-form"' in page.content) == (name in answers)
    api = client.get(reverse("api:suggestion_get", args=[s.pk]), **auth)
    assert api.status_code == (200 if name in reads else 404)
    if name in reads:
        assert (api.json()["decisions"] != []) == (name in answers)
    inbox = client.get(reverse("api:suggestion_list") + "?box=inbox", **auth).json()
    assert ([row["id"] for row in inbox] == [s.pk]) == (name in answers)
    before = state()
    response = client.post(
        reverse("api:suggestion_decide", args=[s.pk]),
        data={"decision": "answer", "text": "收到，下周讨论。"},
        content_type="application/json",
        **auth,
    )
    if name in answers:
        assert response.status_code == 200
        assert response.json()["status"] == SuggestionStatus.ANSWERED
    else:
        assert response.status_code in (403, 404)
        assert state() == before


def test_an_anonymous_author_is_never_shown(actors, client, login):  # type: ignore[no-untyped-def]
    s = submit(actors.sales, anonymous=True)
    author = actors.sales.name
    for member in (actors.manager, actors.director):
        page = login(member).get(reverse("work:suggestion", args=[s.pk]))
        listing = login(member).get(reverse("work:suggestions") + "?box=inbox")
        assert s.title in listing.content.decode()
        assert author not in page.content.decode() and author not in listing.content.decode()
        for url in (reverse("api:suggestion_get", args=[s.pk]), reverse("api:suggestion_list") + "?box=inbox"):
            data = client.get(url, **bearer(member)).json()
            body = json.dumps(data, ensure_ascii=False)
            assert s.title in body and author not in body
            assert {r["author_id"] for r in _rows(data)} == {None}
    event = AuditEvent.objects.get(verb="suggestion.submit", target_id=str(s.pk))
    assert event.actor_id is None and event.actor_label == svc.ANONYMOUS_LABEL
    assert author not in json.dumps(event.after, ensure_ascii=False)
    # The managers hear of it, the supervisor (who could guess) does not; the author still sees it as theirs.
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {actors.manager.pk}
    mine = client.get(reverse("api:suggestion_list") + "?box=mine", **bearer(actors.sales)).json()
    assert [(r["id"], r["mine"], r["author_id"]) for r in mine] == [(s.pk, True, None)]


def _rows(body):  # type: ignore[no-untyped-def]
    return body if isinstance(body, list) else [body]


def test_a_named_suggestion_goes_to_the_supervisor_and_shows_its_author(actors, login):  # type: ignore[no-untyped-def]
    s = submit(actors.sales)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [actors.supervisor.pk]
    page = login(actors.supervisor).get(reverse("work:suggestion", args=[s.pk])).content.decode()
    assert actors.sales.name in page
    event = AuditEvent.objects.get(verb="suggestion.submit")
    assert event.actor_id == actors.sales.pk


ACCEPTED: list[dict] = []  # type: ignore[type-arg]


def on_accept(**payload):  # type: ignore[no-untyped-def]
    ACCEPTED.append(payload)


def test_answer_flow_keeps_a_thread_audits_and_tells_the_author(actors, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    ACCEPTED.clear()
    events.subscribe(svc.SUGGESTION_ACCEPTED, on_accept)
    try:
        s = submit(actors.sales)
        Notification.objects.all().delete()
        svc.suggestion_decide(actor=actors.supervisor, suggestion=s, decision="answer", text="好主意，我和经理商量。")
        with django_capture_on_commit_callbacks(execute=True):
            svc.suggestion_decide(actor=actors.manager, suggestion=s, decision="accept", text="采纳")
        day = local_today() + dt.timedelta(days=14)
        svc.suggestion_decide(actor=actors.manager, suggestion=s, decision="plan", planned_on=day)
        svc.suggestion_decide(actor=actors.supervisor, suggestion=s, decision="answer", text="模板已在修改")
        s.refresh_from_db()
        assert s.status == SuggestionStatus.PLANNED and s.planned_on == day  # an answer keeps "planned"
        svc.suggestion_decide(actor=actors.manager, suggestion=s, decision="done")
    finally:
        events.unsubscribe(svc.SUGGESTION_ACCEPTED, on_accept)
    s.refresh_from_db()
    assert s.status == SuggestionStatus.DONE and s.decided_by == actors.manager
    assert list(s.replies.values_list("status", flat=True)) == ["answered", "accepted", "planned", "planned", "done"]
    assert [{"id": s.pk}] == ACCEPTED
    trail = AuditEvent.objects.filter(target_type="work.suggestion", target_id=str(s.pk)).order_by("pk")
    verbs = list(trail.values_list("verb", flat=True))
    assert verbs == [
        "suggestion.submit",
        "suggestion.answer",
        "suggestion.accept",
        "suggestion.plan",
        "suggestion.answer",
        "suggestion.done",
    ]
    assert Notification.objects.filter(recipient=actors.sales).count() == 5
    with pytest.raises(DomainError) as err:
        svc.suggestion_decide(actor=actors.manager, suggestion=s, decision="answer", text="再补充一句")
    assert err.value.template == E.ERR_SUGGESTION_CLOSED


@pytest.mark.parametrize(
    "who, decision, text, planned_on, error",
    [
        ("supervisor", "reject", "", None, E.ERR_SUGGESTION_TEXT),
        ("supervisor", "answer", "   ", None, E.ERR_SUGGESTION_TEXT),
        ("supervisor", "done", "", None, E.ERR_SUGGESTION_STEP),
        ("supervisor", "promote", "x", None, E.ERR_SUGGESTION_DECISION),
        ("supervisor", "plan", "", -1, E.ERR_SUGGESTION_PLANNED_ON),
        ("supervisor_b", "answer", "x", None, E.ERR_SUGGESTION_NOT_YOURS),
        ("sales", "accept", "", None, E.ERR_SUGGESTION_NOT_YOURS),
    ],
)
def test_refused_decisions_write_nothing(actors, who, decision, text, planned_on, error):  # type: ignore[no-untyped-def]
    s = submit(actors.sales)
    before = (state(), Notification.objects.count())
    day = local_today() + dt.timedelta(days=planned_on) if planned_on is not None else None
    with pytest.raises(DomainError) as err:
        svc.suggestion_decide(actor=actors.by_name(who), suggestion=s, decision=decision, text=text, planned_on=day)
    assert err.value.template == error
    assert (state(), Notification.objects.count()) == before


def test_a_lead_cannot_answer_their_own_suggestion_but_the_level_above_can(actors):  # type: ignore[no-untyped-def]
    s = submit(actors.supervisor)
    assert not svc.can_answer(actors.supervisor, s)
    assert svc.can_answer(actors.manager, s) and svc.can_answer(actors.director, s)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [actors.manager.pk]


def test_bad_submissions_are_refused_with_a_message_and_write_nothing(actors, client, login):  # type: ignore[no-untyped-def]
    auth = bearer(actors.sales)
    before = state()
    page = login(actors.sales).post(reverse("work:suggestions"), {"title": "", "body": "正文", "topic": "process"})
    assert page.status_code == 400 and "这个字段是必填项" in page.content.decode()
    api = client.post(
        reverse("api:suggestion_list"),
        data={"title": "标题", "body": "x", "topic": "weather"},
        content_type="application/json",
        **auth,
    )
    assert api.status_code == 422
    with pytest.raises(DomainError) as err:
        svc.suggestion_submit(actor=actors.sales, title="  ", body="正文")
    assert err.value.template == E.ERR_SUGGESTION_TITLE
    assert state() == before


def test_pages_submit_answer_and_page_by_key(actors, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    c = login(actors.sales)
    response = c.post(
        reverse("work:suggestions"),
        {"title": "客户资料模板", "body": "增加一个来源字段。", "topic": "tools", "anonymous": "on"},
    )
    s = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("work:suggestion", args=[s.pk])
    assert s.anonymous and s.author == actors.sales
    for i in range(55):
        submit(actors.sales_b, title=f"建议{i}")
    m = login(actors.manager)
    with django_assert_max_num_queries(12):
        first = m.get(reverse("work:suggestions") + "?box=inbox")
    link = re.escape(reverse("work:suggestions")) + r"\d+/"
    rows = len(re.findall(f'href="{link}"', first.content.decode()))
    assert rows == 50 and "建议54" in first.content.decode() and "客户资料模板" not in first.content.decode()
    last_id = Suggestion.objects.order_by("-pk")[49].pk
    second = m.get(reverse("work:suggestions") + f"?box=inbox&before={last_id}").content.decode()
    assert "客户资料模板" in second and "建议54" not in second
    answer = m.post(reverse("work:suggestion", args=[s.pk]), {"decision": "reject", "text": "已有类似字段"})
    assert answer.status_code == 302
    s.refresh_from_db()
    assert s.status == SuggestionStatus.REJECTED
    mine = login(actors.sales).get(reverse("work:suggestion", args=[s.pk])).content.decode()
    assert "已有类似字段" in mine and "未采纳" in mine


def test_demo_fills_the_box_once(actors):  # type: ignore[no-untyped-def]
    from zhidu.work.suggestions_demo import demo_suggestions

    demo_suggestions()
    demo_suggestions()
    statuses = sorted(Suggestion.objects.values_list("status", "anonymous"))
    assert statuses == [("open", False), ("open", True), ("planned", False), ("rejected", False)]
    assert Suggestion.objects.answerable_by(actors.director).filter(status="open").count() == 2
