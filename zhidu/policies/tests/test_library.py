"""The regulation library: the templates parse to their shapes, their citation maps resolve, adoption, editing a
draft's text, the library page and API, and the demo loader going through the library."""

from __future__ import annotations

import json

import pytest

from conftest import ACTOR_NAMES
from zhidu.compliance.engine import default_rules
from zhidu.compliance.engine.rules import CATEGORIES
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.models import AuditEvent
from zhidu.policies import selectors, services
from zhidu.policies.library import LIBRARY_DIR, template_citations, template_get, templates
from zhidu.policies.models import Article, Item, Policy, PolicyVersion, Shape, VersionStatus
from zhidu.policies.parser import parse_text
from zhidu.policies.tests.factories import make_version

EDITORS = {"director", "manager", "admin"}
SLUGS = [t.slug for t in templates()]
# The users' regulations (shared/seed/README.md) and the shape each is written in.
SOURCE_SHAPES = {
    "S1": "articles",
    "S2": "prose",
    "S3": "articles",
    "S4": "articles",
    "S5": "articles",
    "S6": "articles",
    "S7": "articles",
    "S8": "articles",
    "S9": "decimal",
}


def state():
    return (
        list(PolicyVersion.objects.order_by("pk").values_list("status", "source_text")),
        Article.objects.count(),
        Item.objects.count(),
        AuditEvent.objects.count(),
    )


# --- the templates ------------------------------------------------------------------------------------------------


def test_the_library_holds_the_demo_regulation_and_one_template_per_seed_regulation():
    assert SLUGS[0] == "sales-conduct"
    sources = sorted(t.source for t in templates() if t.source)
    assert sources == sorted(SOURCE_SHAPES)
    for path in LIBRARY_DIR.glob("*.json"):  # every metadata file has its text, and the other way round
        assert path.with_suffix(".md").exists(), path
    assert {p.stem for p in LIBRARY_DIR.glob("*.md")} == set(SLUGS)
    assert template_get("../etc") is None and template_get("nope") is None


@pytest.mark.parametrize("slug", SLUGS)
def test_template_parses_to_its_shape_without_warnings(slug):
    template = template_get(slug)
    assert template is not None
    meta = json.loads((LIBRARY_DIR / f"{slug}.json").read_text(encoding="utf-8"))
    assert meta["title"] and meta["summary"].endswith("。") and isinstance(meta["order"], int)
    parsed = parse_text(template.text(), fmt="md")
    assert parsed.warnings == []
    assert parsed.shape == template.shape
    if template.source:
        assert template.shape == SOURCE_SHAPES[template.source]
    assert len(parsed.articles) >= 6
    assert template.parsed().title == template.title


def test_templates_exercise_each_way_of_numbering():
    def parsed(slug):
        return parse_text(template_get(slug).text(), fmt="md")

    # chapters and articles, items labelled （一）, 1. and 7.1
    assert [len(parsed(s).chapters) > 0 for s in ("online-team", "online-sales", "wecom-department")] == [True] * 3
    assert parsed("online-sales").articles[5].items[0].label == "1."
    assert parsed("wecom-department").articles[6].items[4].label == "（五）"
    group = parsed("sales-group-rules")
    assert group.chapters == [] and group.articles[2].items[4].label == "3.5" and group.articles[2].title == "发言规范"
    # S6 has no title line: the library gives the title
    assert parsed("wecom-department").title == "" and template_get("wecom-department").parsed().title
    # sections with bullets ("•" on their own lines and " - " run on in one line)
    handbook = parsed("sales-team-handbook")
    assert [a.label for a in handbook.articles][3:7] == ["4", "4.1", "4.2", "4.3"]
    assert {i.label for a in handbook.articles for i in a.items} == {"•", "-"}
    assert [a.label for a in parsed("staff-wechat-selling").articles][-1] == "第7段"


def test_demo_text_is_the_library_template():
    assert template_get("sales-conduct").path == services.DEMO_FIXTURE
    parsed = parse_text(services.DEMO_FIXTURE.read_text(encoding="utf-8"), fmt="md")
    assert (len(parsed.chapters), len(parsed.articles)) == (7, 29)


