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
