"""Profile review pages and API: scope, keyset paging with bounded queries, decisions, the member page.

Reviews here come from `profile_observe` with the values a check would pass; the WeCom side (user/get,
user/update, callbacks) is tested against the simulator in zhidu/wecom/tests/test_profiles.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhidu.core.models import AuditEvent, Notification
from zhidu.org import profiles, services
from zhidu.org.models import ApprovedProfile, ProfileReview, ReviewStatus
from zhidu.org.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

BASE = {
    "name": "周销售",
    "alias": "小周",
    "avatar": "https://wework.qpic.cn/wwpic/100_1/0",
    "external_position": "销售顾问",
    "external_profile": {
        "external_corp_name": "示例科技",
        "external_attr": [{"type": 0, "name": "服务热线", "text": {"value": "400-100-1000"}}],
    },
}


def open_review(member, **changes):  # type: ignore[no-untyped-def]
    profiles.profile_observe(member=member, observed={**BASE, "name": member.name})
    profiles.profile_observe(member=member, observed={**BASE, "name": member.name, **changes})
    return ProfileReview.objects.get(member=member, status__in=["open", "restore_requested"])


def bearer(member):  # type: ignore[no-untyped-def]
    _token, key = services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_list_is_scoped_and_paged_by_key(actors, login, django_assert_max_num_queries, settings):  # type: ignore[no-untyped-def]
    mine = open_review(actors.sales, external_position="首席理财师")
    other = open_review(actors.sales_b, alias="Boss")
    client = login(actors.supervisor)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("org:profile_reviews")).content.decode()
    assert "资料审核" in page and f'data-review="{mine.pk}"' in page and f'data-review="{other.pk}"' not in page
    assert "对外职务" in page  # the changed field, in Chinese
    manager = login(actors.manager).get(reverse("org:profile_reviews")).content.decode()
    assert f'data-review="{mine.pk}"' in manager and f'data-review="{other.pk}"' in manager
    outsider = login(actors.outsider).get(reverse("org:profile_reviews") + "?status=").content.decode()
    assert "data-review=" not in outsider

    # more reviews than a page: the next page starts below the last id shown, and the query count stays flat
    for n in range(profiles.REVIEW_PAGE_SIZE + 2):
        member = MemberFactory(department=actors.dept1, reports_to=actors.supervisor, role="sales")
        open_review(member, alias=f"别名{n}")
    client = login(actors.supervisor)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("org:profile_reviews"))
    rows = first.context["items"]
    assert len(rows) == profiles.REVIEW_PAGE_SIZE and first.context["next_before"] == rows[-1].pk
    second = client.get(reverse("org:profile_reviews") + f"?before={rows[-1].pk}").context["items"]
    assert {r.pk for r in second}.isdisjoint({r.pk for r in rows})
    assert mine.pk in {r.pk for r in second} and len(rows) + len(second) == profiles.REVIEW_PAGE_SIZE + 3


def test_detail_side_by_side_and_decisions(actors, login):  # type: ignore[no-untyped-def]
    review = open_review(actors.sales, external_position="首席理财师", avatar="https://wework.qpic.cn/wwpic/9_9/0")
    url = reverse("org:profile_review", args=[review.pk])
    page = login(actors.supervisor).get(url).content.decode()
    assert "销售顾问" in page and "首席理财师" in page and "批准新资料" in page and "要求恢复" in page
    assert 'data-field="external_position" class="changed"' in page and 'data-field="alias" class="changed"' not in page
    # the member sees their review but no decision buttons
    own = login(actors.sales).get(url).content.decode()
    assert "首席理财师" in own and "批准新资料" not in own
    decide = reverse("org:profile_review_decide", args=[review.pk, "approve"])
    assert login(actors.sales).post(decide).status_code == 302
    assert ProfileReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN
    # outsiders get 404 for the page and the decision
    for stranger in (actors.outsider, actors.supervisor_b):
        client = login(stranger)
        assert client.get(url).status_code == 404
        assert client.post(reverse("org:profile_review_decide", args=[review.pk, "approve"])).status_code == 404
    # ask to restore, with a reason: the member is told what to change back
    client = login(actors.supervisor)
    client.post(reverse("org:profile_review_decide", args=[review.pk, "restore"]), {"reason": "请恢复"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.RESTORE_REQUESTED
    note = Notification.objects.get(recipient=actors.sales, dedupe_key=f"profile-restore:{review.pk}")
    assert "销售顾问" in note.body and "请恢复" in note.body and "对外职务" in note.body
    # the lead can still approve instead
    client.post(reverse("org:profile_review_decide", args=[review.pk, "approve"]), {"reason": "可以"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    assert ApprovedProfile.objects.get(member=actors.sales).external_position == "首席理财师"
    assert client.post(reverse("org:profile_review_decide", args=[review.pk, "nonsense"])).status_code == 404


def test_member_page_shows_the_approved_profile(actors, login):  # type: ignore[no-untyped-def]
    url = reverse("org:member", args=[actors.sales.pk])
    assert "尚未检查" in login(actors.supervisor).get(url).content.decode()
    profiles.profile_observe(member=actors.sales, observed=BASE)
    page = login(actors.supervisor).get(url).content.decode()
    assert "已批准的企业微信资料" in page and "小周" in page and "400-100-1000" in page
    assert 'id="profile-edit"' in page  # the lead may change it in WeCom
    assert 'id="profile-edit"' not in login(actors.sales).get(url).content.decode()


def test_api(client, actors):  # type: ignore[no-untyped-def]
    review = open_review(actors.sales, alias="Max")
    lead, own, stranger = bearer(actors.supervisor), bearer(actors.sales), bearer(actors.outsider)
    rows = client.get("/api/org/profile-reviews?status=open", **lead).json()
    assert [(r["id"], r["changed_fields"]) for r in rows] == [(review.pk, ["alias"])]
    assert client.get("/api/org/profile-reviews", **stranger).json() == []
    assert client.get(f"/api/org/profile-reviews/{review.pk}", **stranger).status_code == 404
    assert client.get(f"/api/org/profile-reviews/{review.pk}", **own).json()["observed"]["alias"] == "Max"
    denied = client.post(f"/api/org/profile-reviews/{review.pk}/approve", {}, content_type="application/json", **own)
    assert denied.status_code == 403
    empty = client.post(
        f"/api/org/profile-reviews/{review.pk}/restore", {"reason": ""}, content_type="application/json", **lead
    )
    assert empty.status_code in (400, 422)
    done = client.post(
        f"/api/org/profile-reviews/{review.pk}/approve", {"reason": "ok"}, content_type="application/json", **lead
    )
    assert done.status_code == 200 and done.json()["status"] == "approved"
    again = client.post(f"/api/org/profile-reviews/{review.pk}/approve", {}, content_type="application/json", **lead)
    assert again.status_code == 409
    profile = client.get(f"/api/org/members/{actors.sales.pk}/profile", **lead).json()
    assert profile["alias"] == "Max" and profile["source"] == "review"
    assert client.get(f"/api/org/members/{actors.sales.pk}/profile", **stranger).status_code == 404
    assert AuditEvent.objects.filter(verb="profile_review.approve", actor=actors.supervisor).count() == 1


def test_a_withheld_avatar_is_not_a_change(actors):  # type: ignore[no-untyped-def]
    profiles.profile_observe(member=actors.sales, observed=BASE)
    assert profiles.profile_observe(member=actors.sales, observed={**BASE, "avatar": ""}) == "unchanged"
    assert not ProfileReview.objects.exists()


def test_observed_profiles_are_bounded(actors):  # type: ignore[no-untyped-def]
    attrs = [{"type": 0, "name": f"项{n}", "text": {"value": "值" * 900}} for n in range(30)]
    profiles.profile_observe(member=actors.sales, observed={**BASE, "external_profile": {"external_attr": attrs}})
    stored = ApprovedProfile.objects.get(member=actors.sales).external_profile["external_attr"]
    assert len(stored) == profiles.ATTRS_MAX and len(stored[0]["text"]["value"]) == profiles.VALUE_MAX