# --- citation maps ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_citation_map_keys_are_rules_or_categories_and_every_label_resolves(slug):
    rules = default_rules()
    known = {r.code for r in rules} | set(CATEGORIES)
    citations = template_citations(slug)
    assert citations, "every template maps the categories its text covers"
    assert set(citations) <= known, set(citations) - known
    version = services.template_adopt(actor=None, slug=slug)
    for key, labels in citations.items():
        assert labels, key
        for label in labels:
            clause = selectors.clause_resolve(version, label)
            assert clause is not None, f"{slug}: {key} → {label}"
            assert selectors.clause_label(clause) == label  # written exactly as clause_label writes it


@pytest.mark.django_db
def test_demo_template_map_reproduces_the_rules_articles():
    version = services.template_adopt(actor=None, slug="sales-conduct")
    citations = template_citations("sales-conduct")
    checked = 0
    for rule in default_rules():
        if not rule.article.startswith("sales-conduct#"):
            continue
        labels = citations.get(rule.code) or citations.get(rule.category)
        cited = selectors.article_resolve(rule.article)
        assert cited is not None and cited.article.version_id == version.pk
        assert list(labels or ()) == [selectors.clause_label(cited)], rule.code
        checked += 1
    assert checked == len(default_rules())
    assert citations["false_claim.absolute"] == ("第十七条第（一）项",)
    assert set(CATEGORIES) <= set(citations)  # the demo regulation covers every category


def test_template_citations_unknown_slug():
    assert template_citations("nope") == {} and template_citations("") == {}


# --- adoption -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_adopt_imports_a_draft_with_the_template_slug(actors):
    version = services.template_adopt(actor=actors.manager, slug="online-sales")
    assert version.status == VersionStatus.DRAFT and version.template == "online-sales"
    assert (version.policy.code, version.title, version.number) == ("online-sales", "线上销售规章制度", 1)
    assert version.shape == Shape.ARTICLES and version.warnings == []
    assert version.source_text == template_get("online-sales").text() and version.source_format == "md"
    assert version.articles.count() == 13 and version.chapters.count() == 3
    event = AuditEvent.objects.get(verb="policy_version.adopt", target_id=str(version.pk))
    assert event.actor == actors.manager and event.after["template"] == "online-sales"
    assert event.after["articles"] == 13

    again = services.template_adopt(actor=actors.director, slug="online-sales")
    assert (again.policy_id, again.number, again.template) == (version.policy_id, 2, "online-sales")


@pytest.mark.django_db
def test_adopt_with_a_title_and_code_and_a_text_without_a_title_line(actors):
    title = "我司企微使用制度"
    version = services.template_adopt(actor=actors.admin, slug="wecom-department", title=title, code="wecom")
    assert (version.policy.code, version.title, version.policy.title) == ("wecom", title, title)
    plain = services.template_adopt(actor=actors.admin, slug="wecom-department")
    assert plain.title == "企业微信部门管理制度" and plain.policy.code == "wecom-department"
    assert selectors.article_resolve("wecom-department#7.3").citation == "《企业微信部门管理制度》第七条第（三）项"


@pytest.mark.django_db
def test_adopt_refusals_change_nothing(actors):
    before = state()
    with pytest.raises(DomainError) as exc:
        services.template_adopt(actor=actors.sales, slug="online-team")
    assert exc.value.code == "forbidden"
    with pytest.raises(NotFound):
        services.template_adopt(actor=actors.director, slug="no-such-template")
    with pytest.raises(DomainError) as exc:
        services.template_adopt(actor=actors.director, slug="online-team", code="library")
    assert exc.value.field == "code"
    assert state() == before


