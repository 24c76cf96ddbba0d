"""Who reads and writes which scorecards and rankings, over the canonical actors, on the pages AND the API.

A salesperson sees only their own scorecard, a supervisor their team's, a manager their department subtree's,
the director and compliance officers everyone's (compliance read-only); administrators none (they define KPIs).
A denied write leaves evaluations, acknowledgements and the audit log as they were."""

from __future__ import annotations

import pytest

from conftest import ACTOR_NAMES
from zhidu.core.models import AuditEvent
from zhidu.org import services as org_services
from zhidu.performance.models import Evaluation, KpiSet, RankingSnapshot, Scorecard
from zhidu.performance.services import ItemInput, kpi_set_create, scorecards_compute

from .helpers import last_month, this_month

pytestmark = pytest.mark.django_db

ASSESSED = {"manager", "supervisor", "supervisor_b", "sales", "sales_b", "outsider"}
SEES = {
    "director": ASSESSED,
    "compliance": ASSESSED,
    "manager": {"manager", "supervisor", "supervisor_b", "sales", "sales_b"},
    "supervisor": {"supervisor", "sales"},
    "supervisor_b": {"supervisor_b", "sales_b"},
    "sales": {"sales"},
    "sales_b": {"sales_b"},
    "outsider": {"outsider"},
    "admin": set(),
}
# Whose evaluation on the salesperson's scorecard is accepted.
EVALUATORS = {"director", "manager", "supervisor"}


def bearer(member):  # type: ignore[no-untyped-def]
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def cards(actors):  # type: ignore[no-untyped-def]
    for role in ("manager", "supervisor", "sales"):
        kpi_set_create(
            actor=actors.admin,
            name=role,
            role=role,
            period_kind="month",
            valid_from=last_month(),
            items=[ItemInput(metric="followups", weight="100", target="10")],
        )
    scorecards_compute(actor=None, kind="month", start=this_month())
    return {c.member.user.username: c for c in Scorecard.objects.select_related("member__user")}


def state():  # type: ignore[no-untyped-def]
    return (
        AuditEvent.objects.count(),
        Evaluation.objects.count(),
        list(Scorecard.objects.order_by("pk").values_list("pk", "total", "acknowledged_at")),
        RankingSnapshot.objects.count(),
        KpiSet.objects.count(),
    )


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_scorecards_readable_on_pages_and_api(actors, client, login, cards, name) -> None:  # type: ignore[no-untyped-def]
    me = actors.by_name(name)
    seen = client.get(f"/api/performance/scorecards?kind=month&start={this_month():%Y-%m-%d}", **bearer(me))
    assert seen.status_code == (404 if name == "admin" else 200)
    got = {cards_by_id(cards)[c["id"]] for c in seen.json()} if seen.status_code == 200 else set()
    assert got == SEES[name]
    page = login(me)
    for owner, card in cards.items():
        api = client.get(f"/api/performance/scorecards/{card.pk}", **bearer(me)).status_code
        html = page.get(f"/performance/members/{card.member_id}/?kind=month").status_code
        if owner in SEES[name]:
            assert (api, html) == (200, 200), owner
        else:
            assert api == 404, owner
            assert html == (403 if name == "admin" else 404), owner


def cards_by_id(cards):  # type: ignore[no-untyped-def]
    return {c.pk: owner for owner, c in cards.items()}


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_rankings_show_only_rows_in_scope(actors, client, cards, name) -> None:  # type: ignore[no-untyped-def]
    me = actors.by_name(name)
    response = client.get("/api/performance/rankings?kind=month", **bearer(me))
    assert response.status_code == (404 if name == "admin" else 200)
    if name == "admin":
        return
    names = {c.member_id: owner for owner, c in cards.items()}
    rows = {names[r["member_id"]] for g in response.json()["groups"] for r in g["rows"]}
    assert rows <= SEES[name]
    if name in ("sales", "sales_b", "outsider"):
        assert rows == {name}  # their own rank in each ranking that holds them, nobody else's


