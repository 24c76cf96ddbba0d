"""Reply statistics and the reply dashboard: percentiles, in-time shares, WeCom's figures beside ours, scope
(a supervisor sees their team, a manager their subtree, sales themselves), bounded queries, and the API."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from zhidu.compliance.models import ReplyWait, WaitKind
from zhidu.compliance.reply_selectors import percentile, reply_dashboard, reply_range
from zhidu.wecom.models import BehaviorDay

SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 9, 28)
NOW = dt.datetime(2026, 9, 30, 12, tzinfo=SH)


def wait(member, n, minutes, *, answered=True, late=False, kind=WaitKind.SINGLE):
    asked = dt.datetime(2026, 9, 28, 10, tzinfo=SH) + dt.timedelta(minutes=n)
    deadline = asked + dt.timedelta(minutes=30)
    return ReplyWait.objects.create(
        slot=f"{member.pk}-{n}",
        kind=kind,
        chat_key=f"{member.wecom_userid}|wmX{n}",
        msgid=f"w{member.pk}-{n}",
        asker=f"wmX{n}",
        responsible=member.wecom_userid,
        member=member,
        asked_at=asked,
        deadline=deadline if not late else asked - dt.timedelta(minutes=1),
        answered_at=(asked + dt.timedelta(minutes=minutes)) if answered else None,
        reply_minutes=minutes if answered else None,
    )


def test_percentile():
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 50) == 5.5
    assert percentile(values, 90) == pytest.approx(9.1)
    assert percentile([7.0], 90) == 7.0 and percentile([], 50) is None


@pytest.fixture
def data(actors):
    for i, minutes in enumerate([5, 10, 20, 40, 60]):
        wait(actors.sales, i, minutes)
    wait(actors.sales, 10, 0, answered=False)  # waiting past its deadline (NOW is days later)
    for i, minutes in enumerate([2, 4]):
        wait(actors.sales_b, i, minutes)
    wait(actors.outsider, 0, 99)
    wait(actors.sales, 20, 0, kind=WaitKind.INTERNAL, answered=False)  # internal questions are not customer waits
    for member, pct, avg in ((actors.sales, 80.0, 12.0), (actors.sales_b, 100.0, 3.0)):
        BehaviorDay.objects.create(member=member, day=DAY, chat_cnt=5, reply_percentage=pct, avg_reply_time=avg,
                                   fetched_at=timezone.now())  # fmt: skip
    return actors


def test_member_and_team_figures(data):
    d = reply_dashboard(viewer=data.director, start=DAY, end=DAY, now=NOW)
    by = {f.label: f for f in d.members}
    s = by[data.sales.name]
    assert (s.waits, s.answered, s.unanswered, s.open) == (6, 5, 1, 1)
    assert (s.p50, s.p90) == (20.0, 52.0)
    assert s.in_time_share == 50.0  # 5, 10, 20 of the 6 (40 and 60 late, one unanswered)
    assert (s.wecom_reply_percentage, s.wecom_avg_reply_time, s.wecom_chats) == (80.0, 12.0, 5)
    teams = {f.label: f for f in d.teams}
    team_a = teams[f"Team of {data.supervisor.name}"]
    assert team_a.waits == 6 and team_a.p50 == 20.0
    dept = {f.label: f for f in d.departments}[data.dept1.name]
    assert dept.waits == 8 and dept.wecom_reply_percentage == 90.0
    assert d.total.waits == 9
    assert [w.member for w in d.slowest] == [data.sales]


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("sales", {"sales"}),
        ("supervisor", {"sales", "supervisor"}),
        ("manager", {"sales", "sales_b", "supervisor", "supervisor_b", "manager"}),
        ("outsider", {"outsider"}),
    ],
)
def test_scope(data, viewer, sees):
    d = reply_dashboard(viewer=data.by_name(viewer), start=DAY, end=DAY, now=NOW)
    assert {f.label for f in d.members} == {data.by_name(n).name for n in sees}
    if viewer in ("outsider", "supervisor_b"):
        assert d.slowest == []


def test_page_scope_and_queries(data, login, django_assert_max_num_queries):
    client = login(data.supervisor)
    with django_assert_max_num_queries(20):
        page = client.get("/compliance/reply/?start=2026-09-28&end=2026-09-28")
    html = page.content.decode()
    assert page.status_code == 200
    assert data.sales.name in html and data.sales_b.name not in html and data.outsider.name not in html
    assert "80.0%" in html  # WeCom's figure beside ours


def test_page_refuses_admin(data, login):
    assert login(data.admin).get("/compliance/reply/").status_code in (403, 404)


def test_range_parsing():
    assert reply_range("", "", today=DAY) == (DAY - dt.timedelta(days=6), DAY)
    assert reply_range("2026-01-01", "2026-12-31")[0] == dt.date(2026, 12, 31) - dt.timedelta(days=91)
    assert reply_range("bad", "2026-09-28") == (DAY - dt.timedelta(days=6), DAY)


def test_api(data, client):
    from zhidu.org.services import api_token_create

    _token, key = api_token_create(actor=data.supervisor_b, name="t")
    r = client.get("/api/compliance/reply?start=2026-09-28&end=2026-09-28", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200
    body = r.json()
    assert {m["label"] for m in body["members"]} == {data.sales_b.name, data.supervisor_b.name}
    sb = next(m for m in body["members"] if m["id"] == data.sales_b.pk)
    assert (sb["waits"], sb["p50_minutes"], sb["wecom_reply_percentage"]) == (2, 3.0, 100.0)
    assert body["slowest"] == []


def test_api_responder(data, client):
    from zhidu.groups.models import MemberType
    from zhidu.groups.tests.factories import GroupChatFactory, GroupMemberFactory
    from zhidu.org.services import api_token_create

    group = GroupChatFactory(owner=data.sales)
    GroupMemberFactory(group=group, userid=data.sales_b.wecom_userid, type=MemberType.STAFF, member=data.sales_b)
    _t, key = api_token_create(actor=data.manager, name="t")
    url = f"/api/compliance/reply/groups/{group.pk}/responder"
    r = client.post(url, {"member": data.sales_b.pk}, content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {key}")  # fmt: skip
    assert r.status_code == 200 and r.json()["member_name"] == data.sales_b.name
    _t, other = api_token_create(actor=data.supervisor_b, name="t")  # not the owner's lead
    r = client.post(url, {"member": None}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert r.status_code == 404
    assert group.reply_responder.member == data.sales_b
