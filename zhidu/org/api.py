"""REST endpoints for departments, members and membership applications."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop
from ninja import Query, Router, Schema
from ninja.responses import Status

from zhidu.core.errors import DomainError, NotFound
from zhidu.core.schemas import FilterText, FreeText, Id, PageIn, SearchText, Text, paginate
from zhidu.core.text import PASSWORD_MAX, TEXT_MAX
from zhidu.core.text import model_max_length as _max

from . import profiles, selectors, services, throttle
from .models import LEAD_ROLES, ApprovedProfile, Department, Member, MembershipApplication, ProfileReview, Role

router = Router(tags=["org"])

DeptName = Annotated[str, Text(_max(Department, "name"), min_length=1)]
MemberName = Annotated[str, Text(_max(Member, "name"), min_length=1)]
RoleText = Annotated[str, Text(_max(Member, "role"))]
Position = Annotated[str, Text(_max(Member, "position"))]
WeComUserid = Annotated[str, Text(_max(Member, "wecom_userid"))]


class DepartmentOut(Schema):
    id: int
    name: str
    parent_id: int | None
    wecom_id: int | None


class DepartmentIn(Schema):
    name: DeptName
    parent_id: Id | None = None


class DepartmentPatch(Schema):
    name: DeptName | None = None
    parent_id: Id | None = None
    move: bool = False


class MemberOut(Schema):
    id: int
    name: str
    department_id: int
    role: str
    reports_to_id: int | None
    status: str
    wecom_userid: str | None
    position: str


class MemberIn(Schema):
    name: MemberName
    department_id: Id
    role: RoleText = Role.SALES
    reports_to_id: Id | None = None
    wecom_userid: WeComUserid | None = None
    position: Position = ""


class MemberPatch(Schema):
    name: MemberName | None = None
    role: RoleText | None = None
    department_id: Id | None = None
    reports_to_id: Id | None = None
    change_reports_to: bool = False
    position: Position | None = None


class ReasonIn(Schema):
    reason: FreeText = ""


class WeComBindIn(Schema):
    wecom_userid: WeComUserid


class ApplicationIn(Schema):
    name: Annotated[str, Text(_max(MembershipApplication, "name"))]
    username: Annotated[str, Text(_max(MembershipApplication, "username"))]
    password: Annotated[str, Text(PASSWORD_MAX)]
    department_id: Id
    lead_id: Id | None = None
    wecom_userid: Annotated[str, Text(_max(MembershipApplication, "wecom_userid"))] = ""
    mobile: Annotated[str, Text(_max(MembershipApplication, "mobile"))] = ""
    note: FreeText = ""


class ApplicationOut(Schema):
    id: int
    name: str
    username: str
    department_id: int
    lead_id: int | None
    status: str
    reason: str
    member_id: int | None
    created_at: dt.datetime


def _member(request: HttpRequest) -> Member:
    return request.auth  # type: ignore[attr-defined,return-value]


def _dept(viewer: Member, dept_id: int | None) -> Department | None:
    return selectors.department_get_for(viewer, dept_id) if dept_id is not None else None


def _lead(viewer: Member, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    try:  # only leads the viewer can see: a foreign member must not be named in an error message
        return selectors.member_get_for(viewer, member_id)
    except NotFound:
        raise DomainError(gettext_noop("Unknown team lead."), field="reports_to_id") from None


@router.get("/me", response=MemberOut)
def me(request: HttpRequest) -> Member:
    return _member(request)


@router.get("/departments", response=list[DepartmentOut])
def department_list(request: HttpRequest, page: Query[PageIn]) -> list[Department]:
    return paginate(Department.objects.visible_to(_member(request)), page)


@router.post("/departments", response={201: DepartmentOut})
def department_create(request: HttpRequest, payload: DepartmentIn) -> Status[Department]:
    viewer = _member(request)
    dept = services.department_create(actor=viewer, name=payload.name, parent=_dept(viewer, payload.parent_id))
    return Status(201, dept)


@router.patch("/departments/{dept_id}", response=DepartmentOut)
def department_update(request: HttpRequest, dept_id: int, payload: DepartmentPatch) -> Department:
    viewer = _member(request)
    dept = selectors.department_get_for(viewer, dept_id)
    parent: Department | bool | None = _dept(viewer, payload.parent_id) if payload.move else False
    return services.department_update(actor=viewer, department=dept, name=payload.name, parent=parent)


@router.get("/members", response=list[MemberOut])
def member_list(
    request: HttpRequest,
    page: Query[PageIn],
    department_id: Id | None = None,
    q: SearchText = "",
    status: FilterText = "",
) -> list[Member]:
    return paginate(
        selectors.member_list(viewer=_member(request), department_id=department_id, q=q, status=status), page
    )


@router.get("/members/{member_id}", response=MemberOut)
def member_get(request: HttpRequest, member_id: int) -> Member:
    return selectors.member_get_for(_member(request), member_id)


@router.post("/members", response={201: MemberOut})
def member_create(request: HttpRequest, payload: MemberIn) -> Status[Member]:
    viewer = _member(request)
    dept = _dept(viewer, payload.department_id)
    assert dept is not None
    member = services.member_create(
        actor=viewer,
        name=payload.name,
        department=dept,
        role=payload.role,
        reports_to=_lead(viewer, payload.reports_to_id),
        wecom_userid=payload.wecom_userid,
        position=payload.position,
    )
    return Status(201, member)


@router.patch("/members/{member_id}", response=MemberOut)
def member_update(request: HttpRequest, member_id: int, payload: MemberPatch) -> Member:
    viewer = _member(request)
    member = selectors.member_get_for(viewer, member_id)
    lead: Member | bool | None = _lead(viewer, payload.reports_to_id) if payload.change_reports_to else False
    return services.member_update(
        actor=viewer,
        member=member,
        name=payload.name,
        role=payload.role,
        department=_dept(viewer, payload.department_id),
        reports_to=lead,
        position=payload.position,
    )


@router.put("/members/{member_id}/wecom", response=MemberOut)
def member_bind_wecom(request: HttpRequest, member_id: int, payload: WeComBindIn) -> Member:
    viewer = _member(request)
    member = selectors.member_get_for(viewer, member_id)
    if not services.can_manage(viewer, member) and viewer.pk != member.pk:
        raise DomainError(services.ERR_NOT_ALLOWED, code="forbidden")
    return services.member_bind_wecom(actor=viewer, member=member, wecom_userid=payload.wecom_userid)


def _transition(action: str) -> None:
    """POST /members/{id}/suspend|remove|reinstate: one literal route per lifecycle step, so no catch-all path
    shadows (or is shadowed by) another route on the same prefix, and the schema names the real actions."""

    def endpoint(request: HttpRequest, member_id: int, payload: ReasonIn) -> Member:
        viewer = _member(request)
        member = selectors.member_get_for(viewer, member_id)
        return services.MEMBER_TRANSITIONS[action](actor=viewer, member=member, reason=payload.reason)

    router.post(f"/members/{{member_id}}/{action}", response=MemberOut, operation_id=f"org_member_{action}")(endpoint)


for _action in services.MEMBER_TRANSITIONS:
    _transition(_action)


@router.get("/applications", response=list[ApplicationOut])
def application_list(request: HttpRequest, page: Query[PageIn], status: FilterText = "pending") -> list:
    return paginate(selectors.application_list(viewer=_member(request), status=status), page)


class Detail(Schema):
    detail: str


@router.post("/applications", response={201: ApplicationOut, 429: Detail}, auth=None)
def application_submit(request: HttpRequest, payload: ApplicationIn) -> Status[object]:
    if not throttle.application_allowed(request):
        return Status(429, {"detail": gettext(throttle.ERR_RATE_LIMITED)})
    try:
        dept = Department.objects.get(pk=payload.department_id)
        # Public endpoint: only active team leads can be named, so ids cannot be used to look people up.
        lead = Member.objects.active().get(pk=payload.lead_id, role__in=LEAD_ROLES) if payload.lead_id else None
    except (Department.DoesNotExist, Member.DoesNotExist):
        raise DomainError(gettext_noop("Unknown department or team lead.")) from None
    app = services.application_submit(
        name=payload.name,
        username=payload.username,
        password=payload.password,
        department=dept,
        lead=lead,
        wecom_userid=payload.wecom_userid,
        mobile=payload.mobile,
        note=payload.note,
    )
    return Status(201, app)


@router.post("/applications/{application_id}/approve", response=MemberOut)
def application_approve(request: HttpRequest, application_id: int, payload: ReasonIn) -> Member:
    viewer = _member(request)
    app = selectors.application_get_for(viewer, application_id)
    return services.application_approve(actor=viewer, application=app, reason=payload.reason)


@router.post("/applications/{application_id}/reject", response=ApplicationOut)
def application_reject(request: HttpRequest, application_id: int, payload: ReasonIn) -> object:
    viewer = _member(request)
    app = selectors.application_get_for(viewer, application_id)
    return services.application_reject(actor=viewer, application=app, reason=payload.reason)


# --- account profiles and profile reviews (S8 第十条) ---------------------------------------------------


class ApprovedProfileOut(Schema):
    member_id: int
    name: str
    alias: str
    avatar: str
    external_position: str
    external_profile: dict[str, Any]
    source: str
    approved_by_id: int | None
    approved_at: dt.datetime


class ProfileReviewOut(Schema):
    id: int
    member_id: int
    status: str
    changed_fields: list[str]
    approved: dict[str, Any]
    observed: dict[str, Any]
    decided_by_id: int | None
    decided_at: dt.datetime | None
    reason: str
    observed_at: dt.datetime
    closed_at: dt.datetime | None
    created_at: dt.datetime


class RestoreIn(Schema):
    reason: Annotated[str, Text(TEXT_MAX, min_length=1)]


@router.get("/members/{member_id}/profile", response=ApprovedProfileOut)
def member_profile(request: HttpRequest, member_id: int) -> ApprovedProfile:
    """The member's approved WeCom profile (404 until the first check has seen it)."""
    member = selectors.member_get_for(_member(request), member_id)
    approved = profiles.approved_profile_of(member)
    if approved is None:
        raise NotFound
    return approved


@router.get("/profile-reviews", response=list[ProfileReviewOut])
def profile_review_list(request: HttpRequest, page: Query[PageIn], status: FilterText = "") -> list[ProfileReview]:
    return paginate(profiles.review_list(_member(request), status=status), page, descending=True)


@router.get("/profile-reviews/{review_id}", response=ProfileReviewOut)
def profile_review_get(request: HttpRequest, review_id: int) -> ProfileReview:
    return profiles.review_get_for(_member(request), review_id)


@router.post("/profile-reviews/{review_id}/approve", response=ProfileReviewOut)
def profile_review_approve(request: HttpRequest, review_id: int, payload: ReasonIn) -> ProfileReview:
    viewer = _member(request)
    review = profiles.review_get_for(viewer, review_id)
    return profiles.profile_review_approve(actor=viewer, review=review, reason=payload.reason)


@router.post("/profile-reviews/{review_id}/restore", response=ProfileReviewOut)
def profile_review_restore(request: HttpRequest, review_id: int, payload: RestoreIn) -> ProfileReview:
    viewer = _member(request)
    review = profiles.review_get_for(viewer, review_id)
    return profiles.profile_review_request_restore(actor=viewer, review=review, reason=payload.reason)
