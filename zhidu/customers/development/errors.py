"""Error messages of customer development (module constants so tests can import them)."""

from django.utils.translation import gettext_noop

ERR_FORBIDDEN = gettext_noop("You may not change this customer's development.")
ERR_STAGE = gettext_noop("Stage: unknown value {value!r}.")
ERR_KIND = gettext_noop("Kind: unknown value {value!r}.")
ERR_REQUIRED = gettext_noop("{label}: this field is required.")
ERR_TOO_LONG = gettext_noop("{label}: at most {max} characters.")
ERR_FUTURE = gettext_noop("Time: a follow-up cannot happen in the future.")
ERR_COLLABORATOR = gettext_noop("Collaborators: member {value} is not an active member of the sales team.")
ERR_TAG = gettext_noop("Tags: unknown tag {value}.")
ERR_TAG_NOTHING = gettext_noop("Tags: choose a tag to add or remove.")
ERR_BULK_EMPTY = gettext_noop("Choose at least one customer.")
ERR_BULK_MAX = gettext_noop("At most {max} customers at once.")
ERR_PLAN_ROLE = gettext_noop("Only the director, managers and supervisors set development plans.")
ERR_PLAN_MEMBER = gettext_noop("Member: {value} is not an active member in your scope.")
ERR_PLAN_SELF = gettext_noop("Member: you cannot set your own development plan.")
ERR_PLAN_PERIOD = gettext_noop("Period: unknown value {value!r}.")
ERR_PLAN_TARGET = gettext_noop("{label}: must be a whole number from 0 to {max}.")
