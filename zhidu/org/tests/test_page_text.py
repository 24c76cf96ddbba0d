"""Organisation and audit pages check the text they read from a request like the API does (issue #7, defect 4).

A NUL reached PostgreSQL as a DataError (500) and a lone surrogate broke SQLite; now a filter is dropped with a
message and a written value is refused with a message, and nothing changes. Run on both databases.
"""

from __future__ import annotations

import pytest

from zhidu.core.models import AuditEvent
from zhidu.org import services
from zhidu.org.models import ApiToken, ApplicationStatus, MemberStatus

# A lone surrogate only arrives through JSON (\ud800 escapes): a form or a URL cannot carry one (API tests cover it).
BAD = ["名\x00字", "长" * 10_001]


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("director", "/org/?q={}"),
        ("director", "/org/?department=1&q={}"),
        ("supervisor", "/org/applications/?status={}"),
        ("admin", "/audit/audit/?actor={}"),
        ("compliance", "/audit/audit/?verb={}&target_type={}"),
    ],
)
@pytest.mark.parametrize("bad", BAD)
def test_filters_with_bad_text_are_dropped_with_a_message(login, actors, role, url, bad):
    client = login(actors.by_name(role))
    response = client.get(url.replace("{}", bad.replace("\x00", "%00")))
    assert response.status_code == 200
    assert "文本" in response.content.decode()  # the reason, in Chinese


@pytest.mark.parametrize("bad", BAD)
def test_a_transition_reason_with_bad_text_changes_nothing(login, actors, bad):
    client = login(actors.supervisor)
    before = AuditEvent.objects.count()
    response = client.post(f"/org/members/{actors.sales.pk}/suspend/", {"reason": bad}, follow=True)
    assert response.status_code == 200 and "文本" in response.content.decode()
    actors.sales.refresh_from_db()
    assert actors.sales.status == MemberStatus.ACTIVE
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("bad", BAD)
def test_an_application_decision_with_bad_text_changes_nothing(login, actors, bad):
    app = services.application_submit(
        name="新人", username="newbie", password="long-enough-1", department=actors.dept1, lead=actors.supervisor
    )
    client = login(actors.supervisor)
    response = client.post(f"/org/applications/{app.pk}/reject/", {"reason": bad}, follow=True)
    assert response.status_code == 200 and "文本" in response.content.decode()
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PENDING


@pytest.mark.parametrize("bad", [BAD[0], "长" * 101])
def test_a_token_name_with_bad_text_creates_no_token(login, actors, bad):
    client = login(actors.sales)
    response = client.post("/org/tokens/", {"name": bad}, follow=True)
    assert response.status_code == 200 and "文本" in response.content.decode()
    assert not ApiToken.objects.filter(member=actors.sales).exists()


def test_the_organisation_page_lists_a_bounded_number_of_members(
    login, actors, monkeypatch, django_assert_max_num_queries
):
    from zhidu.org import views

    monkeypatch.setattr(views, "PAGE_ROWS_MAX", 3)
    client = login(actors.director)
    with django_assert_max_num_queries(12):
        html = client.get("/org/").content.decode()
    assert html.count("data-member=") == 3
    assert 'data-testid="truncated"' in html and "请选择部门或搜索" in html
    narrowed = client.get(f"/org/?q={actors.sales.name}").content.decode()
    assert narrowed.count("data-member=") == 1 and 'data-testid="truncated"' not in narrowed


def test_the_applications_page_lists_a_bounded_number_newest_first(login, actors, monkeypatch):
    from zhidu.org import views

    monkeypatch.setattr(views, "PAGE_ROWS_MAX", 2)
    for n in range(3):
        services.application_submit(
            name=f"申请人{n}", username=f"applicant{n}", password="long-enough-1", department=actors.dept1
        )
    html = login(actors.director).get("/org/applications/").content.decode()
    assert [f"申请人{n}" in html for n in range(3)] == [False, True, True]
    assert 'data-testid="truncated"' in html
