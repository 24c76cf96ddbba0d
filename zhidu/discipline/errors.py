"""Error messages of the discipline app (services, selectors, pages and the API raise these; tests import them)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

ERR_NOT_LEAD = gettext_noop("Only a lead whose scope holds this member may decide this proposal.")
ERR_NOT_UPPER = gettext_noop("Only the level above the lead who approved may confirm this measure.")
ERR_NOT_OPEN = gettext_noop("This proposal was already decided ({status}).")
ERR_KIND = gettext_noop("Choose one of the listed measures.")
ERR_KIND_SIDE = gettext_noop("A penalty can only be changed into another penalty, a reward into another reward.")
ERR_AMOUNT_REQUIRED = gettext_noop("A fine or a bonus needs an amount greater than zero.")
ERR_AMOUNT_POSITIVE = gettext_noop("The amount must be greater than zero.")
ERR_CHANGE_REASON = gettext_noop("Give a reason for the change.")
ERR_REJECT_REASON = gettext_noop("Give a reason for the rejection.")
ERR_NOT_SAME = gettext_noop("The change must differ from the proposal.")
ERR_APPEAL_NOT_OWN = gettext_noop("Only the member concerned may appeal.")
ERR_APPEAL_NOT_PENALTY = gettext_noop("Only an approved penalty can be appealed.")
ERR_APPEAL_LATE = gettext_noop("The appeal window ({days} days after the decision) has closed.")
ERR_APPEAL_EXISTS = gettext_noop("This measure has already been appealed.")
ERR_APPEAL_TEXT = gettext_noop("Say why you appeal.")
ERR_APPEAL_DECIDER = gettext_noop("Only the level above the lead who decided may decide this appeal.")
ERR_APPEAL_DECIDED = gettext_noop("This appeal was already decided.")
ERR_APPEAL_REASON = gettext_noop("Give a reason for the decision.")
ERR_POLICY_FORBIDDEN = gettext_noop("Only administrators and compliance officers may edit sanction policies.")
ERR_POLICY_NAME = gettext_noop("Give the policy a name.")
ERR_POLICY_CATEGORY = gettext_noop("Choose one of the listed rule categories.")
ERR_POLICY_SEVERITY = gettext_noop("Choose one of the listed severities.")
ERR_POLICY_ARTICLE = gettext_noop("Choose an article of a published regulation.")
ERR_POLICY_NUMBER = gettext_noop("{label}: enter a whole number from {min} to {max}.")
