"""Periodic reports: templates (who edits, inheritance up the tree, refusals), the draft → submit → review flow with
its audit trail and notifications, who reads what (pages and API over the canonical actors), refusals that write
nothing, completeness, the pages' query counts and key paging, and the demo."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from conftest import ACTOR_NAMES
from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent, Notification
from zhidu.org import services as org_services
from zhidu.org.models import Role
from zhidu.org.tests.factories import DepartmentFactory, MemberFactory
from zhidu.work import errors as E
from zhidu.work import reports_selectors as sel
from zhidu.work import reports_services as svc
from zhidu.work.models import Report, ReportComment, ReportStatus, ReportTemplate

from .reports_helpers import DAILY_SECTIONS, NOW, TEXTS, TUESDAY, make_templates, write

pytestmark = pytest.mark.django_db

# A report by `sales` (reports to `supervisor`, department 销售一部 under the manager).
READS = {"sales", "supervisor", "manager", "director"}
REVIEWS = {"supervisor", "manager", "director"}
LEADS = {"supervisor", "supervisor_b", "manager", "director"}
TEMPLATE_EDITORS = {"director", "admin"}  # of the company-wide template; a manager edits their subtree's


@pytest.fixture
def clock(time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def templates(actors, clock):  # type: ignore[no-untyped-def]
    return make_templates(actors.director)


def bearer(member):  # type: ignore[no-untyped-def]
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def state():  # type: ignore[no-untyped-def]
    return (
        AuditEvent.objects.count(),
        Notification.objects.count(),
        list(Report.objects.order_by("pk").values_list("pk", "status", "sections", "figures", "reviewed_by")),
        ReportComment.objects.count(),
        list(ReportTemplate.objects.order_by("pk").values_list("pk", "sections", "due_hour", "roles")),
    )


# --- templates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sections, error",
    [
        ([], E.ERR_REPORT_SECTIONS_EMPTY),
        ([{"label": "小结", "required": False}], E.ERR_REPORT_SECTION_REQUIRED),
        ([{"label": "小结", "required": True}, {"label": "小结", "required": False}], E.ERR_REPORT_SECTION_DUPLICATE),
        ([{"label": "小结", "required": True}, {"label": "  ", "required": False}], E.ERR_REPORT_SECTION_LABEL),
        ([{"label": f"栏目{i}", "required": True} for i in range(11)], E.ERR_REPORT_SECTIONS_MAX),
    ],
)
def test_bad_templates_are_refused_and_write_nothing(actors, templates, sections, error):  # type: ignore[no-untyped-def]
    before = state()
    with pytest.raises(DomainError) as err:
        svc.template_save(actor=actors.director, department=None, kind="daily", sections=sections)
    assert err.value.template == error
    assert state() == before


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_who_edits_templates(actors, templates, client, name):  # type: ignore[no-untyped-def]
    member = actors.by_name(name)
    company = client.put(
        reverse("api:report_template_save"),
        data={"kind": "daily", "sections": [{"label": "今日小结", "required": True}], "due_hour": 9},
        content_type="application/json",
        **bearer(member),
    )
    assert company.status_code == (200 if name in TEMPLATE_EDITORS else 403)
    dept = client.put(
        reverse("api:report_template_save"),
        data={"department_id": actors.dept1.pk, "kind": "weekly", "sections": [{"label": "本周", "required": True}]},
        content_type="application/json",
        **bearer(member),
    )
    assert dept.status_code in ((200,) if name in TEMPLATE_EDITORS | {"manager"} else (403, 404))
    other = client.put(
        reverse("api:report_template_save"),
        data={"department_id": actors.dept2.pk, "kind": "weekly", "sections": [{"label": "本周", "required": True}]},
        content_type="application/json",
        **bearer(member),
    )
    assert other.status_code in ((200,) if name in TEMPLATE_EDITORS else (403, 404))
    listing = client.get(reverse("api:report_templates"), **bearer(member))
    assert listing.status_code == 200 and len(listing.json()) >= 2


def test_template_edit_is_audited_and_inherited_down_the_tree(actors, templates):  # type: ignore[no-untyped-def]
    sub = DepartmentFactory(name="销售一部一组", parent=actors.dept1)
    member = MemberFactory(name="陈销售", role=Role.SALES, department=sub, reports_to=actors.supervisor)
    own = svc.template_save(
        actor=actors.manager, department=actors.dept1, kind="daily", sections=[{"label": "拜访", "required": True}]
    )
    resolver = svc.template_resolver()
    assert resolver.must_report(member, "daily") == own  # nearest up the tree
    assert resolver.must_report(actors.sales, "daily") == own
    assert resolver.must_report(actors.outsider, "daily") == templates  # the company-wide one
    assert resolver.must_report(actors.supervisor, "daily") is None  # dept1's template asks salespeople only
    assert resolver.must_report(actors.compliance, "daily") is None
    event = AuditEvent.objects.get(verb="report_template.save", target_id=str(own.pk))
    assert event.actor_id == actors.manager.pk and event.after["sections"] == [{"label": "拜访", "required": True}]


def test_template_page_saves_and_refuses(actors, templates, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    c = login(actors.manager)
    url = reverse("work:report_templates")
    with django_assert_max_num_queries(12):
        page = c.get(url + f"?department={actors.dept1.pk}&kind=weekly")
    assert page.status_code == 200 and b'data-testid="template-form"' in page.content
    before = state()
    bad = c.post(
        url,
        {"department": actors.dept1.pk, "kind": "daily", "sections": "小结\n小结", "due_hour": 10, "roles": ["sales"]},
    )
    assert bad.status_code == 400 and "“小结”" in bad.content.decode()
    assert state() == before
    ok = c.post(
        url,
        {"department": actors.dept1.pk, "kind": "daily", "sections": "*拜访\n问题", "due_hour": 9, "roles": ["sales"]},
    )
    assert ok.status_code == 302
    t = ReportTemplate.objects.get(department=actors.dept1, kind="daily")
    assert t.sections == [{"label": "拜访", "required": True}, {"label": "问题", "required": False}] and t.due_hour == 9
    refused = login(actors.sales).post(
        url, {"department": "", "kind": "daily", "sections": "*拜访", "due_hour": 9, "roles": ["sales"]}
    )
    assert refused.status_code == 403
    assert login(actors.sales).get(url).status_code == 200


# --- draft, submit, review ------------------------------------------------------------------------------


def test_draft_submit_review_flow(actors, templates, clock):  # type: ignore[no-untyped-def]
    draft = svc.report_draft(actor=actors.sales, kind="daily", period_start=TUESDAY)
    assert draft.status == ReportStatus.DRAFT and [s["label"] for s in draft.sections] == [
        s["label"] for s in DAILY_SECTIONS
    ]
    assert draft.due_at == dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC)  # Wednesday 10:00 in Shanghai
    assert svc.report_draft(actor=actors.sales, kind="daily", period_start=TUESDAY).pk == draft.pk
    saved = svc.report_save(actor=actors.sales, report=draft, texts=["上午拜访", "", ""])
    assert saved.sections[0]["text"] == "上午拜访" and saved.status == ReportStatus.DRAFT
    Notification.objects.all().delete()
    r = svc.report_submit(actor=actors.sales, report=saved, texts=TEXTS)
    assert r.status == ReportStatus.SUBMITTED and not r.late
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [actors.supervisor.pk]
    reviewed = svc.report_review(actor=actors.supervisor, report=r, text="很好，明天重点跟进报价。")
    assert reviewed.status == ReportStatus.REVIEWED and reviewed.reviewed_by == actors.supervisor
    assert Notification.objects.filter(recipient=actors.sales).count() == 1
    assert list(r.comments.values_list("text", flat=True)) == ["很好，明天重点跟进报价。"]
    verbs = list(AuditEvent.objects.filter(target_type="work.report").order_by("pk").values_list("verb", flat=True))
    assert verbs == ["report.draft", "report.save", "report.submit", "report.review"]
    with pytest.raises(DomainError) as err:
        svc.report_review(actor=actors.manager, report=r)
    assert err.value.template == E.ERR_REPORT_REVIEWED and err.value.code == "conflict"


def test_a_late_submission_is_marked_late(actors, templates, clock):  # type: ignore[no-untyped-def]
    clock.move_to("2026-03-04 10:30:00+08:00", tick=False)
    assert write(actors.sales).late


def test_bad_submissions_write_nothing(actors, templates, client):  # type: ignore[no-untyped-def]
    r = write(actors.sales)
    draft = svc.report_draft(actor=actors.sales_b, kind="daily", period_start=TUESDAY)
    auth, auth_b = bearer(actors.sales), bearer(actors.sales_b)
    before = state()
    cases = [
        (lambda: svc.report_submit(actor=actors.sales, report=r, texts=TEXTS), E.ERR_REPORT_SUBMITTED),
        (
            lambda: svc.report_submit(actor=actors.sales_b, report=draft, texts=["", "计划", ""]),
            E.ERR_REPORT_SECTION_MISSING,
        ),
        (lambda: svc.report_submit(actor=actors.sales_b, report=draft, texts=["小结"]), E.ERR_REPORT_SECTION_COUNT),
        (lambda: svc.report_submit(actor=actors.sales, report=draft, texts=TEXTS), E.ERR_REPORT_NOT_AUTHOR),
        (
            lambda: svc.report_draft(actor=actors.sales, kind="daily", period_start=dt.date(2026, 3, 1)),
            E.ERR_REPORT_NOT_OWED,
        ),
        (lambda: svc.report_draft(actor=actors.sales, kind="weekly", period_start=TUESDAY), E.ERR_REPORT_PERIOD),
        (
            lambda: svc.report_draft(actor=actors.sales, kind="daily", period_start=dt.date(2026, 3, 5)),
            E.ERR_REPORT_PERIOD,
        ),
        (lambda: svc.report_draft(actor=actors.sales, kind="yearly", period_start=TUESDAY), E.ERR_REPORT_KIND),
        (
            lambda: svc.report_draft(actor=actors.compliance, kind="daily", period_start=TUESDAY),
            E.ERR_REPORT_NO_TEMPLATE,
        ),
        (lambda: svc.report_comment(actor=actors.sales_b, report=r, text="  "), E.ERR_REPORT_COMMENT),
        (lambda: svc.report_comment(actor=actors.supervisor_b, report=r, text="看看"), E.ERR_REPORT_COMMENT_FORBIDDEN),
        (lambda: svc.report_review(actor=actors.sales, report=r), E.ERR_REPORT_NOT_LEAD),
    ]
    for call, error in cases:
        with pytest.raises(DomainError) as err:
            call()
        assert err.value.template == error
        assert state() == before
    twice = client.post(
        reverse("api:report_submit", args=[r.pk]), data={"texts": TEXTS}, content_type="application/json", **auth
    )
    assert twice.status_code == 409 and twice.json()["detail"]
    empty = client.post(
        reverse("api:report_submit", args=[draft.pk]),
        data={"texts": ["", "", ""]},
        content_type="application/json",
        **auth_b,
    )
    assert empty.status_code == 400 and "今日小结" in empty.json()["detail"]
    bad = client.post(
        reverse("api:report_draft"),
        data={"kind": "daily", "period_start": "2026-03-01"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400
    assert state() == before


def test_a_draft_is_the_authors_alone(actors, templates, client):  # type: ignore[no-untyped-def]
    draft = svc.report_draft(actor=actors.sales, kind="daily", period_start=TUESDAY)
    for name in ACTOR_NAMES:
        response = client.get(reverse("api:report_get", args=[draft.pk]), **bearer(actors.by_name(name)))
        assert response.status_code == (200 if name == "sales" else 404)


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_who_reads_comments_and_reviews(actors, templates, client, login, name):  # type: ignore[no-untyped-def]
    r = write(actors.sales)
    member = actors.by_name(name)
    auth = bearer(member)
    page = login(member).get(reverse("work:report", args=[r.pk]))
    assert page.status_code == (200 if name in READS else 404)
    assert (b'data-testid="review-submit"' in page.content) == (name in REVIEWS)
    api = client.get(reverse("api:report_get", args=[r.pk]), **auth)
    assert api.status_code == (200 if name in READS else 404)
    if name in READS:
        assert api.json()["may_review"] == (name in REVIEWS)
    inbox = client.get(reverse("api:report_list") + "?box=inbox", **auth).json()
    assert ([row["id"] for row in inbox] == [r.pk]) == (name in REVIEWS)
    mine = client.get(reverse("api:report_list"), **auth).json()
    assert ([row["id"] for row in mine] == [r.pk]) == (name == "sales")
    before = state()
    comment = client.post(
        reverse("api:report_comment", args=[r.pk]), data={"text": "收到"}, content_type="application/json", **auth
    )
    assert comment.status_code == (201 if name in READS else 404)
    if name not in READS:
        assert state() == before
    before = state()
    review = client.post(
        reverse("api:report_review", args=[r.pk]), data={"text": ""}, content_type="application/json", **auth
    )
    assert review.status_code == {True: 200, False: 403 if name == "sales" else 404}[name in REVIEWS]
    if name in REVIEWS:
        assert review.json()["status"] == ReportStatus.REVIEWED
    else:
        assert state() == before
    completeness = client.get(reverse("api:report_completeness") + f"?kind=daily&period_start={TUESDAY}", **auth)
    assert completeness.status_code == (200 if name in LEADS else 404)
    home = login(member).get(reverse("work:reports") + "?view=completeness")
    assert home.status_code == 200
    assert (b'data-testid="report-completeness"' in home.content) == (name in LEADS)


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_every_page_and_endpoint_answers_each_actor(actors, templates, client, login, name):  # type: ignore[no-untyped-def]
    member = actors.by_name(name)
    auth = bearer(member)
    must_report = name in {"sales", "sales_b", "outsider", "supervisor", "supervisor_b"}
    for url in (reverse("work:reports"), reverse("work:reports") + "?view=inbox", reverse("work:report_templates")):
        assert login(member).get(url).status_code == 200
    due = client.get(reverse("api:report_due"), **auth)
    assert due.status_code == 200 and (len(due.json()) > 0) == must_report
    draft = client.post(
        reverse("api:report_draft"),
        data={"kind": "daily", "period_start": str(TUESDAY)},
        content_type="application/json",
        **auth,
    )
    assert draft.status_code == (200 if must_report else 400)
    if must_report:
        report_id = draft.json()["id"]
        refresh = client.post(reverse("api:report_refresh", args=[report_id]), **auth)
        assert refresh.status_code == 200
        save = client.post(
            reverse("api:report_save", args=[report_id]), data={"texts": TEXTS}, content_type="application/json", **auth
        )
        assert save.status_code == 200 and save.json()["sections"][0]["text"] == TEXTS[0]
    write_page = login(member).post(reverse("work:report_write"), {"kind": "daily", "period": str(TUESDAY)})
    mine = Report.objects.filter(member=member).first()
    expected = reverse("work:report", args=[mine.pk]) if must_report else reverse("work:reports")
    assert write_page.status_code == 302 and write_page["Location"] == expected


def test_pages_write_submit_review_and_page_by_key(actors, templates, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    c = login(actors.sales)
    with django_assert_max_num_queries(20):
        home = c.get(reverse("work:reports"))
    assert b'data-testid="report-write-daily"' in home.content
    opened = c.post(reverse("work:report_write"), {"kind": "daily", "period": str(TUESDAY)})
    r = Report.objects.get(member=actors.sales)
    assert opened["Location"] == reverse("work:report", args=[r.pk])
    with django_assert_max_num_queries(20):
        page = c.get(reverse("work:report", args=[r.pk]))
    assert b'data-testid="figure-followups"' in page.content
    missing = c.post(
        reverse("work:report", args=[r.pk]), {"action": "submit", "section_0": "", "section_1": "下午拜访客户甲"}
    )
    assert missing.status_code == 400 and Report.objects.get(pk=r.pk).status == ReportStatus.DRAFT
    assert "请填写必填栏目“今日小结”" in missing.content.decode() and "下午拜访客户甲" in missing.content.decode()
    done = c.post(
        reverse("work:report", args=[r.pk]), {"action": "submit", "section_0": "拜访两位客户", "section_1": "报价"}
    )
    assert done.status_code == 302 and Report.objects.get(pk=r.pk).status == ReportStatus.SUBMITTED
    again = c.post(reverse("work:report", args=[r.pk]), {"action": "submit", "section_0": "x", "section_1": "y"})
    assert again.status_code == 409
    lead = login(actors.supervisor)
    with django_assert_max_num_queries(20):
        read = lead.get(reverse("work:report", args=[r.pk]))
    assert b'data-testid="review-submit"' in read.content and "拜访两位客户" in read.content.decode()
    reviewed = lead.post(reverse("work:report", args=[r.pk]), {"action": "review", "text": "收到"})
    assert reviewed.status_code == 302 and Report.objects.get(pk=r.pk).status == ReportStatus.REVIEWED
    # The manager's inbox: 55 reports of the team over earlier working days, paged by key.
    day = TUESDAY
    for _i in range(55):
        day -= dt.timedelta(days=1)
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        write(actors.sales_b, day)
    m = login(actors.manager)
    with django_assert_max_num_queries(14):
        first = m.get(reverse("work:reports") + "?view=inbox")
    link = re.escape(reverse("work:reports")) + r"\d+/"
    assert len(re.findall(f'href="{link}"', first.content.decode())) == 50
    last_id = Report.objects.reviewable_by(actors.manager).order_by("-pk")[49].pk
    second = m.get(reverse("work:reports") + f"?view=inbox&before={last_id}").content.decode()
    assert len(re.findall(f'href="{link}"', second)) == 6
    with django_assert_max_num_queries(20):
        m.get(reverse("work:reports") + f"?view=completeness&kind=daily&period={TUESDAY}")


def test_completeness_shows_missing_late_and_pending(actors, templates, clock):  # type: ignore[no-untyped-def]
    write(actors.sales)  # on time (09:00, due 10:00)
    clock.move_to("2026-03-04 11:00:00+08:00", tick=False)
    write(actors.supervisor_b)  # late
    teams, more = sel.completeness(actors.manager, kind="daily", period_start=TUESDAY)
    standing = {row.member.name: row.standing for t in teams for row in t.rows}
    assert standing == {
        actors.sales.name: sel.Standing.ON_TIME,
        actors.sales_b.name: sel.Standing.MISSING,
        actors.supervisor.name: sel.Standing.MISSING,
        actors.supervisor_b.name: sel.Standing.LATE,
    }
    assert more is None
    today, _more = sel.completeness(actors.supervisor, kind="daily", period_start=dt.date(2026, 3, 4))
    assert [(row.member.name, row.standing) for t in today for row in t.rows] == [
        (actors.sales.name, sel.Standing.PENDING)
    ]
    first, after = sel.completeness(actors.director, kind="daily", period_start=TUESDAY, limit=2)
    rest, _end = sel.completeness(actors.director, kind="daily", period_start=TUESDAY, after=after)
    names = [row.member.name for t in first + rest for row in t.rows]
    assert sorted(names) == sorted([*standing, actors.outsider.name]) and len(set(names)) == len(names)


def test_reports_due_for(actors, templates, clock):  # type: ignore[no-untyped-def]
    due = sel.reports_due_for(actors.sales, limit=10)
    # Soonest due first: last week's report (due Monday noon, past), Tuesday's, today's, this week's.
    assert [(d.kind, d.period_start, d.overdue) for d in due] == [
        ("weekly", dt.date(2026, 2, 23), True),
        ("daily", TUESDAY, False),
        ("daily", dt.date(2026, 3, 4), False),
        ("weekly", dt.date(2026, 3, 2), False),
    ]
    write(actors.sales)
    write(actors.sales, dt.date(2026, 2, 23), kind="weekly")
    assert [(d.kind, d.period_start) for d in sel.reports_due_for(actors.sales, limit=1)] == [
        ("daily", dt.date(2026, 3, 4))
    ]
    assert sel.reports_due_for(actors.compliance, limit=5) == []


def test_demo_writes_a_team_with_one_missing_once(actors):  # type: ignore[no-untyped-def]
    from zhidu.work.reports_demo import demo_reports

    MemberFactory(name="王销售", role=Role.SALES, department=actors.dept1, reports_to=actors.supervisor)
    MemberFactory(name="刘销售", role=Role.SALES, department=actors.dept1, reports_to=actors.supervisor)
    demo_reports()
    demo_reports()
    assert sorted(ReportTemplate.objects.values_list("kind", flat=True)) == ["daily", "weekly"]
    reports = list(Report.objects.order_by("pk"))
    assert len(reports) == 2 and [r.status for r in reports] == [ReportStatus.REVIEWED, ReportStatus.SUBMITTED]
    assert reports[0].comments.count() == 1
    teams, _more = sel.completeness(actors.supervisor, kind="daily", period_start=reports[0].period_start)
    standing = sorted(row.standing for t in teams for row in t.rows)
    assert standing == [sel.Standing.MISSING, sel.Standing.ON_TIME, sel.Standing.ON_TIME]


def test_comments_reach_the_other_side(actors, templates):  # type: ignore[no-untyped-def]
    r = write(actors.sales)
    Notification.objects.all().delete()
    svc.report_comment(actor=actors.manager, report=r, text="报价单发我看看")
    svc.report_comment(actor=actors.sales, report=r, text="好的")
    r = svc.report_review(actor=actors.manager, report=r)
    svc.report_comment(actor=actors.sales, report=r, text="已补充")
    told = list(Notification.objects.order_by("pk").values_list("recipient_id", flat=True))
    # manager → author; author → their supervisor (nobody reviewed yet); review → author; author → the reviewer
    assert told == [actors.sales.pk, actors.supervisor.pk, actors.sales.pk, actors.manager.pk]
    assert list(r.comments.values_list("text", flat=True)) == ["报价单发我看看", "好的", "已补充"]
    verbs = AuditEvent.objects.filter(verb="report.comment", target_id=str(r.pk)).count()
    assert verbs == 3
