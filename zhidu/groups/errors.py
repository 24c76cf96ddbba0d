"""Error messages of the groups app (English msgids; translated when read)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

ERR_NOT_HEAD = gettext_noop("Only the head of the group's department or the sales director may designate its admins.")
ERR_NOT_IN_GROUP = gettext_noop("Only a staff member who is in the group can be designated as its admin.")
ERR_ALREADY_DESIGNATED = gettext_noop("This member is already a designated admin of the group.")
ERR_NOT_DESIGNATED = gettext_noop("This member is not a designated admin of the group.")
ERR_CANNOT_EDIT_CONVENTION = gettext_noop("You may edit the conventions of your own departments only.")
ERR_TEMPLATE_PLACEHOLDER = gettext_noop("The template must contain {placeholder}.")
ERR_TEMPLATE_UNKNOWN = gettext_noop("Unknown placeholder in the template; use {部门}, {姓名} or {*}.")
ERR_CANNOT_REMIND = gettext_noop("You may not send convention reminders.")
ERR_ISSUE_RESOLVED = gettext_noop("This issue is already resolved.")
ERR_REMINDED_RECENTLY = gettext_noop("A reminder for this issue was sent less than {hours} hours ago.")
ERR_NO_RECIPIENT = gettext_noop("Nobody is responsible for this issue in zhidu, so no reminder can be sent.")