# --- editing a draft's text ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_edit_replaces_the_drafts_clauses_and_keeps_its_title(actors):
    version = services.template_adopt(actor=actors.manager, slug="online-team", title="我们的团队规章")
    text = version.source_text.replace(
        "第十七条 本规章由团队负责人负责解释，自发布之日起施行。",
        "第十七条 成员离开团队时交还账号和资料。\n第十八条 本规章自发布之日起施行。",
    )
    edited = services.version_edit_text(actor=actors.director, version=version, text=text)
    assert edited.pk == version.pk and edited.status == VersionStatus.DRAFT
    assert edited.title == "我们的团队规章" and edited.source_text == text and edited.template == "online-team"
    assert [a.number for a in edited.articles.order_by("order")][-2:] == [17, 18]
    assert Article.objects.filter(version=edited).count() == 18
    event = AuditEvent.objects.get(verb="policy_version.edit", target_id=str(version.pk))
    assert event.actor == actors.director
    assert (event.before["articles"], event.after["articles"]) == (17, 18)
    assert event.before["sha1"] != event.after["sha1"]


@pytest.mark.django_db
def test_edit_reads_the_new_shape_and_warnings(actors):
    version = services.template_adopt(actor=actors.manager, slug="online-team")
    prose = "# 团队公约\n\n成员按时完成任务。\n\n成员之间相互尊重。\n"
    edited = services.version_edit_text(actor=actors.manager, version=version, text=prose, title="团队公约")
    assert edited.shape == Shape.PROSE and edited.title == "团队公约"
    assert [a.section_label for a in edited.articles.order_by("order")] == ["第1段", "第2段"]
    assert edited.chapters.count() == 0
    gap = "团队规章\n第一条 甲。\n第三条 乙。\n"
    edited = services.version_edit_text(actor=actors.manager, version=edited, text=gap)
    assert edited.shape == Shape.ARTICLES
    assert edited.warnings == ["line 3: article numbering jumps from 第一条 to 第三条"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text, line",
    [
        ("团队规章\n第一条 甲。\n第一条 乙。\n", 3),  # a repeated article
        ("仓库管理制度\n1. 总则\n为了管好仓库。\n2. 入库\n第一条 货到即验。\n第二条 验后入账。", 5),  # mixed shapes
        ("今天天气很好。\n我们去公园散步。", 1),  # not a regulation
    ],
)
def test_edit_refuses_a_text_that_does_not_parse_naming_the_line(actors, text, line):
    version = services.template_adopt(actor=actors.manager, slug="online-team")
    before = state()
    with pytest.raises(DomainError) as exc:
        services.version_edit_text(actor=actors.manager, version=version, text=text)
    assert exc.value.code == "unparseable" and exc.value.field == "text"
    assert f"line {line}:" in exc.value.message
    assert state() == before


@pytest.mark.django_db
def test_only_drafts_can_be_edited_and_only_by_editors(actors):
    draft = services.template_adopt(actor=actors.manager, slug="online-team")
    discussed = make_version(status=VersionStatus.DISCUSSION)
    before = state()
    with pytest.raises(DomainError) as exc:
        services.version_edit_text(actor=actors.director, version=discussed, text=discussed.source_text + "\n")
    assert exc.value.code == "conflict"
    for actor in (actors.sales, actors.supervisor, actors.compliance):
        with pytest.raises(DomainError) as exc:
            services.version_edit_text(actor=actor, version=draft, text="团队规章\n第一条 甲。\n")
        assert exc.value.code == "forbidden"
    assert state() == before


# --- pages --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_library_page_and_link_only_for_editors(actors, login, actor):
    client = login(actors.by_name(actor))
    listing = client.get("/policies/").content.decode()
    page = client.get("/policies/library/")
    if actor in EDITORS:
        assert 'data-testid="library-link"' in listing
        assert page.status_code == 200
    else:
        assert 'data-testid="library-link"' not in listing
        assert page.status_code == 403


