"""One table per surface: every policies endpoint and page against every canonical actor.

Denied write cases assert that nothing changed (statuses, row counts, audit trail).
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import ACTOR_NAMES
from zhidu.core.models import AuditEvent
from zhidu.policies import services
from zhidu.policies.models import Acknowledgement, Comment, PolicyVersion, VersionStatus
from zhidu.policies.tests.factories import SMALL, make_version

ALL = set(ACTOR_NAMES)
EDITORS = {"director", "manager", "admin"}
READ_ALL = EDITORS | {"compliance"}
PUBLISHERS = {"director", "admin"}
ACK_REPORT = {"director", "manager", "supervisor", "supervisor_b", "compliance", "admin"}


@pytest.fixture
def world(db):
    return {
        "draft": make_version(code="draft-rules", status=VersionStatus.DRAFT),
        "discussion": make_version(code="disc-rules", status=VersionStatus.DISCUSSION),
        "approved": make_version(code="appr-rules", status=VersionStatus.APPROVED),
        "published": make_version(code="pub-rules", status=VersionStatus.PUBLISHED),
    }


def state():
    return (
        list(PolicyVersion.objects.order_by("pk").values_list("status", flat=True)),
        PolicyVersion.objects.count(),
        Comment.objects.count(),
        Acknowledgement.objects.count(),
        AuditEvent.objects.count(),
    )


def post_json(client, url, payload=None):
    return client.post(url, data=json.dumps(payload or {}), content_type="application/json")


# --- REST API -----------------------------------------------------------------------------------------------------

API_READS = [
    ("/api/policies/", ALL),
    ("/api/policies/versions/{published}", ALL),
    ("/api/policies/versions/{discussion}", ALL),
    ("/api/policies/versions/{draft}", READ_ALL),
    ("/api/policies/versions/{approved}", READ_ALL),
    ("/api/policies/articles/{published_article}", ALL),
    ("/api/policies/articles/{draft_article}", READ_ALL),
    ("/api/policies/versions/{published}/unacknowledged", ACK_REPORT),
    ("/api/policies/resolve?key=pub-rules%233.1", ALL),
    ("/api/policies/resolve?key=disc-rules%233.1", ALL),
    ("/api/policies/resolve?key=draft-rules%231", READ_ALL),
    ("/api/policies/resolve?key=draft-rules%233.1", READ_ALL),
    ("/api/policies/resolve?key=appr-rules%234", READ_ALL),
]


def fmt(url, world):
    return url.format(
        **{k: v.pk for k, v in world.items()},
        published_article=world["published"].articles.get(number=3).pk,
        draft_article=world["draft"].articles.get(number=3).pk,
    )


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("url, allowed", API_READS, ids=[u for u, _a in API_READS])
def test_api_reads(actors, world, login, actor, url, allowed):
    resp = login(actors.by_name(actor)).get(fmt(url, world))
    if actor in allowed:
        assert resp.status_code == 200, resp.content
    else:
        assert resp.status_code in (403, 404)


def test_api_needs_authentication(client, world):
    assert client.get("/api/policies/").status_code == 401
    assert post_json(client, f"/api/policies/versions/{world['published'].pk}/acknowledge").status_code == 401


def test_api_list_hides_drafts_from_salespeople(actors, world, login):
    codes = {p["code"] for p in login(actors.sales).get("/api/policies/").json()}
    assert codes == {"disc-rules", "pub-rules"}
    codes = {p["code"] for p in login(actors.compliance).get("/api/policies/").json()}
    assert codes == {"draft-rules", "disc-rules", "appr-rules", "pub-rules"}


# (url, payload, target version key, allowed, expected status code when allowed, status after)
API_WRITES = [
    ("/api/policies/versions/{draft}/discussion", {}, "draft", EDITORS, 200, VersionStatus.DISCUSSION),
    (
        "/api/policies/versions/{discussion}/approve?reason=ok",
        {},
        "discussion",
        EDITORS,
        200,
        VersionStatus.APPROVED,
    ),
    (
        "/api/policies/versions/{approved}/publish",
        {"effective_date": "EARLIEST"},
        "approved",
        PUBLISHERS,
        200,
        VersionStatus.PUBLISHED,
    ),
]


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("url, payload, target, allowed, code, after", API_WRITES, ids=[w[0] for w in API_WRITES])
def test_api_lifecycle(actors, world, login, actor, url, payload, target, allowed, code, after):
    if payload.get("effective_date") == "EARLIEST":
        payload = {"effective_date": services.earliest_effective_date().isoformat()}
    before = state()
    resp = post_json(login(actors.by_name(actor)), fmt(url, world), payload)
    version = world[target]
    version.refresh_from_db()
    if actor in allowed:
        assert resp.status_code == code, resp.content
        assert version.status == after and resp.json()["status"] == after
    else:
        assert resp.status_code in (403, 404)
        assert state() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_comment_and_acknowledge_open_to_all(actors, world, login, actor):
    client = login(actors.by_name(actor))
    art = world["discussion"].articles.get(number=2)
    resp = post_json(client, f"/api/policies/articles/{art.pk}/comments", {"text": "建议修改措辞。"})
    assert resp.status_code == 201 and resp.json()["text"] == "建议修改措辞。"
    resp = post_json(client, f"/api/policies/versions/{world['published'].pk}/acknowledge")
    assert resp.status_code == 200 and resp.json()["created"] is True
    resp = post_json(client, f"/api/policies/versions/{world['published'].pk}/acknowledge")
    assert resp.status_code == 200 and resp.json()["created"] is False


def test_api_refusals_are_clear(actors, world, login):
    client = login(actors.director)
    art = world["published"].articles.get(number=1)
    before = state()
    resp = post_json(client, f"/api/policies/articles/{art.pk}/comments", {"text": "x"})
    assert resp.status_code == 409 and resp.json()["code"] == "conflict"
    resp = post_json(
        client,
        f"/api/policies/versions/{world['approved'].pk}/publish",
        {"effective_date": services.today_local().isoformat()},
    )
    assert resp.status_code == 400 and resp.json()["field"] == "effective_date"
    resp = post_json(client, f"/api/policies/versions/{world['draft'].pk}/acknowledge")
    assert resp.status_code == 409
    assert state() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_import(actors, db, login, actor):
    client = login(actors.by_name(actor))
    upload = SimpleUploadedFile("rules.txt", SMALL.encode())
    before = state()
    resp = client.post("/api/policies/import", {"file": upload, "code": "api-rules"})
    if actor in EDITORS:
        assert resp.status_code == 201, resp.content
        body = resp.json()
        assert (body["articles"], body["chapters"], body["items"], body["dry_run"]) == (4, 2, 3, False)
        assert PolicyVersion.objects.get(pk=body["version_id"]).policy.code == "api-rules"
    else:
        assert resp.status_code == 403
        assert state() == before


def test_api_import_dry_run_and_errors(actors, db, login):
    client = login(actors.manager)
    before = state()
    resp = client.post("/api/policies/import", {"file": SimpleUploadedFile("r.md", SMALL.encode()), "dry_run": "true"})
    assert resp.status_code == 200 and resp.json()["dry_run"] is True and resp.json()["articles"] == 4
    bad = "制度\n第一条 甲。\n第一条 乙。".encode()
    resp = client.post("/api/policies/import", {"file": SimpleUploadedFile("bad.txt", bad)}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400 and "line 3" in resp.json()["detail"] and resp.json()["field"] == "file"
    assert state() == before


def test_api_version_outline(actors, world, login):
    body = login(actors.sales).get(f"/api/policies/versions/{world['published'].pk}").json()
    assert [c["number"] for c in body["chapters"]] == [1, 2]
    art3 = body["chapters"][1]["articles"][0]
    assert art3["citation"] == "《测试管理制度》第三条" and art3["key"] == "pub-rules#3"
    assert [i["citation"] for i in art3["items"]][1] == "《测试管理制度》第三条第（二）项"
    assert body["acknowledged"] is False


# --- pages --------------------------------------------------------------------------------------------------------

PAGES = [
    ("/policies/", ALL),
    ("/policies/import/", EDITORS),
    ("/policies/versions/{published}/", ALL),
    ("/policies/versions/{discussion}/", ALL),
    ("/policies/versions/{draft}/", READ_ALL),
    ("/policies/versions/{approved}/", READ_ALL),
    ("/policies/versions/{published}/unacknowledged/", ACK_REPORT),
    ("/policies/articles/{published_article}/", ALL),
    ("/policies/articles/{draft_article}/", READ_ALL),
]


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("url, allowed", PAGES, ids=[p[0] for p in PAGES])
def test_pages(actors, world, login, actor, url, allowed):
    resp = login(actors.by_name(actor)).get(fmt(url, world))
    if actor in allowed:
        assert resp.status_code == 200
    else:
        assert resp.status_code in (403, 404)


def test_pages_require_login(client, world):
    for url, _allowed in PAGES:
        resp = client.get(fmt(url, world))
        assert resp.status_code == 302 and "/login/" in resp["Location"]


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_policy_code_page_redirects_to_the_readable_version(actors, world, login, actor):
    client = login(actors.by_name(actor))
    resp = client.get("/policies/pub-rules/")
    assert resp.status_code == 302 and resp["Location"] == f"/policies/versions/{world['published'].pk}/"
    resp = client.get("/policies/draft-rules/")
    assert resp.status_code == (302 if actor in READ_ALL else 404)


PAGE_WRITES = [
    ("/policies/versions/{draft}/discussion/", {}, "draft", EDITORS, VersionStatus.DISCUSSION),
    ("/policies/versions/{discussion}/approve/", {"reason": "ok"}, "discussion", EDITORS, VersionStatus.APPROVED),
    (
        "/policies/versions/{approved}/publish/",
        {"effective_date": "EARLIEST"},
        "approved",
        PUBLISHERS,
        VersionStatus.PUBLISHED,
    ),
]


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("url, data, target, allowed, after", PAGE_WRITES, ids=[w[0] for w in PAGE_WRITES])
def test_page_lifecycle(actors, world, login, actor, url, data, target, allowed, after):
    if data.get("effective_date") == "EARLIEST":
        data = {"effective_date": services.earliest_effective_date().isoformat()}
    before = state()
    resp = login(actors.by_name(actor)).post(fmt(url, world), data)
    version = world[target]
    version.refresh_from_db()
    if actor in allowed:
        assert resp.status_code == 302 and version.status == after
    else:
        assert resp.status_code in (403, 404)
        assert state() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_page_acknowledge_and_comment_open_to_all(actors, world, login, actor):
    member = actors.by_name(actor)
    client = login(member)
    resp = client.post(f"/policies/versions/{world['published'].pk}/acknowledge/")
    assert resp.status_code == 302
    assert Acknowledgement.objects.filter(member=member, version=world["published"]).count() == 1
    art = world["discussion"].articles.get(number=1)
    resp = client.post(f"/policies/articles/{art.pk}/comments/", {"text": "赞成"})
    assert resp.status_code == 302 and Comment.objects.filter(member=member, article=art).count() == 1


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_page_import_preview(actors, db, login, actor):
    before = state()
    upload = {"file": SimpleUploadedFile("r.txt", SMALL.encode())}
    resp = login(actors.by_name(actor)).post("/policies/import/", upload, HTTP_ACCEPT_LANGUAGE="en")  # English UI text
    if actor in EDITORS:
        assert resp.status_code == 200 and "4 articles" in resp.content.decode()
    else:
        assert resp.status_code == 403
    assert state() == before  # a preview writes nothing
