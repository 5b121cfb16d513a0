"""Cancel orders left unpaid for ORDER_PAYMENT_MINUTES and give their stock back (cron; placing
an order does it too)."""

from typing import Any

from django.core.management.base import BaseCommand

from cms.orders.models import Order


class Command(BaseCommand):
    help = "Cancel unpaid orders older than ORDER_PAYMENT_MINUTES, releasing their stock."

    def handle(self, *args: Any, **options: Any) -> None:
        cancelled = Order.cancel_expired()
        self.stdout.write(f"{cancelled} unpaid order(s) cancelled")
