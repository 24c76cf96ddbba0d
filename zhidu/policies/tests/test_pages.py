"""What the pages show and do: articles with citations and anchors, HTMX comments, import preview → import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhidu.policies import services
from zhidu.policies.models import Comment, PolicyVersion, VersionStatus
from zhidu.policies.tests.factories import SMALL, make_version

pytestmark = pytest.mark.django_db


def test_version_page_shows_articles_items_citations_and_anchors(actors, login):
    version = services.policy_load_demo()
    html = login(actors.sales).get(f"/policies/versions/{version.pk}/").content.decode()
    assert 'id="art-17"' in html and 'id="art-17-1"' in html
    assert "《销售团队管理制度》第十七条第（一）项" in html and "sales-conduct#22.2" in html
    assert "第五章 沟通规范" in html
    assert 'data-testid="acknowledge"' in html
    assert 'data-testid="lifecycle"' not in html  # a salesperson has no lifecycle buttons
    assert "Not acknowledged yet" not in html and "尚未签收" not in html


def test_lead_sees_who_has_not_acknowledged(actors, login):
    version = make_version(status=VersionStatus.PUBLISHED)
    services.version_acknowledge(actor=actors.sales, version=version)
    client = login(actors.supervisor)
    page = client.get(f"/policies/versions/{version.pk}/")
    names = [m.name for m in page.context["unacknowledged"]]
    assert names == ["孙主管"]
    full = client.get(f"/policies/versions/{version.pk}/unacknowledged/")
    assert [m.name for m in full.context["members"]] == ["孙主管"]


def test_acknowledge_button_then_status(actors, login):
    version = make_version(status=VersionStatus.PUBLISHED)
    client = login(actors.sales_b)
    resp = client.post(f"/policies/versions/{version.pk}/acknowledge/", follow=True)
    assert resp.context["ack"] is not None
    assert 'data-testid="acknowledge"' not in resp.content.decode()


def test_htmx_comment_returns_the_partial(actors, login):
    version = make_version(status=VersionStatus.DISCUSSION)
    article = version.articles.get(number=3)
    client = login(actors.sales)
    url = f"/policies/articles/{article.pk}/comments/"
    resp = client.post(url, {"text": "第（二）项太宽泛。"}, HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    assert resp.status_code == 200 and "<html" not in html and "第（二）项太宽泛。" in html
    resp = client.post(f"/policies/articles/{article.pk}/comments/", {"text": "  "}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and 'class="error"' in resp.content.decode()
    assert Comment.objects.filter(article=article).count() == 1
    partial = client.get(f"/policies/articles/{article.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "第（二）项太宽泛。" in partial


def test_comment_outside_discussion_shows_an_error(actors, login):
    version = make_version(status=VersionStatus.PUBLISHED)
    article = version.articles.get(number=1)
    resp = login(actors.sales).post(
        f"/policies/articles/{article.pk}/comments/", {"text": "x"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Comments are open only while the version is in discussion." in [str(m) for m in resp.context["messages"]]
    assert Comment.objects.count() == 0


def test_publish_page_refuses_a_short_notice(actors, login):
    version = make_version(status=VersionStatus.APPROVED)
    resp = login(actors.director).post(
        f"/policies/versions/{version.pk}/publish/",
        {"effective_date": services.today_local().isoformat()},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert any("days' notice" in str(m) for m in resp.context["messages"])
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED


def test_import_preview_then_import(actors, login):
    client = login(actors.manager)
    resp = client.post("/policies/import/", {"file": SimpleUploadedFile("small.md", SMALL.encode()), "code": "pg"})
    assert resp.status_code == 200 and resp.context["parsed"].counts()["articles"] == 4
    assert PolicyVersion.objects.count() == 0
    resp = client.post(
        "/policies/import/",
        {
            "source": resp.context["source"],
            "fmt": resp.context["fmt"],
            "source_name": "small.md",
            "title": "页面导入制度",
            "code": "pg",
        },
    )
    version = PolicyVersion.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/policies/versions/{version.pk}/"
    assert (version.title, version.policy.code, version.status, version.created_by) == (
        "页面导入制度",
        "pg",
        VersionStatus.DRAFT,
        actors.manager,
    )


def test_import_page_shows_parse_errors(actors, login):
    bad = "制度\n第一条 甲。\n第三条 乙。\n第二条 丙。".encode()
    resp = login(actors.admin).post(
        "/policies/import/", {"file": SimpleUploadedFile("bad.txt", bad)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert resp.status_code == 200
    assert any("line 4" in str(m) for m in resp.context["messages"])
    assert PolicyVersion.objects.count() == 0


def test_list_shows_notices_and_pending_acknowledgements(actors, login):
    version = make_version(status=VersionStatus.PUBLISHED)
    client = login(actors.sales)
    resp = client.get("/policies/")
    assert resp.context["notices"][0].version_id == version.pk
    assert version.pk in resp.context["pending"]
    services.version_acknowledge(actor=actors.sales, version=version)
    assert client.get("/policies/").context["pending"] == set()


def test_home_tile_counts_regulations_to_acknowledge(actors, login):
    make_version(status=VersionStatus.PUBLISHED)
    resp = login(actors.sales).get("/")
    tiles = {c["key"]: c["value"] for c in resp.context["counts"]}
    assert tiles["policies_pending"] == 1


def test_errors_speak_the_request_language(actors, login):
    """A parse error on the import page and a lifecycle error in the API read in Chinese by default, English on ask."""
    client = login(actors.admin)
    bad = "制度\n第一条 甲。\n第三条 乙。\n第二条 丙。".encode()
    zh = client.post("/policies/import/", {"file": SimpleUploadedFile("bad.txt", bad)})
    en = client.post("/policies/import/", {"file": SimpleUploadedFile("bad.txt", bad)}, HTTP_ACCEPT_LANGUAGE="en")
    assert [str(m) for m in zh.context["messages"]] == ["无法导入该文件：第 4 行：条号第二条倒退（上一条为第三条）"]
    assert [str(m) for m in en.context["messages"]] == [
        "The file cannot be imported: line 4: article number 第二条 goes backwards (the previous article is 第三条)"
    ]
    version = make_version(status=VersionStatus.DRAFT)
    url = f"/api/policies/versions/{version.pk}/approve"
    zh_body = client.post(url, data="{}", content_type="application/json").json()
    en_body = client.post(url, data="{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert zh_body["detail"] == "此版本当前为“草稿”，须为“讨论中”才能通过审批。"
    assert en_body["detail"] == "This version is Draft; it must be In discussion to be approved."
    assert zh_body["code"] == en_body["code"] == "conflict"
    assert PolicyVersion.objects.get(pk=version.pk).status == VersionStatus.DRAFT
