"""Error messages of performance (services, selectors). English msgids; the zh_Hans catalogue translates them."""

from __future__ import annotations

from django.utils.translation import gettext_noop

ERR_KPI_ADMIN_ONLY = gettext_noop("Only the sales director or an administrator defines KPIs.")
ERR_KPI_NAME = gettext_noop("Give the KPI set a name (1–{max} characters).")
ERR_KPI_ROLE = gettext_noop("KPIs can be defined for sales roles only.")
ERR_KPI_KIND = gettext_noop("Unknown period {value!r} (expected month, quarter or year).")
ERR_KPI_STATUS = gettext_noop("Unknown status {value!r} (expected draft or active).")
ERR_KPI_RANGE = gettext_noop("The last period must not be before the first one.")
ERR_KPI_NO_ITEMS = gettext_noop("Add at least one metric.")
ERR_KPI_TOO_MANY = gettext_noop("A KPI set may have at most {max} metrics.")
ERR_KPI_METRIC = gettext_noop("Unknown metric {value!r}.")
ERR_KPI_METRIC_TWICE = gettext_noop("The metric {label} appears twice.")
ERR_KPI_WEIGHT = gettext_noop("{label}: the weight must be a number above 0 and at most 100.")
ERR_KPI_WEIGHTS_SUM = gettext_noop("The weights add up to {total}%; they must add up to exactly 100%.")
ERR_KPI_TARGET = gettext_noop("{label}: the target must be a number of at least 0.")
ERR_KPI_CURVE = gettext_noop("{label}: unknown scoring curve {value!r}.")
ERR_KPI_CAP = gettext_noop("{label}: a linear curve with a cap needs a cap of at least 100%.")
ERR_KPI_THRESHOLDS = gettext_noop(
    "{label}: thresholds are value:score pairs separated by commas, with scores from 0 to 100 (e.g. 80:60, 100:100)."
)
ERR_KPI_OVERLAP = gettext_noop(
    "The KPI set {name} already applies to this role and period kind from {start}; the periods must not overlap."
)
ERR_EVAL_LEAD_ONLY = gettext_noop("Only a lead of this member may write an evaluation.")
ERR_EVAL_TEXT = gettext_noop("Write the evaluation (1–{max} characters).")
ERR_ACK_OWN_ONLY = gettext_noop("Only the member acknowledges their own scorecard.")
ERR_ACK_DONE = gettext_noop("This scorecard is already acknowledged.")
ERR_FREEZE_DIRECTOR_ONLY = gettext_noop("Only the sales director freezes rankings.")
ERR_FREEZE_NOT_FINISHED = gettext_noop("The period has not ended yet; rankings are frozen after it ends.")
ERR_FREEZE_DONE = gettext_noop("The rankings of this period are already frozen.")
ERR_COMPUTE_NOT_ALLOWED = gettext_noop("You may not recompute this scorecard.")
ERR_NO_KPI_SET = gettext_noop("No active KPI set applies to this member's role and period.")
ERR_DATE_RANGE = gettext_noop("Dates must lie between the years {min} and {max}.")
