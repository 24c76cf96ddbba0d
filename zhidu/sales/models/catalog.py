"""Products with a list price, and the price policy: a floor and the largest discount each role may grant."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel


class Product(BaseModel):
    code = models.CharField(_("product code"), max_length=40)
    name = models.CharField(_("product name"), max_length=200)
    category = models.CharField(_("product category"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2)
    # Other names salespeople use in chats (comma- or 、-separated), for the chat price check (compliance).
    aliases = models.CharField(_("other names"), max_length=500, blank=True)
    active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["code"], name="product_unique_code"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.replace("、", ",").replace("，", ",").split(",") if a.strip()]


class PricePolicy(BaseModel):
    """Discount authority for one product, or for every product of a category (product wins over category).

    Discounts are percentages off the list price (0–100). Below `floor_price` only the director may approve.
    A role without a value here falls back to the company setting (see settings.SALES_DISCOUNT_DEFAULTS).
    """

    product = models.OneToOneField(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="price_policy", verbose_name=_("product")
    )
    category = models.CharField(_("product category"), max_length=100, blank=True)
    floor_price = models.DecimalField(_("floor price"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_discount_sales = models.DecimalField(
        _("salesperson's largest discount (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    max_discount_supervisor = models.DecimalField(
        _("supervisor's largest discount (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    max_discount_manager = models.DecimalField(
        _("manager's largest discount (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    max_discount_director = models.DecimalField(
        _("director's largest discount (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("price policy")
        verbose_name_plural = _("price policies")
        constraints = [
            models.CheckConstraint(
                condition=(Q(product__isnull=False) & Q(category="")) | (Q(product__isnull=True) & ~Q(category="")),
                name="price_policy_product_xor_category",
            ),
            models.UniqueConstraint(
                fields=["category"], condition=Q(product__isnull=True), name="price_policy_unique_category"
            ),
        ]

    def __str__(self) -> str:
        return str(self.product) if self.product_id else self.category


ZERO = Decimal("0.00")
