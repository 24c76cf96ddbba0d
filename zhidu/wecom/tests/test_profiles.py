"""Account profiles (S8 第十条) against the simulator over HTTP: baseline, drift → review, decisions, restore,
changes through zhidu, callbacks marking members due, batch rotation, and who may decide."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhidu.core.errors import DomainError, NotFound
from zhidu.core.models import AuditEvent, Notification
from zhidu.org.models import ApprovedProfile, Member, ProfileReview, ProfileSource, ReviewStatus
from zhidu.org.profiles import (
    profile_review_approve,
    profile_review_request_restore,
    review_get_for,
    review_page,
)
from zhidu.org.services import member_bind_wecom as _bind
from zhidu.org.services import member_unbind_wecom
from zhidu.wecom.models import ProfileCheck
from zhidu.wecom.profiles import profile_check_batch, profile_check_mark_due, profile_update, profiles_check
from zhidu.wecom.tests.conftest import point_settings_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim(fresh_sim, settings, actors):  # type: ignore[no-untyped-def]
    """A fresh simulated company; the test actors keep no made-up WeCom userids (tests bind the ones they use)."""
    for member in Member.objects.exclude(wecom_userid=None):
        member_unbind_wecom(actor=None, member=member, reason="test")
    point_settings_at(settings, fresh_sim)
    return fresh_sim


def member_bind_wecom(*, actor, member, wecom_userid):  # type: ignore[no-untyped-def]
    """Bind a test actor (factories give them made-up userids) to a simulated member."""
    member.refresh_from_db()
    return _bind(actor=actor, member=member, wecom_userid=wecom_userid)


def sales_userids(sim, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [u.userid for u in sim.company.active_users() if u.role == "sales"][:n]


@pytest.fixture
def bound(sim, actors):  # type: ignore[no-untyped-def]
    """actors.sales and actors.outsider bound to two simulated salespeople; their baselines taken."""
    first, second = sales_userids(sim, 2)
    member_bind_wecom(actor=None, member=actors.sales, wecom_userid=first)
    member_bind_wecom(actor=None, member=actors.outsider, wecom_userid=second)
    actors.sales.refresh_from_db()
    actors.outsider.refresh_from_db()
    assert profiles_check() == {"checked": 2, "errors": 0, "baseline": 2}
    return actors


def edit(sim, member, **fields):  # type: ignore[no-untyped-def]
    sim.mutate("user_profile_edit", userid=member.wecom_userid, **fields)


def test_first_observation_is_the_approved_baseline(sim, bound):  # type: ignore[no-untyped-def]
    user = sim.company.users[bound.sales.wecom_userid]
    approved = ApprovedProfile.objects.get(member=bound.sales)
    assert approved.source == ProfileSource.BASELINE and approved.approved_by is None
    assert (approved.alias, approved.avatar, approved.external_position) == (
        user.alias,
        user.avatar,
        user.external_position,
    )
    assert approved.external_profile["external_corp_name"] == sim.company.name
    assert [a["name"] for a in approved.external_profile["external_attr"]] == ["服务热线", "官网"]
    event = AuditEvent.objects.get(verb="profile.baseline", target_id=str(approved.pk))
    assert event.actor_label == "profile-check" and event.after["alias"] == user.alias
    # a second look at an unchanged profile changes nothing
    audits = AuditEvent.objects.count()
    assert profiles_check() == {"checked": 2, "errors": 0, "unchanged": 2}
    assert AuditEvent.objects.count() == audits and not ProfileReview.objects.exists()


def test_drift_opens_one_review_and_a_second_change_updates_it(sim, bound):  # type: ignore[no-untyped-def]
    approved = ApprovedProfile.objects.get(member=bound.sales)
    edit(sim, bound.sales, external_position="首席顾问")
    assert profiles_check(members=[bound.sales]) == {"checked": 1, "errors": 0, "opened": 1}
    review = ProfileReview.objects.get(member=bound.sales)
    assert review.status == ReviewStatus.OPEN and review.changed_fields == ["external_position"]
    assert review.approved["external_position"] == approved.external_position
    assert review.observed["external_position"] == "首席顾问"
    assert AuditEvent.objects.filter(verb="profile_review.open", target_id=str(review.pk)).exists()
    # the lead hears of it; nobody gets a violation
    note = Notification.objects.get(recipient=bound.supervisor)
    assert note.url == reverse("org:profile_review", args=[review.pk])

    edit(sim, bound.sales, avatar="https://wework.qpic.cn/wwpic/999_1/0")
    assert profiles_check(members=[bound.sales])["updated"] == 1
    review.refresh_from_db()
    assert ProfileReview.objects.filter(member=bound.sales).count() == 1
    assert review.changed_fields == ["avatar", "external_position"]
    assert review.observed["avatar"] == "https://wework.qpic.cn/wwpic/999_1/0"
    assert profiles_check(members=[bound.sales])["unchanged"] == 1  # the same drift again: nothing new


def test_approve_makes_the_new_profile_the_approved_one(sim, bound):  # type: ignore[no-untyped-def]
    edit(sim, bound.sales, alias="Vincent")
    profiles_check(members=[bound.sales])
    review = ProfileReview.objects.get(member=bound.sales)
    profile_review_approve(actor=bound.supervisor, review=review, reason="英文名可以")
    review.refresh_from_db()
    approved = ApprovedProfile.objects.get(member=bound.sales)
    assert review.status == ReviewStatus.APPROVED and review.decided_by == bound.supervisor
    assert (approved.alias, approved.source, approved.approved_by) == ("Vincent", "review", bound.supervisor)
    assert AuditEvent.objects.filter(verb="profile_review.approve", actor=bound.supervisor).exists()
    assert profiles_check(members=[bound.sales])["unchanged"] == 1
    with pytest.raises(DomainError) as exc:
        profile_review_approve(actor=bound.supervisor, review=review)
    assert exc.value.code == "conflict"


def test_ask_to_restore_notifies_the_member_and_the_next_check_closes_it(sim, bound):  # type: ignore[no-untyped-def]
    user = sim.company.users[bound.sales.wecom_userid]
    old_position = user.external_position
    edit(sim, bound.sales, external_position="理财专家")
    profiles_check(members=[bound.sales])
    review = ProfileReview.objects.get(member=bound.sales)
    with pytest.raises(DomainError):
        profile_review_request_restore(actor=bound.supervisor, review=review, reason=" ")
    profile_review_request_restore(actor=bound.manager, review=review, reason="对外职务须与岗位一致")
    review.refresh_from_db()
    assert review.status == ReviewStatus.RESTORE_REQUESTED and review.decided_by == bound.manager
    note = Notification.objects.get(recipient=bound.sales)
    assert old_position in note.body and "对外职务须与岗位一致" in note.body  # what to change back, and why

    assert profiles_check(members=[bound.sales])["unchanged"] == 1  # not yet restored
    edit(sim, bound.sales, external_position=old_position)
    assert profiles_check(members=[bound.sales])["restored"] == 1
    review.refresh_from_db()
    assert review.status == ReviewStatus.RESTORED and review.closed_at is not None
    assert ApprovedProfile.objects.get(member=bound.sales).external_position == old_position


def test_a_change_made_through_zhidu_is_approved_without_review(sim, bound):  # type: ignore[no-untyped-def]
    edit(sim, bound.sales, alias="Lucky")
    profiles_check(members=[bound.sales])  # an open review, superseded by the change below
    profile = {
        "external_corp_name": "示例科技",
        "external_attr": [{"type": 0, "name": "服务热线", "text": {"value": "400-100-2000"}}],
    }
    profile_update(actor=bound.supervisor, member=bound.sales, alias="小周", external_position="客户经理",
                   external_profile=profile)  # fmt: skip
    user = sim.company.users[bound.sales.wecom_userid]
    assert (user.alias, user.external_position) == ("小周", "客户经理")  # WeCom has it
    assert user.external_profile["external_attr"][0]["text"]["value"] == "400-100-2000"
    approved = ApprovedProfile.objects.get(member=bound.sales)
    assert (approved.alias, approved.source, approved.approved_by) == ("小周", "zhidu", bound.supervisor)
    assert ProfileReview.objects.get(member=bound.sales).status == ReviewStatus.SUPERSEDED
    assert profiles_check(members=[bound.sales]) == {"checked": 1, "errors": 0, "unchanged": 1}
    assert not ProfileReview.objects.open().exists()
    # only the member's lead chain may change it, and WeCom's own limits hold
    with pytest.raises(DomainError):
        profile_update(actor=bound.sales, member=bound.sales, alias="自己改")
    with pytest.raises(DomainError):
        profile_update(actor=bound.supervisor_b, member=bound.sales, alias="别组改")
    with pytest.raises(DomainError) as exc:
        profile_update(actor=bound.director, member=bound.sales, external_position="超" * 13)
    assert exc.value.field == "external_position"


def test_scope_own_review_cannot_be_decided_and_outsiders_get_404(sim, bound):  # type: ignore[no-untyped-def]
    edit(sim, bound.sales, alias="Max")
    profiles_check(members=[bound.sales])
    review = ProfileReview.objects.get(member=bound.sales)
    assert review_get_for(bound.sales, review.pk) == review  # the member sees their own review
    with pytest.raises(DomainError) as exc:
        profile_review_approve(actor=bound.sales, review=review)
    assert exc.value.code == "forbidden"
    for stranger in (bound.outsider, bound.supervisor_b, bound.admin):
        with pytest.raises(NotFound):
            review_get_for(stranger, review.pk)
        with pytest.raises(NotFound):
            profile_review_approve(actor=stranger, review=review)
        assert review_page(stranger)[0] == []
    assert review_page(bound.manager, status="open")[0] == [review]
    assert ProfileReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN


def test_batches_rotate_through_members_and_due_ones_go_first(sim, actors):  # type: ignore[no-untyped-def]
    userids = sales_userids(sim, 3)
    members = [actors.sales, actors.sales_b, actors.outsider]
    for member, userid in zip(members, userids, strict=True):
        member_bind_wecom(actor=None, member=member, wecom_userid=userid)
    assert profiles_check(batch=2)["checked"] == 2
    assert profiles_check(batch=2)["checked"] == 2  # the third member, then the least recently checked
    assert ProfileCheck.objects.filter(checked_at__isnull=False).count() == 3
    last = ProfileCheck.objects.order_by("-checked_at").first()
    assert last is not None
    assert profile_check_mark_due(last.member.wecom_userid or "") == 1
    assert profile_check_batch(1) == [last.member]
    profiles_check(batch=1)
    assert ProfileCheck.objects.get(pk=last.pk).due_at is None
    assert profile_check_mark_due("nobody-here") == 0


def test_unknown_user_is_counted_and_rotation_goes_on(sim, actors):  # type: ignore[no-untyped-def]
    member_bind_wecom(actor=None, member=actors.sales, wecom_userid="left-long-ago")
    assert profiles_check() == {"checked": 0, "errors": 1}
    check = ProfileCheck.objects.get(member=actors.sales)
    assert check.checked_at is not None and check.error == "60111"
    assert not ApprovedProfile.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_console_edit_callback_marks_the_member_due(sim, actors, live_server):  # type: ignore[no-untyped-def]
    (userid,) = sales_userids(sim, 1)
    member_bind_wecom(actor=None, member=actors.sales, wecom_userid=userid)
    profiles_check()
    sim.control({"callback_url": f"{live_server.url}/wecom/callback/"})
    assert sim.verify_callback_url()
    result = sim.mutate("user_profile_edit", userid=userid, external_position="资深顾问")
    assert [e["status"] for e in result["events"]] == ["delivered"]
    assert result["events"][0]["fields"] == {**result["events"][0]["fields"], "UserID": userid}
    assert "ExternalPosition" not in result["events"][0]["fields"]
    check = ProfileCheck.objects.get(member=actors.sales)
    assert check.due_at is not None
    assert profiles_check(batch=1)["opened"] == 1
    assert ProfileReview.objects.get(member=actors.sales).observed["external_position"] == "资深顾问"


def test_demo_step_shows_an_open_review(sim, settings):  # type: ignore[no-untyped-def]
    from zhidu.wecom.demo import DEMO_PROFILE_EDIT, demo_profiles
    from zhidu.wecom.sync import sync_all

    assert sim.url.startswith("http://127.0.0.1")
    sync_all(what=["contacts"])
    demo_profiles()
    review = ProfileReview.objects.get()
    assert review.status == ReviewStatus.OPEN and set(review.changed_fields) == {"alias", "external_position"}
    assert review.observed["external_position"] == DEMO_PROFILE_EDIT["external_position"]
    assert sim.company.users[review.member.wecom_userid].external_position == DEMO_PROFILE_EDIT["external_position"]
    assert review.member.reports_to is not None and review.member.reports_to.role == "supervisor"
    assert ApprovedProfile.objects.count() > 1  # baselines of a batch of members
    assert demo_profiles() is None and ProfileReview.objects.count() == 1  # idempotent


def test_member_page_form_changes_the_profile_in_wecom(sim, bound, login):  # type: ignore[no-untyped-def]
    url = reverse("wecom:member_profile", args=[bound.sales.pk])
    response = login(bound.supervisor).post(url, {"alias": "周顾问", "external_position": "理财顾问"})
    assert response.status_code == 302 and response.url == reverse("org:member", args=[bound.sales.pk])
    user = sim.company.users[bound.sales.wecom_userid]
    assert (user.alias, user.external_position) == ("周顾问", "理财顾问")
    approved = ApprovedProfile.objects.get(member=bound.sales)
    assert (approved.alias, approved.external_position, approved.source) == ("周顾问", "理财顾问", "zhidu")
    assert AuditEvent.objects.filter(verb="profile.change", actor=bound.supervisor).exists()
    page = login(bound.supervisor).get(reverse("org:member", args=[bound.sales.pk])).content.decode()
    assert "周顾问" in page and "理财顾问" in page and "通过制度系统修改" in page
    # too long for WeCom: refused with a message, nothing sent
    login(bound.supervisor).post(url, {"alias": "周顾问", "external_position": "超" * 13})
    assert user.external_position == "理财顾问"
    # an outsider cannot even find the member
    assert login(bound.outsider).post(url, {"alias": "x"}).status_code == 404
    assert user.alias == "周顾问"
