"""Error messages of targets (services, selectors, import). English msgids; the zh_Hans catalogue translates them."""

from __future__ import annotations

from django.utils.translation import gettext_noop

ERR_NOT_ALLOWED = gettext_noop("You may not change this target.")
ERR_DIRECTOR_ONLY = gettext_noop("Only the sales director sets the company target.")
ERR_PERIOD = gettext_noop("Unknown period {value!r} (expected month, quarter or year).")
ERR_METRIC = gettext_noop("Unknown metric {value!r} (expected revenue, orders or new_customers).")
ERR_AMOUNT = gettext_noop("The target must be a number from 0 to {max}.")
ERR_NO_TREE = gettext_noop("There is no company target for this period and metric yet.")
ERR_MEMBER_UNKNOWN = gettext_noop("Member {member} does not exist or is not active.")
ERR_MEMBER_ROLE = gettext_noop("{name} is not in a sales role and cannot hold a target.")
ERR_MEMBER_SELF = gettext_noop("{name} cannot be given a part of their own target.")
ERR_MEMBER_TWICE = gettext_noop("{name} appears twice in the split.")
ERR_OUT_OF_SCOPE = gettext_noop("{name} is not in {owner}'s team, so {owner} cannot give them a target.")
ERR_CYCLE = gettext_noop("{name} already holds a target elsewhere in this tree (a target cannot loop back).")
ERR_REMOVE_SPLIT = gettext_noop("{name}'s target is split further; remove their split first.")
ERR_SPLIT_TOO_LONG = gettext_noop("A split may have at most {max} parts.")
ERR_GAP = gettext_noop(
    "The split does not add up: {gaps}. Confirm publishing with the gaps and give a reason, or fix the split."
)
ERR_GAP_REASON = gettext_noop("Give a reason for publishing a tree whose split does not add up.")
GAP_ITEM = gettext_noop("{name} {gap:+}")
ERR_PLAN_TEXT = gettext_noop("Write the corrective plan (1–{max} characters).")
ERR_PLAN_STATE = gettext_noop("This corrective plan is {status}; it cannot be changed now.")
ERR_PLAN_OWNER = gettext_noop("Only {name} writes the corrective plan for their own target.")

# Excel import (errors by row, all-or-nothing).
ERR_NOT_XLSX = gettext_noop("The file is not a readable .xlsx workbook.")
ERR_TOO_LARGE = gettext_noop("The file is larger than {max} MB.")
ERR_COLUMNS = gettext_noop("The first row must name the columns {columns}; found {found}.")
ERR_EMPTY = gettext_noop("The file has no targets.")
ERR_TOO_MANY_ROWS = gettext_noop("The file has more than {max} rows.")
ERR_IMPORT_ROWS = gettext_noop("Nothing was imported: {count} bad row(s): {details}")
ROW_PROBLEMS = gettext_noop("row {row}: {problems}")
MORE_ROWS = gettext_noop("… and {count} more")
ROW_MEMBER_MISSING = gettext_noop("the member column is empty")
ROW_MEMBER_UNKNOWN = gettext_noop("unknown member {value!r}")
ROW_MEMBER_TWICE = gettext_noop("member {value!r} already appears in row {other}")
ROW_PARENT_UNKNOWN = gettext_noop("the parent {value!r} is not a member listed in this file")
ROW_AMOUNT_TYPE = gettext_noop("the target {value!r} is not a number")
ROW_AMOUNT_RANGE = gettext_noop("the target must be from 0 to {max}")
ROW_ROOT_TWICE = gettext_noop("only one row may have no parent (the company target); row {other} has none too")
ROW_NO_ROOT = gettext_noop("no row without a parent: the company target (the director) is missing")
ROW_ROOT_ROLE = gettext_noop("the row without a parent must be the sales director's")
ROW_CYCLE = gettext_noop("the parent chain loops back to {value!r}")
ROW_OUT_OF_SCOPE = gettext_noop("{name} is not in {owner}'s team")
ROW_ROLE = gettext_noop("{name} is not in a sales role")
