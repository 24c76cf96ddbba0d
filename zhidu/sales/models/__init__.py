"""Sales: products and price policy (catalog), orders under audit (orders), targets down the hierarchy (targets)."""

from .catalog import PricePolicy, Product
from .orders import Order, OrderCredit, OrderLine, OrderStatus

__all__ = ["Order", "OrderCredit", "OrderLine", "OrderStatus", "PricePolicy", "Product"]
