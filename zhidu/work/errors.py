"""Error messages of the work app's services (English templates; translated when read)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

ERR_SUGGESTION_TITLE = gettext_noop("Give the suggestion a title.")
ERR_SUGGESTION_BODY = gettext_noop("Describe the suggestion.")
ERR_SUGGESTION_TOPIC = gettext_noop("Choose one of the listed topics.")
ERR_SUGGESTION_DECISION = gettext_noop("Choose one of the listed answers.")
ERR_SUGGESTION_NOT_YOURS = gettext_noop("You may not answer this suggestion.")
ERR_SUGGESTION_CLOSED = gettext_noop("This suggestion is closed; it takes no more answers.")
ERR_SUGGESTION_STEP = gettext_noop("A suggestion that is “{status}” cannot be marked “{decision}”.")
ERR_SUGGESTION_TEXT = gettext_noop("Write an answer: the author reads it.")
ERR_SUGGESTION_PLANNED_ON = gettext_noop("The planned date must not be in the past.")
ERR_SUGGESTION_INACTIVE = gettext_noop("Only an active member may write a suggestion.")

ERR_TASK_TITLE = gettext_noop("Give the task a title.")
ERR_TASK_NO_ASSIGNEE = gettext_noop("Choose at least one member to do the task.")
ERR_TASK_ASSIGNEE_SCOPE = gettext_noop("{name} is not in your team: you may assign tasks only to members you lead.")
ERR_TASK_DUE_PAST = gettext_noop("The due time must not be in the past.")
ERR_TASK_PRIORITY = gettext_noop("Choose one of the listed priorities.")
ERR_TASK_RECURRENCE = gettext_noop("Choose one of the listed repeat options.")

# tasks
ERR_PLAN_NOT_LEAD = gettext_noop("Only a supervisor, manager or director writes a team plan.")
ERR_PLAN_TITLE = gettext_noop("Give the plan a title.")
ERR_PLAN_PERIOD = gettext_noop("Choose a week or a month.")
ERR_PLAN_EXISTS = gettext_noop("You already have a plan for this period: edit that one.")
ERR_PLAN_NOT_YOURS = gettext_noop("Only the plan's author may edit it.")
ERR_PLAN_TARGET = gettext_noop("Choose a target tree of the same period that covers your team.")
ERR_PLAN_DEVPLAN = gettext_noop("Choose development plans of members you lead.")
ERR_PLAN_CHOICE = gettext_noop("Choose one of your own plans.")
ERR_TASK_ACTION = gettext_noop("Unknown action.")
ERR_TASK_STEP = gettext_noop("A task that is “{status}” cannot be “{action}”.")
ERR_TASK_NOT_ALLOWED = gettext_noop("You may not do this on this task.")
ERR_TASK_NOT_CREATOR = gettext_noop("Only the member who created the task may edit it.")
ERR_CHECK_TEXT = gettext_noop("Write the checklist item.")
ERR_CHECK_TOO_MANY = gettext_noop("A task has at most {max} checklist items.")
ERR_COMMENT_TEXT = gettext_noop("Write a comment.")
ERR_ATTACH_EMPTY = gettext_noop("Choose a file to attach.")
ERR_ATTACH_TOO_BIG = gettext_noop("The file is larger than {max} MB.")
ERR_ATTACH_TOO_MANY = gettext_noop("A task has at most {max} attachments.")
ERR_ATTACH_TYPE = gettext_noop("Only PDF, PNG, JPG, Excel (.xlsx), Word (.docx) and text files may be attached.")
ERR_ATTACH_CONTENT = gettext_noop("The file's content does not match its type.")
ERR_SERIES_NOT_RECURRING = gettext_noop("This task does not repeat.")
