"""The member's notification inbox (我的通知): own notifications only, paged by key, read on open, read-all,
only links inside zhidu followed, and an unread badge in the navigation."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import ACTOR_NAMES
from zhidu.core.models import AuditEvent, Notification
from zhidu.core.notifications import notify
from zhidu.core.selectors import INBOX_PAGE_SIZE, UNREAD_BADGE_MAX, safe_link
from zhidu.org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

UNREAD_BADGE = re.compile(r'data-testid="unread"[^>]*>([^<]*)<')


def note(member, title: str = "提醒", url: str = "/org/", **kwargs) -> Notification:  # type: ignore[no-untyped-def]
    (row,) = notify(member_ids=[member.pk], title=title, url=url, **kwargs)
    return row


def shown_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-notification="(\d+)"', html)]


def badge(html: str) -> str | None:
    found = UNREAD_BADGE.search(html)
    return found.group(1) if found else None


def test_inbox_lists_own_notifications_newest_first_with_unread_marked(actors, login):  # type: ignore[no-untyped-def]
    first = note(actors.sales, "第一条", body="请签收新制度", action="签收")
    second = note(actors.sales, "第二条")
    note(actors.sales_b, "别人的通知")
    Notification.objects.filter(pk=first.pk).update(read_at="2026-01-01T00:00:00Z")
    html = login(actors.sales).get("/notifications/").content.decode()
    assert shown_ids(html) == [second.pk, first.pk]
    assert "别人的通知" not in html
    assert "请签收新制度" in html and ">签收</button>" in html  # body and the action label
    assert html.count('class="note unread"') == 1 and f'class="note unread" data-notification="{second.pk}"' in html
    assert badge(html) == "1"


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_every_role_opens_the_inbox(actors, login, actor):  # type: ignore[no-untyped-def]
    member = actors.by_name(actor)
    mine = note(member, f"给{member.name}")
    resp = login(member).get("/notifications/")
    html = resp.content.decode()
    assert resp.status_code == 200 and shown_ids(html) == [mine.pk]
    assert 'href="/notifications/"' in html and ">通知" in html  # the navigation entry, in Chinese first


def test_inbox_needs_login(client, actors):  # type: ignore[no-untyped-def]
    resp = client.get("/notifications/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]


def test_open_marks_read_audits_and_goes_to_the_link(actors, login):  # type: ignore[no-untyped-def]
    n = note(actors.sales, url="/compliance/violations/7/")
    client = login(actors.sales)
    resp = client.post(f"/notifications/{n.pk}/open/")
    assert resp.status_code == 302 and resp["Location"] == "/compliance/violations/7/"
    n.refresh_from_db()
    assert n.read_at is not None
    (event,) = AuditEvent.objects.filter(verb="notification.read")
    assert (event.actor, event.target_type, event.target_id) == (actors.sales, "core.notification", str(n.pk))
    assert event.before == {"read_at": None} and event.after is not None and event.after["read_at"]

    # opening it again still follows the link, and changes (and records) nothing
    resp = client.post(f"/notifications/{n.pk}/open/")
    assert resp.status_code == 302 and resp["Location"] == "/compliance/violations/7/"
    assert AuditEvent.objects.filter(verb="notification.read").count() == 1


def test_another_members_notification_answers_404_like_a_missing_one(actors, login):  # type: ignore[no-untyped-def]
    theirs = note(actors.sales_b)
    client = login(actors.sales)
    for pk in (theirs.pk, theirs.pk + 1000, 2**63 - 1):
        assert client.post(f"/notifications/{pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None and not AuditEvent.objects.exists()


def test_open_and_read_all_refuse_get(actors, login):  # type: ignore[no-untyped-def]
    n = note(actors.sales)
    client = login(actors.sales)
    assert client.get(f"/notifications/{n.pk}/open/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_read_all_is_one_update_and_one_audit_record_for_own_unread(actors, login):  # type: ignore[no-untyped-def]
    mine = [note(actors.sales, f"n{i}") for i in range(4)]
    Notification.objects.filter(pk=mine[0].pk).update(read_at="2026-01-01T00:00:00Z")
    theirs = note(actors.sales_b)
    client = login(actors.sales)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.post("/notifications/read-all/")
    assert resp.status_code == 302 and resp["Location"] == "/notifications/"
    updates = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE") and "core_notification" in q["sql"]
    ]
    assert len(updates) == 1
    assert not Notification.objects.filter(recipient=actors.sales, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    (event,) = AuditEvent.objects.filter(verb="notification.read_all")
    assert event.actor == actors.sales and event.after is not None and event.after["count"] == 3
    assert "已将 3 条通知标为已读" in client.get("/notifications/").content.decode()

    # nothing left unread: nothing written, nothing recorded
    client.post("/notifications/read-all/")
    assert AuditEvent.objects.filter(verb="notification.read_all").count() == 1


UNSAFE = [
    "https://evil.example/phish",
    "http://evil.example/",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "//evil.example/x",
    "/\\evil.example",
    "/\t/evil.example",
    " /org/",
    "org/",
    "data:text/html,hi",
]


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_url_is_neither_a_link_nor_followed(actors, login, url):  # type: ignore[no-untyped-def]
    assert safe_link(url) is None
    n = note(actors.sales, url=url, action="打开")
    client = login(actors.sales)
    html = client.get("/notifications/").content.decode()
    assert "evil.example" not in html and "javascript:" not in html.lower() and "data:text" not in html
    assert ">打开</button>" not in html and "标为已读" in html  # only a mark-read button remains
    resp = client.post(f"/notifications/{n.pk}/open/")
    assert resp.status_code == 302 and resp["Location"] == "/notifications/"
    n.refresh_from_db()
    assert n.read_at is not None


@pytest.mark.parametrize("url", ["/", "/compliance/violations/7/", "/policies/3/?tab=ack#articles"])
def test_paths_inside_zhidu_are_links(url):  # type: ignore[no-untyped-def]
    assert safe_link(url) == url


def test_posts_without_csrf_token_are_refused_and_change_nothing(actors):  # type: ignore[no-untyped-def]
    n = note(actors.sales)
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="sales", password=PASSWORD)
    assert client.post(f"/notifications/{n.pk}/open/").status_code == 403
    assert client.post("/notifications/read-all/").status_code == 403
    n.refresh_from_db()
    assert n.read_at is None and not AuditEvent.objects.exists()


def test_paging_by_key_is_bounded(actors, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    total = 2 * INBOX_PAGE_SIZE + 5
    Notification.objects.bulk_create(
        [Notification(recipient=actors.sales, title=f"第{i}条") for i in range(total)]
        + [Notification(recipient=actors.sales_b, title="别人的") for _ in range(total)]
    )
    expected = list(Notification.objects.filter(recipient=actors.sales).order_by("-id").values_list("id", flat=True))
    client = login(actors.sales)
    client.get("/notifications/")  # warm the session so the budget below measures the page itself
    url, seen = "/notifications/", []
    while url:
        with django_assert_max_num_queries(5), CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        ids = shown_ids(html)
        assert 0 < len(ids) <= INBOX_PAGE_SIZE
        seen += ids
        for q in ctx.captured_queries:
            sql = q["sql"].upper()
            if "CORE_NOTIFICATION" in sql:
                assert "OFFSET" not in sql and "LIMIT" in sql, sql  # no OFFSET, no COUNT over the whole table
        more = re.search(r'href="\?before=(\d+)"', html)
        url = f"/notifications/?before={more.group(1)}" if more else ""
    assert seen == expected


@pytest.mark.parametrize("before", ["abc", "-1", "0", "²", "9" * 30, str(2**63)])
def test_a_bad_before_shows_the_first_page(actors, login, before):  # type: ignore[no-untyped-def]
    n = note(actors.sales)
    resp = login(actors.sales).get("/notifications/", {"before": before})
    assert resp.status_code == 200 and shown_ids(resp.content.decode()) == [n.pk]


def test_badge_counts_unread_and_caps(actors, login):  # type: ignore[no-untyped-def]
    client = login(actors.sales)
    assert badge(client.get("/").content.decode()) is None  # nothing unread: no badge
    Notification.objects.bulk_create(
        [Notification(recipient=actors.sales, title="t") for _ in range(UNREAD_BADGE_MAX + 5)]
    )
    note(actors.sales_b)
    assert badge(client.get("/").content.decode()) == f"{UNREAD_BADGE_MAX}+"
    Notification.objects.filter(pk__in=Notification.objects.filter(recipient=actors.sales).values("pk")[:10]).update(
        read_at="2026-01-01T00:00:00Z"
    )
    assert badge(client.get("/").content.decode()) == str(UNREAD_BADGE_MAX - 5)


def test_markup_in_a_notification_is_escaped(actors, login):  # type: ignore[no-untyped-def]
    note(actors.sales, title='<script>alert("t")</script>', body="<img src=x onerror=alert(1)>\n第二行", action="<b>")
    html = login(actors.sales).get("/notifications/").content.decode()
    assert "<script>alert(" not in html and "<img src=x" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=alert(1)&gt;<br>第二行" in html
