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

# meetings
ERR_MEETING_TITLE = gettext_noop("Give the meeting a title.")
ERR_MEETING_KIND = gettext_noop("Choose one of the listed meeting kinds.")
ERR_MEETING_NOT_LEAD = gettext_noop(
    "Only a lead schedules team meetings and training; you may schedule a follow-up meeting with your own customer."
)
ERR_MEETING_TIMES = gettext_noop("A meeting must end after it starts and last at most {hours} hours.")
ERR_MEETING_START_PAST = gettext_noop("The meeting must not start in the past.")
ERR_MEETING_PARTICIPANT_SCOPE = gettext_noop("{name} is not in your team: invite only members you lead.")
ERR_MEETING_PARTICIPANTS_MAX = gettext_noop("Invite at most {max} participants.")
ERR_MEETING_CUSTOMER = gettext_noop("A follow-up meeting needs one of your customers.")
ERR_MEETING_CUSTOMER_KIND = gettext_noop("Only a customer follow-up meeting has a customer.")
ERR_MEETING_PLACE = gettext_noop("Give a place or an online link.")
ERR_MEETING_NOT_YOURS = gettext_noop("Only the organizer or their leads may change this meeting.")
ERR_MEETING_NOT_SCHEDULED = gettext_noop("The meeting is “{status}”: it can no longer be changed.")
ERR_MEETING_CANCELLED = gettext_noop("The meeting was cancelled.")
ERR_MEETING_NOT_STARTED = gettext_noop("The meeting has not started yet.")
ERR_MEETING_MINUTES = gettext_noop("Write the minutes.")
ERR_MEETING_ATTENDANCE = gettext_noop("Choose one of the listed attendance marks.")
ERR_MEETING_NOT_PARTICIPANT = gettext_noop("{name} is not a participant of this meeting.")
ERR_ACTION_TITLE = gettext_noop("Give each action item a title.")
ERR_ACTION_ASSIGNEE = gettext_noop("{name} is not a participant of this meeting: assign action items to participants.")
ERR_ACTION_SCOPE = gettext_noop("{name} is not in your team: you may assign action items only to members you lead.")
ERR_ACTION_DUE_PAST = gettext_noop("An action item's due time must not be in the past.")
ERR_ACTION_MAX = gettext_noop("Record at most {max} action items at a time.")
