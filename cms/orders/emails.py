"""The order confirmation email, in the language the order was placed in."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from cms.orders.models import Order


def send_order_confirmation(order: Order) -> None:
    with translation.override(order.language):
        context = {"order": order, "lines": order.lines.all()}
        subject = render_to_string("orders/email/confirmation_subject.txt", context)
        body = render_to_string("orders/email/confirmation.txt", context)
    send_mail("".join(subject.splitlines()).strip(), body, None, [order.email])
