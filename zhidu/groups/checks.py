"""Which behaviour checks each kind of group allows (declarative; the checks themselves live in the apps that
own them). Customer groups (客户群) come with WeCom's owner, admin list and group nicknames; internal groups
(内部群) come from the chat archive with a name, a creator and members only — WeCom gives no admin list and no
nicknames for them, so checks that need those are customer-group checks, and checks that read a department's
own conventions (name template, designated admins) are internal-group checks.

    from zhidu.groups.checks import allows, checks_for
    if allows(group.kind, "flooding"): ...
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import GroupKind

CUSTOMER, INTERNAL = GroupKind.CUSTOMER.value, GroupKind.INTERNAL.value


@dataclass(frozen=True)
class GroupCheck:
    code: str
    name: Promise
    description: Promise
    kinds: frozenset[str]


CHECKS: tuple[GroupCheck, ...] = (
    GroupCheck(
        "staff_nicknames",
        _("Staff nicknames"),
        _("Staff in the group use the nickname 'department + name', e.g. 销售一部张三."),
        frozenset({CUSTOMER}),
    ),
    GroupCheck(
        "admins_vs_wecom",
        _("Group admins"),
        _("The admins WeCom reports for the group are the ones the department designated."),
        frozenset({CUSTOMER}),
    ),
    GroupCheck(
        "reply_timeliness",
        _("Reply timeliness"),
        _("Customers' messages are answered in time by the owner or another colleague in the group."),
        frozenset({CUSTOMER}),
    ),
    GroupCheck(
        "customer_moderation",
        _("Customer messages"),
        _("Abuse or advertising by a customer becomes a moderation case for the group owner."),
        frozenset({CUSTOMER}),
    ),
    GroupCheck(
        "flooding",
        _("Flooding"),
        _("One person sending many messages in a short time."),
        frozenset({CUSTOMER, INTERNAL}),
    ),
    GroupCheck(
        "group_name",
        _("Group name"),
        _("The group name follows the department's naming template, e.g. 销售一部群."),
        frozenset({INTERNAL}),
    ),
    GroupCheck(
        "designated_admins",
        _("Designated admins"),
        _("The department head designates the group's admins (WeCom reports no admin list for internal groups)."),
        frozenset({INTERNAL}),
    ),
    GroupCheck(
        "unanswered_questions",
        _("Unanswered questions"),
        _("A question asked in the group gets an answer from a colleague in time."),
        frozenset({INTERNAL}),
    ),
    GroupCheck(
        "repeats",
        _("Repeated messages"),
        _("The same message sent again and again."),
        frozenset({INTERNAL}),
    ),
    GroupCheck(
        "staff_ads",
        _("Staff advertising"),
        _("Colleagues advertising their own or unrelated business in a work group."),
        frozenset({INTERNAL}),
    ),
    GroupCheck(
        "meetings",
        _("Meetings and training"),
        _("Chatting in the group while a meeting or training one attends is running (after hours is fine)."),
        frozenset({INTERNAL}),
    ),
)
BY_CODE = {c.code: c for c in CHECKS}


def checks_for(kind: str) -> list[GroupCheck]:
    return [c for c in CHECKS if kind in c.kinds]


def allows(kind: str, code: str) -> bool:
    check = BY_CODE.get(code)
    return check is not None and kind in check.kinds