@pytest.mark.parametrize("name", ACTOR_NAMES)
@pytest.mark.parametrize("via", ["page", "api"])
def test_evaluating_the_salesperson(actors, client, login, cards, name, via) -> None:  # type: ignore[no-untyped-def]
    me = actors.by_name(name)
    card = cards["sales"]
    auth = bearer(me)
    before = state()
    if via == "api":
        status = client.post(
            f"/api/performance/scorecards/{card.pk}/evaluations",
            {"text": "做得好"},
            content_type="application/json",
            **auth,
        ).status_code
    else:
        status = login(me).post(f"/performance/scorecards/{card.pk}/evaluate/", {"text": "做得好"}).status_code
    if name in EVALUATORS:
        assert status == (200 if via == "api" else 302)
        assert Evaluation.objects.filter(scorecard=card, author=me).count() == 1
        assert Scorecard.objects.get(pk=card.pk).total == card.total
    else:
        assert status in (403, 404)
        assert state() == before


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_only_the_member_acknowledges_and_only_the_director_freezes(actors, client, cards, name) -> None:  # type: ignore[no-untyped-def]
    me = actors.by_name(name)
    auth = bearer(me)
    before = state()
    ack = client.post(f"/api/performance/scorecards/{cards['sales'].pk}/acknowledge", **auth).status_code
    freeze = client.post(
        "/api/performance/rankings/freeze",
        {"kind": "month", "start": f"{last_month():%Y-%m-%d}"},
        content_type="application/json",
        **auth,
    ).status_code
    assert (ack == 200) == (name == "sales")
    assert (freeze == 200) == (name == "director")
    if name not in ("sales", "director"):
        assert state() == before


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_kpi_definitions_belong_to_directors_and_admins(actors, client, login, name) -> None:  # type: ignore[no-untyped-def]
    me = actors.by_name(name)
    allowed = name in ("director", "admin")
    payload = {
        "name": "月度",
        "role": "sales",
        "period_kind": "month",
        "valid_from": f"{this_month():%Y-%m-%d}",
        "items": [{"metric": "followups", "weight": "100", "target": "10"}],
    }
    auth = bearer(me)
    before = state()
    created = client.post("/api/performance/kpis", payload, content_type="application/json", **auth)
    assert created.status_code == (200 if allowed else 404)
    if not allowed:
        assert state() == before
    assert login(me).get("/performance/kpis/").status_code == (200 if allowed else 403)


def test_api_errors_use_the_shared_shape_and_write_nothing(actors, client) -> None:  # type: ignore[no-untyped-def]
    payload = {
        "name": "月度",
        "role": "sales",
        "period_kind": "month",
        "valid_from": f"{this_month():%Y-%m-%d}",
        "items": [{"metric": "followups", "weight": "70", "target": "10"}],
    }
    response = client.post("/api/performance/kpis", payload, content_type="application/json", **bearer(actors.director))
    assert response.status_code == 400
    assert response.json()["field"] == "items" and "100%" in response.json()["detail"]
    assert KpiSet.objects.count() == 0
    ok = {**payload, "items": [{"metric": "followups", "weight": "100", "target": "10"}]}
    assert (
        client.post("/api/performance/kpis", ok, content_type="application/json", **bearer(actors.director)).status_code
        == 200
    )
    clash = client.post("/api/performance/kpis", ok, content_type="application/json", **bearer(actors.director))
    assert clash.status_code == 409 and clash.json()["code"] == "conflict"
    assert KpiSet.objects.count() == 1


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_computing_on_demand_is_for_the_member_and_their_leads(actors, client, login, cards, name) -> None:  # type: ignore[no-untyped-def]
    me = actors.by_name(name)
    auth = bearer(me)
    before = state()[3:]
    api = client.post(
        "/api/performance/scorecards/compute",
        {"member_id": actors.sales.pk, "kind": "month"},
        content_type="application/json",
        **auth,
    ).status_code
    page = login(me).post(f"/performance/members/{actors.sales.pk}/compute/?kind=month").status_code
    if name in ("sales", "supervisor", "manager", "director"):
        assert (api, page) == (200, 302)
    else:
        assert api in (403, 404) and page in (403, 404)
        assert name != "compliance" or (api, page) == (403, 403)  # reads everything, changes nothing
        assert state()[3:] == before
