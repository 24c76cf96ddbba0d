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

# reports
ERR_REPORT_KIND = gettext_noop("Choose daily, weekly or monthly report.")
ERR_REPORT_TEMPLATE_FORBIDDEN = gettext_noop("You may not edit the report templates of this department.")
ERR_REPORT_SECTIONS_EMPTY = gettext_noop("Give the template at least one section.")
ERR_REPORT_SECTIONS_MAX = gettext_noop("A template has at most {max} sections.")
ERR_REPORT_SECTION_LABEL = gettext_noop("Every section needs a name.")
ERR_REPORT_SECTION_DUPLICATE = gettext_noop("Two sections are both called “{label}”: give each its own name.")
ERR_REPORT_SECTION_REQUIRED = gettext_noop("Mark at least one section as required.")
ERR_REPORT_DUE_HOUR = gettext_noop("The due hour must be between 0 and 23.")
ERR_REPORT_ROLES = gettext_noop("Choose who must report (at least one of the listed roles).")
ERR_REPORT_NO_TEMPLATE = gettext_noop("No report template applies to you for this kind of report.")
ERR_REPORT_PERIOD = gettext_noop("Choose a period that has started: a day, a week's Monday or a month's first day.")
ERR_REPORT_NOT_OWED = gettext_noop("No daily report is due for a day off.")
ERR_REPORT_NOT_AUTHOR = gettext_noop("Only the author may edit or submit this report.")
ERR_REPORT_SUBMITTED = gettext_noop("This report is already submitted; it cannot be changed or submitted again.")
ERR_REPORT_SECTION_MISSING = gettext_noop("Fill in the required section “{label}”.")
ERR_REPORT_SECTION_COUNT = gettext_noop("The report's sections do not match its template; reload the page.")
ERR_REPORT_NOT_LEAD = gettext_noop("Only the author's lead may review this report.")
ERR_REPORT_NOT_SUBMITTED = gettext_noop("Only a submitted report can be reviewed.")
ERR_REPORT_REVIEWED = gettext_noop("This report is already reviewed.")
ERR_REPORT_COMMENT = gettext_noop("Write a comment.")
ERR_REPORT_COMMENT_FORBIDDEN = gettext_noop("Only the author and their lead may comment on this report.")
ERR_REPORT_INACTIVE = gettext_noop("Only an active member may write a report.")
