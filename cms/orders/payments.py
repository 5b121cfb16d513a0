"""Payment providers behind one interface; settings.PAYMENT_PROVIDER names the one in use.

The checkout calls `start(order)` when the buyer reaches the payment step and `confirm(order,
data)` with what the payment page (or, for a hosted provider such as Stripe Checkout, its
return URL or webhook) sent back. A provider only says what happened; `complete_payment`
applies it to the order, once: a second confirmation of the same order changes nothing.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from cms.orders.models import Order


class Outcome(StrEnum):
    PAID = "paid"
    DECLINED = "declined"
    PENDING = "pending"  # e.g. the buyer is away at the provider's page


@dataclass(frozen=True)
class PaymentResult:
    outcome: Outcome
    reference: str = ""  # the provider's id of the payment
    redirect_url: str = ""  # where to send the buyer (hosted payment pages)
    details: dict[str, Any] = field(default_factory=dict)


class PaymentProvider(Protocol):
    name: ClassVar[Any]  # shown to the buyer (a lazy translation)
    is_test: ClassVar[bool]  # no real money moves: the page says so

    def start(self, order: Order) -> PaymentResult: ...

    def confirm(self, order: Order, data: dict[str, Any]) -> PaymentResult: ...


class TestPaymentProvider:
    """Offline test payments: nothing is charged. The buyer picks "approve" or "decline" on
    the payment page (TEST_DECLINE also declines, for scripts)."""

    name: ClassVar[Any] = _("Test payment (no real money)")
    is_test: ClassVar[bool] = True
    APPROVE = "approve"
    DECLINE = "decline"

    def start(self, order: Order) -> PaymentResult:
        return PaymentResult(Outcome.PENDING)

    def confirm(self, order: Order, data: dict[str, Any]) -> PaymentResult:
        if data.get("outcome") == self.APPROVE:
            return PaymentResult(Outcome.PAID, reference=f"test-{order.reference}")
        return PaymentResult(Outcome.DECLINED, reference=f"test-{order.reference}")


@cache
def provider_class(path: str) -> type[PaymentProvider]:
    return import_string(path)


def get_provider() -> PaymentProvider:
    return provider_class(settings.PAYMENT_PROVIDER)()


def complete_payment(order: Order, result: PaymentResult, provider: PaymentProvider) -> bool:
    """Record the outcome on the order; True only for the call that changed it (so the
    confirmation email goes once). A declined payment releases the order's stock."""
    target = {Outcome.PAID: Order.Status.PAID, Outcome.DECLINED: Order.Status.PAYMENT_FAILED}
    if result.outcome not in target:
        return False
    changed = order.change_status(target[result.outcome])
    if changed:
        Order.objects.filter(pk=order.pk).update(
            payment_provider=type(provider).__name__, payment_reference=result.reference
        )
    return changed
