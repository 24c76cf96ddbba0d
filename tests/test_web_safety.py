"""Web safety that must keep holding as pages are added: no unescaped output, no form without CSRF.

Both tests crawl the site the way a person would (links and forms reachable from the home page), as every
role, so a new page is covered without being listed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from zhidu.core.models import AuditEvent
from zhidu.core.notifications import notify
from zhidu.customers.tests.factories import FollowFactory
from zhidu.groups.tests.factories import GroupChatFactory, GroupMemberFactory
from zhidu.org.tests.factories import PASSWORD
from zhidu.policies.tests.factories import make_version

# Markup an attacker would try to smuggle through names, remarks, chats and regulation text.
PAYLOADS = ['<script>alert("z")</script>', '"><img src=x onerror=alert(1)>', "<svg/onload=alert(2)>"]
MAX_PAGES = 150
SKIP_PREFIXES = ("/logout/", "/i18n/", "/admin/", "/api/", "/static/", "/wecom/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.forms.append(a.get("action") or "")
        if a.get("hx-post"):
            self.forms.append(a["hx-post"] or "")


def _local(base: str, href: str) -> str | None:
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or (parts.netloc and parts.netloc != "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES) or "export" in path:
        return None
    return path


def crawl(client: Client) -> Iterator[tuple[str, str, list[str]]]:
    """(url, html, post targets) for every page reachable from the home page, breadth first, bounded."""
    seen: set[str] = set()
    queue = ["/"]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        parser = _Links()
        parser.feed(html)
        targets = [t for t in (_local(url, f) if f else url for f in parser.forms) if t]
        yield url, html, targets
        for href in parser.links:
            path = _local(url, href)
            # one page of each paged list is enough; page numbers would blow the budget
            if path and path not in seen and not re.search(r"[?&](page|after|cursor)=", path):
                queue.append(path)


@pytest.fixture
def hostile(actors):  # type: ignore[no-untyped-def]
    """The canonical company with hostile text in every field a salesperson or customer controls."""
    for i, payload in enumerate(PAYLOADS):
        follow = FollowFactory(member=actors.sales, remark=payload, description=payload)
        follow.customer.name = payload
        follow.customer.corp_name = payload
        follow.customer.save()
        group = GroupChatFactory(name=payload, owner=actors.sales, owner_userid=actors.sales.wecom_userid)
        GroupMemberFactory(group=group, group_nickname=payload)
        make_version(
            text=f"{payload}管理制度\n第一章 总则\n第一条 {payload}不得泄露。\n第二条 本制度自发布之日起施行。\n",
            code=f"hostile-{i}",
            status="published",
        )
        everyone = [actors.by_name(name).pk for name in ("director", "supervisor", "sales", "compliance", "admin")]
        notify(member_ids=everyone, title=payload, body=payload, url="/policies/", action=payload[:20])
    actors.sales.position = PAYLOADS[0]
    actors.sales.save()
    return actors


def _client_for(member) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=member.user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("role", ["director", "manager", "supervisor", "sales", "compliance", "admin"])
def test_no_page_echoes_markup_unescaped(hostile, role: str) -> None:  # type: ignore[no-untyped-def]
    pages, shown = 0, 0
    for url, html, _targets in crawl(_client_for(hostile.by_name(role))):
        pages += 1
        for payload in PAYLOADS:
            assert payload not in html, f"{url} shows {payload!r} unescaped"
        shown += html.count("&lt;script&gt;alert(") + html.count("&lt;svg/onload=")
    assert pages >= 3, "the crawl reached too few pages to mean anything"
    assert shown or role == "admin", "no page showed the hostile text at all: the fixture no longer reaches the pages"


@pytest.mark.parametrize("role", ["director", "supervisor", "compliance", "admin"])
def test_every_form_refuses_a_post_without_csrf_token(hostile, role: str) -> None:  # type: ignore[no-untyped-def]
    client = _client_for(hostile.by_name(role))
    targets: set[str] = set()
    for _url, _html, found in crawl(client):
        targets.update(found)
    assert len(targets) >= 2, f"only {sorted(targets)} found: the crawl is broken"
    before = AuditEvent.objects.count()
    for target in sorted(targets):
        response = client.post(target, {"reason": "csrf probe", "name": "x"})
        assert response.status_code == 403, f"POST {target} without a CSRF token answered {response.status_code}"
    assert AuditEvent.objects.count() == before
