"""Sales: products and price policy (catalog), orders under audit (orders), targets down the hierarchy (targets)."""

from .catalog import PricePolicy, Product
from .orders import Order, OrderCredit, OrderLine, OrderStatus
from .targets import CorrectivePlan, Metric, PeriodKind, PlanStatus, TargetNode, TargetTree, TreeStatus

__all__ = [
    "CorrectivePlan",
    "Metric",
    "Order",
    "OrderCredit",
    "OrderLine",
    "OrderStatus",
    "PeriodKind",
    "PlanStatus",
    "PricePolicy",
    "Product",
    "TargetNode",
    "TargetTree",
    "TreeStatus",
]
