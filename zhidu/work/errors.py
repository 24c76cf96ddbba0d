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

# library
ERR_LIBRARY_INACTIVE = gettext_noop("Only an active member may write in the library.")
ERR_LIBRARY_TITLE = gettext_noop("Give it a title.")
ERR_LIBRARY_BODY = gettext_noop("Write the text.")
ERR_LIBRARY_KIND = gettext_noop("Choose a script or an article.")
ERR_LIBRARY_TOPIC = gettext_noop("Choose one of the listed topics.")
ERR_LIBRARY_PRODUCT = gettext_noop("Choose a product on sale, or none.")
ERR_LIBRARY_TAGS = gettext_noop("At most {max} tags, each 1–{length} characters.")
ERR_LIBRARY_NOT_AUTHOR = gettext_noop("Only the author may change this item.")
ERR_LIBRARY_NOT_REVIEWER = gettext_noop("You may not review this item.")
ERR_LIBRARY_NOT_PENDING = gettext_noop("Only an item awaiting review can be approved or rejected.")
ERR_LIBRARY_NOT_DRAFT = gettext_noop("Only a draft or a rejected item can be submitted.")
ERR_LIBRARY_DECISION = gettext_noop("Choose approve or reject.")
ERR_LIBRARY_REASON = gettext_noop("Give the reason for the rejection: the author reads it.")
ERR_LIBRARY_BLOCKED = gettext_noop(
    "The text breaks the rule “{rule}” ({citation}): “{matched}”. Change it before it can be published."
)
ERR_LIBRARY_NOT_PUBLISHED = gettext_noop("Only a published item can be liked or used.")
ERR_CASE_NOT_LEAD = gettext_noop("Only a supervisor, a manager or the director may make a case.")
ERR_CASE_TITLE = gettext_noop("Give the case a title.")
ERR_CASE_LESSON = gettext_noop("Write the lesson of the case.")
ERR_CASE_VERDICT = gettext_noop("Mark the case a good or a bad example.")
ERR_CASE_RANGE = gettext_noop("Choose the first and the last message of the case, at most {max} messages, in one chat.")
ERR_CASE_NOT_AUTHOR = gettext_noop("Only the lead who made the case may publish it.")
ERR_CASE_PUBLISHED = gettext_noop("The case is already published.")
