"""Orders and signed-in visitors' carts.

An order keeps what was bought as it was bought: each line snapshots the product's title,
SKU and price, and points at the product by its translation key (the same in every
language), so later edits or deletions of the product change nothing in it.
"""

import secrets
import uuid
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from babel import Locale as BabelLocale
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

from cms.orders import money, stock

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


def new_reference() -> str:
    return "CR-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class CartItem(models.Model):
    """A product in a signed-in user's cart (anonymous visitors keep theirs in the session).

    Change these rows through cms.orders.cart, which drops the header's cached count.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items"
    )
    product_key = models.UUIDField()  # the product's translation_key
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "product_key"], name="orders_cart_item_unique")
        ]
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_key}"


class OrderQuerySet(models.QuerySet["Order"]):
    def for_user(self, user: Any) -> "OrderQuerySet":
        return self.filter(user=user) if user.is_authenticated else self.none()

    def anonymise(self) -> int:
        """Unlink the orders from the person (account, name, email, address) when their account
        is deleted, keeping what the books need: reference, dates, status, country (for the
        tax), lines and amounts. How many orders."""
        return self.update(
            user=None,
            email="",
            full_name="",
            address_line1="",
            address_line2="",
            city="",
            postal_code="",
        )

    def expired(self) -> "OrderQuerySet":
        """Placed but unpaid for longer than ORDER_PAYMENT_MINUTES: their stock goes back."""
        limit = timezone.now() - timedelta(minutes=settings.ORDER_PAYMENT_MINUTES)
        return self.filter(status=Order.Status.PENDING_PAYMENT, created_at__lt=limit)


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
        PAID = "paid", _("Paid")
        SHIPPED = "shipped", _("Shipped")
        PAYMENT_FAILED = "payment_failed", _("Payment declined")
        CANCELLED = "cancelled", _("Cancelled")

    # Which status an admin (or the payment step) may move an order to from each status.
    TRANSITIONS: dict[str, set[str]] = {
        Status.PENDING_PAYMENT: {Status.PAID, Status.PAYMENT_FAILED, Status.CANCELLED},
        Status.PAID: {Status.SHIPPED, Status.CANCELLED},
        Status.SHIPPED: set(),
        Status.PAYMENT_FAILED: set(),
        Status.CANCELLED: set(),
    }
    RELEASES_STOCK = {Status.PAYMENT_FAILED, Status.CANCELLED}

    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=new_reference, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=10)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT
    )
    created_at = models.DateTimeField(_("placed"), default=timezone.now, db_index=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    full_name = models.CharField(_("full name"), max_length=120)
    address_line1 = models.CharField(_("address"), max_length=200)
    address_line2 = models.CharField(_("address (line 2)"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=20)
    country = models.CharField(_("country"), max_length=2)

    subtotal = models.DecimalField(_("subtotal"), max_digits=12, decimal_places=2)
    shipping = models.DecimalField(_("shipping"), max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4)
    tax = models.DecimalField(_("tax"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)

    payment_provider = models.CharField(max_length=200, blank=True)
    payment_reference = models.CharField(max_length=200, blank=True)
    stock_released = models.BooleanField(default=False)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    @property
    def quantities(self) -> dict[uuid.UUID, int]:
        counted: dict[uuid.UUID, int] = {}
        for line in self.lines.all():
            counted[line.product_key] = counted.get(line.product_key, 0) + line.quantity
        return counted

    @property
    def tax_percent(self) -> Decimal:
        return (self.tax_rate * 100).normalize()

    @property
    def country_name(self) -> str:
        """The country in the active language (CLDR names, through Babel)."""
        try:
            names = BabelLocale.parse(to_locale(get_language() or settings.LANGUAGE_CODE))
        except (ValueError, LookupError):
            return self.country
        return names.territories.get(self.country, self.country)

    @property
    def can_pay(self) -> bool:
        return self.status == self.Status.PENDING_PAYMENT

    @classmethod
    def place(cls, lines: Iterable["OrderLine"], country: str, **fields: Any) -> "Order":
        """Create the order with its lines and reserve their stock, all or nothing.

        Raises stock.OutOfStock (and creates nothing) when a product ran out meanwhile.
        """
        lines = list(lines)
        figures = money.totals((line.line_total for line in lines), country)
        with transaction.atomic():
            order = cls.objects.create(
                country=country,
                subtotal=figures.subtotal,
                shipping=figures.shipping,
                tax_rate=figures.tax_rate,
                tax=figures.tax,
                total=figures.total,
                **fields,
            )
            for line in lines:
                line.order = order
            OrderLine.objects.bulk_create(lines)
            stock.reserve(order.quantities, {line.product_key: line.title for line in lines})
        return order

    @classmethod
    def cancel_expired(cls) -> int:
        """Cancel the orders unpaid for ORDER_PAYMENT_MINUTES, releasing their stock; how many.

        The release_expired_orders cron job runs it, so pages show the units as for sale
        again; adding to a cart and checking out run it too, so a buyer gets them even
        before the job has run."""
        return sum(order.change_status(cls.Status.CANCELLED) for order in cls.objects.expired())

    def change_status(self, new: str) -> bool:
        """Move to `new` if allowed from the status stored now; False if it changed nothing.

        Conditional on the stored status, so a double click, a retried payment callback or
        two admins at once change it (and release stock, or send the email) only once.
        """
        if new not in self.TRANSITIONS.get(self.status, set()):
            return False
        changes: dict[str, Any] = {"status": new}
        if new == self.Status.PAID:
            changes["paid_at"] = timezone.now()
        with transaction.atomic():
            moved = Order.objects.filter(pk=self.pk, status=self.status).update(**changes)
            if not moved:
                self.refresh_from_db()
                return False
            for name, value in changes.items():
                setattr(self, name, value)
            if new in self.RELEASES_STOCK:
                self.release_stock()
        return True

    def release_stock(self) -> None:
        if Order.objects.filter(pk=self.pk, stock_released=False).update(stock_released=True):
            stock.release(self.quantities)
            self.stock_released = True


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product_key = models.UUIDField(_("product"))  # the product's translation_key
    sku = models.CharField(_("SKU"), max_length=40)
    title = models.CharField(_("product"), max_length=255)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = models.DecimalField(_("line total"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @classmethod
    def snapshot(
        cls, product_key: uuid.UUID, sku: str, title: str, unit_price: Decimal, quantity: int
    ) -> "OrderLine":
        return cls(
            product_key=product_key,
            sku=sku,
            title=title,
            unit_price=unit_price,
            quantity=quantity,
            line_total=money.line_total(unit_price, quantity),
        )
