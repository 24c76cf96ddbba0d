"""Every write to the organisation: validated, in one transaction, audited."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.events import publish

from .models import (
    MAX_DEPTH,
    ApiToken,
    ApplicationStatus,
    Department,
    Member,
    MembershipApplication,
    MemberStatus,
    Role,
    department_subtree_ids,
)

ERR_UNKNOWN_ROLE = gettext_noop("Unknown role {role!r}; expected one of: {choices}.")
ERR_DEPARTMENT_CYCLE = gettext_noop("Department {name!r} cannot be placed under {parent!r}: that would make a cycle.")
ERR_DEPARTMENT_DEPTH = gettext_noop("The department tree may not be deeper than {depth} levels.")
ERR_LEAD_OUTSIDE = gettext_noop(
    "{lead!r} leads {lead_dept!r}, which does not contain {member!r}'s department {dept!r}."
)
ERR_LEAD_SELF = gettext_noop("A member cannot report to themselves.")
ERR_LEAD_CYCLE = gettext_noop("{member!r} cannot report to {lead!r}: that would make a reporting cycle.")
ERR_WECOM_TAKEN = gettext_noop("WeCom userid {userid!r} is already bound to {other!r}; one member, one WeCom account.")
ERR_WECOM_BOUND = gettext_noop("{member!r} already has a WeCom account ({userid!r}); unbind it first.")
ERR_NOT_ALLOWED = gettext_noop("You may not do this.")
ERR_ALREADY_DECIDED = gettext_noop("This application was already decided ({status}).")
ERR_REASON_REQUIRED = gettext_noop("A reason is required.")
ERR_USERNAME_TAKEN = gettext_noop("The login name {username!r} is taken.")
ERR_BAD_TRANSITION = gettext_noop("A {status} member cannot be {action}.")
ERR_NOT_A_LEAD = gettext_noop("{lead!r} is not a team lead.")
ERR_TOKEN_INACTIVE = gettext_noop("{member!r} is not active; inactive members get no API token.")
ERR_ROLE_NOT_GRANTABLE = gettext_noop("You may not give the role {role!r}.")
ERR_ROLE_NOT_CHANGEABLE = gettext_noop("You may not change the role of {member!r}.")

# Line roles by rank. Director and admin may give every role; a lead gives only the line roles
# strictly below their own; nobody else gives roles at all. Compliance and admin are given only
# by an admin or the director.
ROLE_RANK: dict[str, int] = {Role.SALES: 1, Role.SUPERVISOR: 2, Role.MANAGER: 3, Role.DIRECTOR: 4}
TOP_ROLES = (Role.DIRECTOR, Role.ADMIN)

# Published after a member leaves the team (payload: id); customers opens the resigned transfer of their customers.
MEMBER_REMOVED_EVENT = "member.removed"

MEMBER_FIELDS = ["name", "wecom_userid", "department", "role", "reports_to", "status", "position", "mobile", "email"]


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise DomainError(ERR_UNKNOWN_ROLE, field="role", role=role, choices=", ".join(Role.values))


def _check_parent(department: Department | None, parent: Department | None, name: str) -> None:
    if parent is None:
        return
    chain = [parent.pk, *parent.ancestor_ids()]
    if department is not None and department.pk in chain:
        raise DomainError(ERR_DEPARTMENT_CYCLE, field="parent", name=name, parent=parent.name)
    if len(chain) >= MAX_DEPTH:
        raise DomainError(ERR_DEPARTMENT_DEPTH, field="parent", depth=MAX_DEPTH)


def _check_lead(member_name: str, department: Department, lead: Member | None, member: Member | None = None) -> None:
    if lead is None:
        return
    if member is not None and lead.pk == member.pk:
        raise DomainError(ERR_LEAD_SELF, field="reports_to")
    if department.pk not in department_subtree_ids(lead.department_id):
        raise DomainError(
            ERR_LEAD_OUTSIDE,
            field="reports_to",
            lead=lead.name,
            lead_dept=lead.department.name,
            member=member_name,
            dept=department.name,
        )
    if member is not None:
        seen = {member.pk}
        current: Member | None = lead
        while current is not None:
            if current.pk in seen:
                raise DomainError(ERR_LEAD_CYCLE, field="reports_to", member=member_name, lead=lead.name)
            seen.add(current.pk)
            current = current.reports_to


def _check_wecom_free(userid: str | None, member: Member | None = None) -> None:
    if not userid:
        return
    others = Member.objects.filter(wecom_userid=userid)
    if member is not None:
        others = others.exclude(pk=member.pk)
    other = others.first()
    if other is not None:
        raise DomainError(ERR_WECOM_TAKEN, field="wecom_userid", userid=userid, other=other.name)


def can_grant_role(actor: Member, role: str, member: Member | None = None) -> bool:
    """May `actor` give `role` (to `member`, whose current role must also be below the actor's)?"""
    if not actor.is_active:
        return False
    if actor.role in TOP_ROLES:
        return True
    own = ROLE_RANK.get(actor.role)
    if own is None or ROLE_RANK.get(role, 99) >= own:
        return False
    return member is None or ROLE_RANK.get(member.role, 99) < own


def check_role_grant(actor: Member | None, role: str, member: Member | None = None) -> None:
    """The one rule for every way a role is set; `actor=None` is the system (WeCom sync, commands)."""
    _check_role(role)
    if actor is None or (member is not None and member.role == role):
        return
    if member is not None and not can_grant_role(actor, member.role, None):
        raise DomainError(ERR_ROLE_NOT_CHANGEABLE, code="forbidden", field="role", member=member.name)
    if not can_grant_role(actor, role, member):
        raise DomainError(ERR_ROLE_NOT_GRANTABLE, code="forbidden", field="role", role=role)


def _require_admin(actor: Member | None) -> None:
    if actor is not None and not (actor.is_active and actor.role in (Role.ADMIN, Role.DIRECTOR)):
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")


def can_manage(actor: Member, member: Member) -> bool:
    """May `actor` decide about `member` (suspend, remove, reinstate, edit)?"""
    if not actor.is_active or actor.pk == member.pk:
        return False
    if actor.role in (Role.DIRECTOR, Role.ADMIN):
        return True
    if actor.role in (Role.MANAGER, Role.SUPERVISOR):
        return actor.can_see_work_of(member)
    return False


@transaction.atomic
def department_create(
    *,
    actor: Member | None,
    name: str,
    parent: Department | None = None,
    wecom_id: int | None = None,
    order: int = 0,
    actor_label: str = "",
) -> Department:
    _require_admin(actor)
    name = name.strip()
    if not name:
        raise DomainError(gettext_noop("A department needs a name."), field="name")
    _check_parent(None, parent, name)
    dept = Department.objects.create(name=name, parent=parent, wecom_id=wecom_id, order=order)
    audit_record(
        actor=actor,
        verb="department.create",
        target=dept,
        after=snapshot(dept, ["name", "parent", "wecom_id"]),
        actor_label=actor_label,
    )
    return dept


@transaction.atomic
def department_update(
    *,
    actor: Member | None,
    department: Department,
    name: str | None = None,
    parent: Department | bool | None = False,
    order: int | None = None,
    actor_label: str = "",
) -> Department:
    """Rename or move a department. `parent=False` leaves the parent unchanged; None makes it a root."""
    _require_admin(actor)
    before = snapshot(department, ["name", "parent", "order"])
    if name is not None:
        department.name = name.strip() or department.name
    if parent is not False:
        assert parent is None or isinstance(parent, Department)
        _check_parent(department, parent, department.name)
        department.parent = parent
    if order is not None:
        department.order = order
    after = snapshot(department, ["name", "parent", "order"])
    if after != before:
        department.save()
        audit_record(
            actor=actor,
            verb="department.update",
            target=department,
            before=before,
            after=after,
            actor_label=actor_label,
        )
    return department


@transaction.atomic
def member_create(
    *,
    actor: Member | None,
    name: str,
    department: Department,
    role: str = Role.SALES,
    reports_to: Member | None = None,
    wecom_userid: str | None = None,
    username: str | None = None,
    password: str | None = None,
    position: str = "",
    mobile: str = "",
    email: str = "",
    role_locked: bool = False,
    actor_label: str = "",
) -> Member:
    _require_admin(actor)
    check_role_grant(actor, role)
    _check_lead(name, department, reports_to)
    _check_wecom_free(wecom_userid)
    user = None
    if username:
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            raise DomainError(ERR_USERNAME_TAKEN, field="username", username=username)
        user = user_model.objects.create_user(username=username, password=password)
    member = Member.objects.create(
        user=user,
        name=name,
        department=department,
        role=role,
        reports_to=reports_to,
        wecom_userid=wecom_userid or None,
        position=position,
        mobile=mobile,
        email=email,
        role_locked=role_locked,
    )
    audit_record(
        actor=actor, verb="member.create", target=member, after=snapshot(member, MEMBER_FIELDS), actor_label=actor_label
    )
    return member


@transaction.atomic
def member_update(
    *,
    actor: Member | None,
    member: Member,
    name: str | None = None,
    role: str | None = None,
    department: Department | None = None,
    reports_to: Member | bool | None = False,
    position: str | None = None,
    mobile: str | None = None,
    email: str | None = None,
    by_sync: bool = False,
) -> Member:
    """Edit a member. A role set by a person is locked against WeCom sync (`by_sync=True`)."""
    if actor is not None and not can_manage(actor, member):
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")
    before = snapshot(member, MEMBER_FIELDS)
    if name is not None:
        member.name = name
    if role is not None:
        check_role_grant(actor, role, member)
        if not (by_sync and member.role_locked):
            member.role = role
            if not by_sync:
                member.role_locked = True
    if department is not None:
        member.department = department
    if reports_to is not False:
        assert reports_to is None or isinstance(reports_to, Member)
        member.reports_to = reports_to
    for field, value in (("position", position), ("mobile", mobile), ("email", email)):
        if value is not None:
            setattr(member, field, value)
    _check_lead(member.name, member.department, member.reports_to, member)
    after = snapshot(member, MEMBER_FIELDS)
    if after != before:
        member.save()
        label = "" if actor else ("wecom-sync" if by_sync else "system")
        audit_record(actor=actor, verb="member.update", target=member, before=before, after=after, actor_label=label)
        if after["role"] != before["role"]:
            audit_record(
                actor=actor,
                verb="member.role_change",
                target=member,
                before={"role": before["role"]},
                after={"role": after["role"]},
                actor_label=label,
            )
    return member


@transaction.atomic
def member_bind_wecom(*, actor: Member | None, member: Member, wecom_userid: str) -> Member:
    """Bind the member's designated WeCom account; one member, one userid."""
    wecom_userid = wecom_userid.strip()
    if not wecom_userid:
        raise DomainError(gettext_noop("A WeCom userid is required."), field="wecom_userid")
    if member.wecom_userid and member.wecom_userid != wecom_userid:
        raise DomainError(ERR_WECOM_BOUND, field="wecom_userid", member=member.name, userid=member.wecom_userid)
    _check_wecom_free(wecom_userid, member)
    if member.wecom_userid == wecom_userid:
        return member
    member.wecom_userid = wecom_userid
    member.save(update_fields=["wecom_userid", "updated_at"])
    audit_record(
        actor=actor,
        verb="member.bind_wecom",
        target=member,
        before={"wecom_userid": None},
        after={"wecom_userid": wecom_userid},
    )
    return member


@transaction.atomic
def member_unbind_wecom(*, actor: Member | None, member: Member, reason: str) -> Member:
    if not reason.strip():
        raise DomainError(ERR_REASON_REQUIRED, field="reason")
    _require_admin(actor)
    before = member.wecom_userid
    member.wecom_userid = None
    member.save(update_fields=["wecom_userid", "updated_at"])
    audit_record(
        actor=actor,
        verb="member.unbind_wecom",
        target=member,
        before={"wecom_userid": before},
        after={"wecom_userid": None},
        reason=reason,
    )
    return member


def _member_transition(
    *,
    actor: Member | None,
    member: Member,
    reason: str,
    verb: str,
    allowed_from: set[str],
    to: str,
    actor_label: str = "",
) -> Member:
    """`actor=None` is the system (e.g. WeCom sync, with `actor_label`); people need `can_manage`."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if actor is not None and not can_manage(actor, member):
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")
    if not reason.strip():
        raise DomainError(ERR_REASON_REQUIRED, field="reason")
    if member.status not in allowed_from:
        raise DomainError(ERR_BAD_TRANSITION, code="conflict", status=member.status, action=verb)
    before = member.status
    member.status = to
    member.save(update_fields=["status", "updated_at"])
    if member.user_id is not None:
        member.user.is_active = to == MemberStatus.ACTIVE  # type: ignore[union-attr]
        member.user.save(update_fields=["is_active"])  # type: ignore[union-attr]
    audit_record(
        actor=actor,
        verb=f"member.{verb}",
        target=member,
        before={"status": before},
        after={"status": to},
        reason=reason,
        actor_label=actor_label,
    )
    return member


@transaction.atomic
def member_suspend(*, actor: Member, member: Member, reason: str) -> Member:
    return _member_transition(
        actor=actor,
        member=member,
        reason=reason,
        verb="suspend",
        allowed_from={MemberStatus.ACTIVE},
        to=MemberStatus.SUSPENDED,
    )


@transaction.atomic
def member_remove(*, actor: Member | None, member: Member, reason: str, actor_label: str = "") -> Member:
    """The member leaves the team. Publishes `member.removed` (customers opens the resigned transfer)."""
    removed = _member_transition(
        actor=actor,
        actor_label=actor_label,
        member=member,
        reason=reason,
        verb="remove",
        allowed_from={MemberStatus.ACTIVE, MemberStatus.SUSPENDED},
        to=MemberStatus.REMOVED,
    )
    publish(MEMBER_REMOVED_EVENT, id=removed.pk)
    return removed


@transaction.atomic
def member_reinstate(*, actor: Member | None, member: Member, reason: str, actor_label: str = "") -> Member:
    return _member_transition(
        actor=actor,
        actor_label=actor_label,
        member=member,
        reason=reason,
        verb="reinstate",
        allowed_from={MemberStatus.SUSPENDED, MemberStatus.REMOVED},
        to=MemberStatus.ACTIVE,
    )


# Lifecycle actions by name, for the page and the API.
MEMBER_TRANSITIONS: dict[str, Callable[..., Member]] = {
    "suspend": member_suspend,
    "remove": member_remove,
    "reinstate": member_reinstate,
}


@transaction.atomic
def application_submit(
    *,
    name: str,
    username: str,
    password: str,
    department: Department,
    lead: Member | None = None,
    wecom_userid: str = "",
    mobile: str = "",
    note: str = "",
) -> MembershipApplication:
    """A person applies to join; anyone may call this (no actor)."""
    name, username = name.strip(), username.strip()
    if not name or not username:
        raise DomainError(gettext_noop("Name and login name are required."), field="name")
    if len(password) < 8:
        raise DomainError(gettext_noop("The password must have at least 8 characters."), field="password")
    if (
        get_user_model().objects.filter(username=username).exists()
        or MembershipApplication.objects.filter(username=username, status=ApplicationStatus.PENDING).exists()
    ):
        raise DomainError(ERR_USERNAME_TAKEN, field="username", username=username)
    if lead is not None and lead.role not in (Role.SUPERVISOR, Role.MANAGER, Role.DIRECTOR):
        raise DomainError(ERR_NOT_A_LEAD, field="lead", lead=lead.name)
    _check_lead(name, department, lead)
    _check_wecom_free(wecom_userid or None)
    app = MembershipApplication.objects.create(
        name=name,
        username=username,
        password_hash=make_password(password),
        department=department,
        lead=lead,
        wecom_userid=wecom_userid.strip(),
        mobile=mobile,
        note=note,
    )
    audit_record(
        actor=None,
        actor_label=f"applicant:{username}",
        verb="application.submit",
        target=app,
        after={"name": name, "department": department.pk, "lead": lead.pk if lead else None},
    )
    return app


def _locked_pending(application: MembershipApplication, actor: Member) -> MembershipApplication:
    app = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    if not MembershipApplication.objects.visible_to(actor).filter(pk=app.pk).exists() or actor.role not in (
        Role.DIRECTOR,
        Role.MANAGER,
        Role.SUPERVISOR,
        Role.ADMIN,
    ):
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")
    if app.status != ApplicationStatus.PENDING:
        raise DomainError(ERR_ALREADY_DECIDED, code="conflict", status=app.status)
    return app


@transaction.atomic
def application_approve(
    *, actor: Member, application: MembershipApplication, reports_to: Member | None = None, reason: str = ""
) -> Member:
    """Approve: the applicant becomes an active member reporting to the approving supervisor."""
    app = _locked_pending(application, actor)
    check_role_grant(actor, app.requested_role)
    lead = reports_to or app.lead or (actor if actor.role == Role.SUPERVISOR else None)
    _check_lead(app.name, app.department, lead)
    _check_wecom_free(app.wecom_userid or None)
    user_model = get_user_model()
    if user_model.objects.filter(username=app.username).exists():
        raise DomainError(ERR_USERNAME_TAKEN, field="username", username=app.username)
    user = user_model(username=app.username, password=app.password_hash)
    user.save()
    try:
        member = Member.objects.create(
            user=user,
            name=app.name,
            department=app.department,
            role=app.requested_role,
            reports_to=lead,
            wecom_userid=app.wecom_userid or None,
            mobile=app.mobile,
        )
    except IntegrityError as exc:
        raise DomainError(str(exc)) from None
    app.status = ApplicationStatus.APPROVED
    app.decided_by, app.decided_at, app.reason, app.member = actor, timezone.now(), reason, member
    app.save()
    audit_record(
        actor=actor,
        verb="application.approve",
        target=app,
        before={"status": "pending"},
        after={"status": "approved", "member": member.pk, "reports_to": lead.pk if lead else None},
        reason=reason,
    )
    audit_record(actor=actor, verb="member.create", target=member, after=snapshot(member, MEMBER_FIELDS))
    return member


@transaction.atomic
def application_reject(*, actor: Member, application: MembershipApplication, reason: str) -> MembershipApplication:
    if not reason.strip():
        raise DomainError(ERR_REASON_REQUIRED, field="reason")
    app = _locked_pending(application, actor)
    app.status = ApplicationStatus.REJECTED
    app.decided_by, app.decided_at, app.reason = actor, timezone.now(), reason
    app.save()
    audit_record(
        actor=actor,
        verb="application.reject",
        target=app,
        before={"status": "pending"},
        after={"status": "rejected"},
        reason=reason,
    )
    return app


@transaction.atomic
def api_token_create(
    *, actor: Member | None, name: str, member: Member | None = None, actor_label: str = ""
) -> tuple[ApiToken, str]:
    """Create a token; returns (token, clear key). The clear key is never stored.

    A member creates their own (`actor`); an operator (`actor=None`, `actor_label`) creates one for `member`.
    """
    owner = member or actor
    if owner is None or (actor is not None and owner.pk != actor.pk):
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")
    if not owner.is_active:
        raise DomainError(ERR_TOKEN_INACTIVE, code="conflict", member=owner.name)
    key = "zd_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        member=owner, name=name.strip() or "api", prefix=key[:10], key_hash=ApiToken.hash_key(key)
    )
    audit_record(
        actor=actor,
        actor_label=actor_label,
        verb="api_token.create",
        target=token,
        after={"name": token.name, "prefix": token.prefix, "member": owner.pk},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Member | None, token: ApiToken, actor_label: str = "") -> ApiToken:
    """The token's member or an admin revokes it; `actor=None` is an operator (`actor_label`)."""
    if actor is not None and token.member_id != actor.pk and actor.role != Role.ADMIN:
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, actor_label=actor_label, verb="api_token.revoke", target=token)
    return token
