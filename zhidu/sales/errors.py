"""Error messages of the sales app (English msgids, translated when read; see zhidu.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from zhidu.core.money import ERR_MONEY, ERR_PERCENT  # noqa: F401  (shared with other apps; kept importable here)

# catalog
ERR_NOT_CATALOG_EDITOR = gettext_noop(
    "Only the sales director or an administrator may edit products and price policies."
)
ERR_PRODUCT_CODE = gettext_noop("Product code: required, at most {max} characters.")
ERR_PRODUCT_CODE_TAKEN = gettext_noop("Product code: {code} is already used by another product.")
ERR_PRODUCT_NAME = gettext_noop("Product name: required, at most {max} characters.")
ERR_POLICY_TARGET = gettext_noop("Price policy: give either a product or a category, not both and not neither.")
ERR_POLICY_EXISTS = gettext_noop("Price policy: {target} already has one; edit it instead.")
ERR_POLICY_ORDER = gettext_noop(
    "Price policy: a higher role must be allowed at least the discount of a lower one "
    "({lower} {low}% > {higher} {high}%)."
)
ERR_FLOOR_ABOVE_LIST = gettext_noop("Floor price: {floor} is above the list price {price}.")

# orders: input
ERR_NOT_SELLER = gettext_noop("Only sales staff (salespeople and their leads) submit orders.")
ERR_CUSTOMER_NOT_FOLLOWED = gettext_noop("Customer: you do not follow this customer, so you cannot order for them.")
ERR_NO_LINES = gettext_noop("Lines: an order needs at least one product line.")
ERR_TOO_MANY_LINES = gettext_noop("Lines: at most {max} product lines per order.")
ERR_LINE_PRODUCT = gettext_noop("Line {row}: choose a product on sale.")
ERR_LINE_QUANTITY = gettext_noop("Line {row}: the quantity must be a whole number greater than 0.")
ERR_LINE_PRICE = gettext_noop("Line {row}: the unit price must be an amount of at least 0 with at most 2 decimals.")
ERR_CREDITS_SUM = gettext_noop("Credit split: the shares must add up to 100%, they add up to {total}%.")
ERR_CREDIT_MEMBER = gettext_noop("Credit split, row {row}: choose an active member of the sales team.")
ERR_CREDIT_DUPLICATE = gettext_noop("Credit split, row {row}: {name} is listed twice.")
ERR_CREDIT_PERCENT = gettext_noop("Credit split, row {row}: the share must be more than 0 and at most 100.")
ERR_TOO_MANY_CREDITS = gettext_noop("Credit split: at most {max} members per order.")
ERR_REFUND_AMOUNT = gettext_noop("Refund amount: it must be more than 0 and at most the order amount {total}.")
ERR_REASON_REQUIRED = gettext_noop("Reason: a reason is required.")

# orders: workflow
ERR_WRONG_STATE = gettext_noop("Order {number} is {status}; this cannot be done now.")
ERR_NOT_SUBMITTER = gettext_noop("Only the salesperson who wrote order {number} may do this.")
ERR_OWN_ORDER = gettext_noop("You cannot review order {number}: it is your own or you share its credit.")
ERR_NOT_REVIEWER = gettext_noop("Order {number} is waiting for {reviewer}, not for you.")
ERR_NO_REVIEWER = gettext_noop(
    "Order {number}: nobody above {member} can review it; ask an administrator to set the reporting line."
)
ERR_NEEDS_ESCALATION = gettext_noop(
    "Line {row}: the price needs the approval of a {role}; you may only escalate order {number}."
)
ERR_NOBODY_ABOVE = gettext_noop("Order {number}: there is no lead above you with the authority of a {role}.")
ERR_NOT_LEAD_IN_SCOPE = gettext_noop("Only a lead responsible for the salesperson may do this to order {number}.")
