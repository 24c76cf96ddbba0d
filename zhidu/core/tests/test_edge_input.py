"""Text and paging are validated at the edge (zhidu issue #7, defects 4 and 5).

NUL characters, lone surrogates and over-long values used to reach the database: DataError on PostgreSQL,
UnicodeEncodeError on SQLite, a 500 either way. Out-of-range paging did the same. Now they are a 422 (API)
or a form/page error, in Chinese by default. Run on SQLite and on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from zhidu.compliance.models import Violation
from zhidu.compliance.tests.factories import make_violation
from zhidu.core.forms import TextField
from zhidu.core.schemas import OFFSET_MAX, PAGE_MAX
from zhidu.core.text import TEXT_MAX
from zhidu.customers.tests.factories import CustomerFactory, FollowFactory
from zhidu.org import services as org_services
from zhidu.org.forms import ApplyForm
from zhidu.org.models import Department, Member, MembershipApplication
from zhidu.policies.models import Article, Comment, VersionStatus
from zhidu.policies.tests.factories import make_version

CJK = re.compile("[\u4e00-\u9fff]")
NUL, SURROGATE = "名\x00字", "名\ud800字"


def bearer(member: Member) -> dict[str, str]:
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _application(a: Any, field: str, value: str) -> dict[str, Any]:
    body = {"name": "新人", "username": "newbie", "password": "long-password-1", "department_id": a.dept1.pk}
    return body | {field: value}


# (id, actor or None for anonymous, method, path(actors), body(actors, value), the field's max length)
Body = Callable[[Any, str], dict[str, Any]]
BODY_CASES: list[tuple[str, str | None, str, Callable[[Any], str], Body, int]] = [
    ("application-name", None, "post", lambda a: "/api/org/applications", lambda a, v: _application(a, "name", v), 100),
    (
        "application-mobile",
        None,
        "post",
        lambda a: "/api/org/applications",
        lambda a, v: _application(a, "mobile", v),
        32,
    ),
    (
        "application-note",
        None,
        "post",
        lambda a: "/api/org/applications",
        lambda a, v: _application(a, "note", v),
        TEXT_MAX,
    ),
    ("department-name", "admin", "post", lambda a: "/api/org/departments", lambda a, v: {"name": v}, 100),
    (
        "member-name",
        "admin",
        "post",
        lambda a: "/api/org/members",
        lambda a, v: {"name": v, "department_id": a.dept1.pk},
        100,
    ),
    (
        "member-position",
        "manager",
        "patch",
        lambda a: f"/api/org/members/{a.sales.pk}",
        lambda a, v: {"position": v},
        100,
    ),
    (
        "member-reason",
        "supervisor",
        "post",
        lambda a: f"/api/org/members/{a.sales.pk}/suspend",
        lambda a, v: {"reason": v},
        TEXT_MAX,
    ),
    (
        "rule-terms",
        "compliance",
        "post",
        lambda a: "/api/compliance/rules/import",
        lambda a, v: {"category": "ads", "terms": [v]},
        200,
    ),
    (
        "rule-article",
        "compliance",
        "post",
        lambda a: "/api/compliance/rules/import",
        lambda a, v: {"category": "ads", "article": v, "terms": ["x"]},
        100,
    ),
    (
        "violation-reason",
        "supervisor",
        "post",
        lambda a: f"/api/compliance/violations/{make_violation(a.sales).pk}/confirm",
        lambda a, v: {"reason": v},
        TEXT_MAX,
    ),
    (
        "comment",
        "sales",
        "post",
        lambda a: f"/api/policies/articles/{_discussed_article().pk}/comments",
        lambda a, v: {"text": v},
        TEXT_MAX,
    ),
]


def _discussed_article() -> Article:
    version = make_version(status=VersionStatus.DISCUSSION)
    return Article.objects.filter(version=version).order_by("pk").first()  # type: ignore[return-value]


def _snapshot() -> tuple[int, ...]:
    return (
        MembershipApplication.objects.count(),
        Department.objects.count(),
        Member.objects.count(),
        Comment.objects.count(),
        Violation.objects.filter(status="open").count(),
        hash(tuple(Member.objects.order_by("pk").values_list("name", "position", "status", "wecom_userid"))),
    )


def _assert_422_in_chinese(resp: Any) -> None:
    assert resp.status_code == 422, resp.content
    messages = [e["msg"] for e in resp.json()["detail"]]
    assert messages and all(CJK.search(m) for m in messages), messages


@pytest.mark.parametrize("bad", ["nul", "surrogate", "too_long"])
@pytest.mark.parametrize(
    ("case", "actor", "method", "path", "body", "max_len"), BODY_CASES, ids=[c[0] for c in BODY_CASES]
)
def test_bad_text_in_a_body_is_422_and_writes_nothing(client, actors, bad, case, actor, method, path, body, max_len):
    value = {"nul": NUL, "surrogate": SURROGATE, "too_long": "长" * (max_len + 1)}[bad]
    url = path(actors)
    headers = bearer(actors.by_name(actor)) if actor else {}
    before = _snapshot()
    data = json.dumps(body(actors, value))  # "\ud800" travels as the JSON escape, as a client would send it
    resp = getattr(client, method)(url, data=data, content_type="application/json", **headers)
    _assert_422_in_chinese(resp)
    assert _snapshot() == before


def test_a_good_application_still_goes_through(client, actors):
    resp = client.post(
        "/api/org/applications",
        data=json.dumps(_application(actors, "note", "长" * TEXT_MAX)),
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content


QUERY_CASES = [
    ("/api/org/members", "q"),
    ("/api/org/members", "status"),
    ("/api/org/applications", "status"),
    ("/api/customers/", "q"),
    ("/api/groups/", "q"),
    ("/api/compliance/violations", "category"),
    ("/api/compliance/violations", "status"),
    ("/api/compliance/rules", "category"),
    ("/api/policies/versions/1/approve", "reason"),
]


@pytest.mark.parametrize("bad", ["nul", "too_long"])  # a lone surrogate cannot travel in a URL (not UTF-8)
@pytest.mark.parametrize(("url", "param"), QUERY_CASES)
def test_bad_text_in_a_query_is_422(client, actors, bad, url, param):
    value = NUL if bad == "nul" else "长" * (TEXT_MAX + 1)
    method = client.post if url.endswith("approve") else client.get
    resp = method(f"{url}?{param}={value.replace(chr(0), '%00')}", **bearer(actors.director))
    _assert_422_in_chinese(resp)


LISTS = [
    "/api/org/departments",
    "/api/org/members",
    "/api/org/applications",
    "/api/policies/",
    "/api/customers/",
    "/api/groups/",
    "/api/compliance/violations",
    "/api/compliance/rules",
]
BAD_PAGES = [
    "offset=-1",
    "offset=9223372036854775808",
    f"offset={OFFSET_MAX + 1}",
    "limit=0",
    "limit=-5",
    f"limit={PAGE_MAX + 1}",
    "limit=99999999999999999999",
    "after=-1",
    "after=9223372036854775808",
]


@pytest.mark.parametrize("query", BAD_PAGES)
@pytest.mark.parametrize("url", LISTS)
def test_out_of_range_paging_is_422(client, actors, url, query):
    _assert_422_in_chinese(client.get(f"{url}?{query}", **bearer(actors.director)))


ID_FILTERS = [
    "/api/customers/?owner={}",
    "/api/compliance/violations?member={}",
    "/api/org/members?department_id={}",
]


@pytest.mark.parametrize("value", ["9223372036854775808", "99999999999999999999", "0", "-1"])
@pytest.mark.parametrize("url", ID_FILTERS)
def test_an_id_filter_beyond_any_row_is_422(client, actors, url, value):
    """Found by the fuzz run: ids past 64 bits overflowed the SQLite driver (500)."""
    _assert_422_in_chinese(client.get(url.format(value), **bearer(actors.director)))


@pytest.mark.parametrize("field", ["department_id", "reports_to_id"])
def test_an_id_beyond_64_bits_in_a_body_is_422_and_writes_nothing(client, actors, field):
    before = Member.objects.count()
    body = {"name": "新人", "department_id": actors.dept1.pk, field: 2**64}
    resp = client.post("/api/org/members", json.dumps(body), content_type="application/json", **bearer(actors.director))
    _assert_422_in_chinese(resp)
    assert Member.objects.count() == before


@pytest.mark.parametrize("query", [f"offset={OFFSET_MAX}", f"limit={PAGE_MAX}", "after=9223372036854775807", "after=0"])
@pytest.mark.parametrize("url", LISTS)
def test_paging_at_the_bounds_answers(client, actors, url, query):
    assert client.get(f"{url}?{query}", **bearer(actors.director)).status_code == 200


def _walk(client: Any, url: str, headers: dict[str, str], limit: int) -> list[int]:
    seen: list[int] = []
    after = ""
    for _ in range(100):  # bounded: a server ignoring `after` would repeat the first page forever
        page = client.get(f"{url}?limit={limit}{after}", **headers).json()
        assert len(page) <= limit
        seen += [row["id"] for row in page]
        if len(page) < limit:
            return seen
        after = f"&after={page[-1]['id']}"
    raise AssertionError(f"paging did not end: {seen[:20]}")


def test_keyset_paging_walks_members_in_id_order(client, actors):
    headers = bearer(actors.director)
    everyone = [row["id"] for row in client.get("/api/org/members?limit=500", **headers).json()]
    assert everyone == sorted(everyone) and len(everyone) == Member.objects.count()
    assert _walk(client, "/api/org/members", headers, limit=2) == everyone
    assert [r["id"] for r in client.get("/api/org/members?limit=3&offset=3", **headers).json()] == everyone[3:6]


def test_keyset_paging_walks_customers_newest_first(client, actors):
    for _ in range(7):
        FollowFactory(member=actors.sales, customer=CustomerFactory())
    headers = bearer(actors.sales)
    everyone = [row["id"] for row in client.get("/api/customers/?limit=500", **headers).json()]
    assert len(everyone) == 7 and everyone == sorted(everyone, reverse=True)
    assert _walk(client, "/api/customers/", headers, limit=3) == everyone


def test_openapi_schema_documents_the_bounds(client, actors):
    schema = client.get("/api/openapi.json").json()
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/customers/"]["get"]["parameters"]}
    assert params["limit"]["maximum"] == PAGE_MAX and params["offset"]["maximum"] == OFFSET_MAX
    assert params["q"]["maxLength"] == 100
    application = schema["components"]["schemas"]["ApplicationIn"]["properties"]
    assert application["mobile"]["maxLength"] == 32


# Forms and pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [NUL, SURROGATE, "长" * (TEXT_MAX + 1)])
def test_text_field_refuses_bad_text_in_chinese(value):
    field = TextField(required=False)
    with pytest.raises(Exception) as err:
        from django.utils import translation

        with translation.override("zh-hans"):
            field.clean(value)
    assert CJK.search(" ".join(err.value.messages))  # type: ignore[attr-defined]


@pytest.mark.parametrize("field", ["name", "mobile", "note", "wecom_userid"])
def test_apply_form_refuses_surrogates(actors, field):
    data = {"name": "新人", "username": "newbie", "password": "long-password-1", "department": actors.dept1.pk}
    form = ApplyForm(data=data | {field: SURROGATE})
    assert not form.is_valid() and field in form.errors


def test_apply_page_shows_a_form_error_for_nul(client, actors):
    data = {"name": "新人", "username": "newbie", "password": "long-password-1", "department": actors.dept1.pk}
    resp = client.post("/org/apply/", data | {"note": "备注\x00"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 200 and "NUL" in resp.content.decode()
    assert MembershipApplication.objects.count() == 0


def test_comment_page_refuses_nul(login, actors):
    article = _discussed_article()
    client = login(actors.sales)
    resp = client.post(f"/policies/articles/{article.pk}/comments/", {"text": "意见\x00"}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and Comment.objects.count() == 0
    assert CJK.search(resp.content.decode())


def test_review_page_refuses_nul(login, actors):
    violation = make_violation(actors.sales)
    client = login(actors.supervisor)
    client.post(f"/compliance/violations/{violation.pk}/review/", {"decision": "confirm", "reason": "理由\x00"})
    violation.refresh_from_db()
    assert violation.status == "open"


@pytest.mark.parametrize(
    "url", ["/customers/?q=%00", "/groups/?q=%00", "/compliance/?category=%00", "/compliance/rules/?q=%00"]
)
def test_pages_survive_nul_in_search(login, actors, url):
    client = login(actors.director if "rules" in url else actors.supervisor)
    resp = client.get(url)
    assert resp.status_code == 200