@pytest.mark.django_db
def test_library_page_lists_templates_with_shape_summary_and_outline(actors, login, django_assert_max_num_queries):
    services.template_adopt(actor=actors.director, slug="online-team")
    client = login(actors.director)
    with django_assert_max_num_queries(12):
        html = client.get("/policies/library/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for t in templates():
        assert f'data-template="{t.slug}"' in html and t.summary in html and f"《{t.title}》" in html
    assert "段落" in html and "第X条" in html and "编号" in html  # the three shapes, in Chinese
    assert "第十五条</strong> 团队的设备" in html  # the outline previews each clause
    assert "4.1</strong> 客户开发" in html and "第二章 团队组成" in html
    assert html.count('data-testid="adopted"') == 1
    assert "Adopt as a draft" not in html and "采用" in html


@pytest.mark.django_db
def test_adopt_button_makes_a_draft_and_shows_it(actors, login):
    client = login(actors.manager)
    resp = client.post("/policies/library/sales-group-rules/adopt/", {"title": ""}, follow=True)
    version = PolicyVersion.objects.get(template="sales-group-rules")
    assert resp.redirect_chain[-1][0] == f"/policies/versions/{version.pk}/"
    html = resp.content.decode()
    assert 'data-testid="edit-link"' in html and 'data-testid="template"' in html
    assert "《销售微信群规章制度》第三条第5项" in html
    assert version.status == VersionStatus.DRAFT and version.created_by == actors.manager
    resp = client.post("/policies/library/nope/adopt/")
    assert resp.status_code == 404
    assert client.get("/policies/library/online-team/adopt/").status_code == 405


@pytest.mark.django_db
def test_edit_page_saves_shows_shape_and_refuses_with_the_line(actors, login):
    version = services.template_adopt(actor=actors.manager, slug="online-team")
    client = login(actors.director)
    page = client.get(f"/policies/versions/{version.pk}/edit/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and page.context["text"] == version.source_text
    assert "识别为" in page.content.decode()
    bad = "团队规章\n第一条 甲。\n第一条 乙。\n"
    resp = client.post(f"/policies/versions/{version.pk}/edit/", {"text": bad, "title": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200 and "line 3:" in resp.context["error"] and resp.context["text"] == bad
    version.refresh_from_db()
    assert version.articles.count() == 17
    good = "# 团队公约\n\n成员按时完成任务。\n\n- 迟到须提前请假。\n"
    url = f"/policies/versions/{version.pk}/edit/"
    resp = client.post(url, {"text": good, "title": "团队公约"}, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
    html = resp.content.decode()
    assert resp.redirect_chain == [(url, 302)] and "error" not in resp.context
    assert "识别为：无编号段落" in html and "已保存" in html and resp.context["text"] == good
    version.refresh_from_db()
    assert (version.shape, version.title, version.articles.count()) == (Shape.PROSE, "团队公约", 2)


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_edit_page_permissions(actors, login, actor):
    version = services.template_adopt(actor=None, slug="online-team")
    client = login(actors.by_name(actor))
    before = state()
    resp = client.post(f"/policies/versions/{version.pk}/edit/", {"text": "团队规章\n第一条 甲。\n", "title": ""})
    if actor in EDITORS:
        assert resp.status_code == 302 and PolicyVersion.objects.get(pk=version.pk).articles.count() == 1
    else:
        assert resp.status_code in (403, 404)
        assert state() == before


@pytest.mark.django_db
def test_edit_page_of_a_published_version_has_no_form(actors, login):
    version = make_version(status=VersionStatus.PUBLISHED)
    client = login(actors.director)
    html = client.get(f"/policies/versions/{version.pk}/edit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="text"' not in html and "只有草稿" in html
    before = state()
    resp = client.post(f"/policies/versions/{version.pk}/edit/", {"text": "制度\n第一条 甲。\n"})
    assert resp.status_code == 200 and resp.context["error"]
    assert state() == before


# --- API ----------------------------------------------------------------------------------------------------------


def _post(client, url, payload=None):
    return client.post(url, data=json.dumps(payload or {}), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_library_and_adopt(actors, login, actor):
    client = login(actors.by_name(actor))
    listing = client.get("/api/policies/library")
    before = state()
    resp = _post(client, "/api/policies/library/sales-team-handbook/adopt", {"title": "工作规范"})
    if actor in EDITORS:
        assert listing.status_code == 200
        body = listing.json()
        assert [t["slug"] for t in body] == SLUGS
        handbook = next(t for t in body if t["slug"] == "sales-team-handbook")
        assert handbook["shape"] == "decimal" and handbook["articles"] == 10 and handbook["adopted"] is None
        assert resp.status_code == 201, resp.content
        out = resp.json()
        assert (out["template"], out["policy_code"], out["title"], out["status"]) == (
            "sales-team-handbook",
            "sales-team-handbook",
            "工作规范",
            "draft",
        )
        assert out["shape"] == "decimal" and out["items"] == 23 and out["warnings"] == []
        adopted = client.get("/api/policies/library").json()
        assert next(t for t in adopted if t["slug"] == "sales-team-handbook")["adopted"] == "sales-team-handbook"
    else:
        assert listing.status_code == 403
        assert resp.status_code == 403
        assert state() == before


@pytest.mark.django_db
def test_api_adopt_with_defaults_unknown_slug_and_bad_code(actors, login):
    client = login(actors.director)
    resp = _post(client, "/api/policies/library/online-team/adopt", {})
    assert resp.status_code == 201 and resp.json()["policy_code"] == "online-team"
    before = state()
    assert _post(client, "/api/policies/library/nope/adopt").status_code == 404
    resp = _post(client, "/api/policies/library/online-team/adopt", {"code": "Bad Code"})
    assert resp.status_code == 400 and resp.json()["field"] == "code"
    assert state() == before


@pytest.mark.django_db
def test_api_edit_text(actors, login):
    version = services.template_adopt(actor=None, slug="online-team")
    client = login(actors.manager)
    url = f"/api/policies/versions/{version.pk}/text"
    gap = {"text": "团队规章\n第一条 甲。\n第三条 乙。\n"}
    resp = client.put(url, data=json.dumps(gap), content_type="application/json")
    assert resp.status_code == 200 and resp.json()["articles"] == 2 and len(resp.json()["warnings"]) == 1
    resp = client.put(
        url,
        data=json.dumps({"text": "团队规章\n第一条 甲。\n第一条 乙。\n"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 400 and "line 3" in resp.json()["detail"] and resp.json()["field"] == "text"
    other = {"text": "制度\n第一条 甲。\n"}
    denied = login(actors.sales).put(url, data=json.dumps(other), content_type="application/json")
    assert denied.status_code == 404  # a salesperson cannot see a draft


# --- demo ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_loader_adopts_the_template(actors):
    version = services.policy_load_demo()
    assert version.template == "sales-conduct" and version.status == VersionStatus.PUBLISHED
    assert AuditEvent.objects.filter(verb="policy_version.adopt", target_id=str(version.pk)).exists()
    assert services.policy_load_demo().pk == version.pk


def _old_demo(text: str) -> PolicyVersion:
    """A demo database from before the template gained articles: the old text, published by the demo loader."""
    version = services.policy_import(
        actor=None, parsed=parse_text(text, fmt="md"), source=text, source_name="sales_conduct.md", code="sales-conduct"
    )
    version = services.version_open_discussion(actor=None, version=version)
    version = services.version_approve(actor=None, version=version)
    return services.version_publish_demo_seed(version=version, effective_date=services.today_local())


@pytest.mark.django_db
def test_demo_loader_publishes_the_newer_template_text_once(actors):
    current = template_get("sales-conduct").text()
    old = _old_demo(current.split("第二十二条")[0].rstrip() + "\n")
    assert old.articles.count() == 21
    new = services.policy_load_demo()
    assert new.pk != old.pk and new.number == 2 and new.template == "sales-conduct"
    assert new.status == VersionStatus.PUBLISHED and new.articles.count() == 29
    old.refresh_from_db()
    assert old.status == VersionStatus.SUPERSEDED
    assert Policy.objects.get(code="sales-conduct").current_version_id == new.pk
    assert selectors.article_resolve("sales-conduct#23.8") is not None
    events = AuditEvent.objects.count()
    assert services.policy_load_demo().pk == new.pk and AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_demo_loader_leaves_a_regulation_the_company_published(actors):
    text = template_get("sales-conduct").text().split("第二十二条")[0].rstrip() + "\n"
    own = make_version(text=text, code="sales-conduct", fmt="md", status=VersionStatus.PUBLISHED)
    services.policies_apply_effective_dates(on=own.effective_date)
    before = state()
    assert services.policy_load_demo().pk == own.pk
    assert state() == before
