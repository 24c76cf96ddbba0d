"""A draft's article text reaches only those who may read drafts, through every read path (zhidu #7, defect 2)."""

from __future__ import annotations

import json

import pytest

from conftest import ACTOR_NAMES
from zhidu.policies.models import VersionStatus
from zhidu.policies.tests.factories import SMALL, make_version

pytestmark = pytest.mark.django_db

READ_ALL = {"director", "manager", "admin", "compliance"}
SECRET = "草案中的保密处罚条款"
DRAFT_TEXT = SMALL.replace("依照公司规定处理。", f"{SECRET}。")


def body(resp) -> str:
    """The response as readable text (JSON bodies escape Chinese characters)."""
    if resp.get("Content-Type", "").startswith("application/json"):
        return json.dumps(resp.json(), ensure_ascii=False)
    return resp.content.decode()


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_resolve_never_shows_a_draft_to_members(actors, login, actor):
    make_version(code="draft-only", text=DRAFT_TEXT, status=VersionStatus.DRAFT)
    resp = login(actors.by_name(actor)).get("/api/policies/resolve", {"key": "draft-only#4"})
    if actor in READ_ALL:
        assert resp.status_code == 200
        assert SECRET in resp.json()["text"]
    else:
        assert resp.status_code == 404
        assert SECRET not in body(resp)


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_resolve_of_a_published_regulation_ignores_its_newer_draft(actors, login, actor):
    make_version(status=VersionStatus.PUBLISHED)
    extra = DRAFT_TEXT + f"第五条 {SECRET}（新增）。\n"
    make_version(text=extra, status=VersionStatus.DRAFT)
    client = login(actors.by_name(actor))
    resp = client.get("/api/policies/resolve", {"key": "test-rules#4"})
    assert resp.status_code == 200
    assert resp.json()["text"] == "违反第三条的，依照公司规定处理。"
    # Article 5 exists only in the draft: nobody resolves it while a published version is the default.
    resp = client.get("/api/policies/resolve", {"key": "test-rules#5"})
    assert resp.status_code == 404
    assert SECRET not in body(resp)


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_draft_text_on_pages_and_api(actors, login, actor):
    """The other read paths of article text: version and article pages and endpoints, the regulation list."""
    draft = make_version(code="draft-only", text=DRAFT_TEXT, status=VersionStatus.DRAFT)
    article = draft.articles.get(number=4)
    client = login(actors.by_name(actor))
    urls = [
        f"/api/policies/versions/{draft.pk}",
        f"/api/policies/articles/{article.pk}",
        f"/policies/versions/{draft.pk}/",
        f"/policies/articles/{article.pk}/",
        "/policies/draft-only/",
    ]
    for url in urls:
        resp = client.get(url, follow=True)
        if actor in READ_ALL:
            assert resp.status_code == 200, url
            assert SECRET in body(resp), url
        else:
            assert resp.status_code == 404, url
            assert SECRET not in body(resp), url
    for url in ("/api/policies/", "/policies/"):
        assert SECRET not in body(client.get(url))
