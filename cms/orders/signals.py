"""Sign-in adds the anonymous cart kept in the session to the account's cart."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from cms.orders.cart import merge_session_cart


@receiver(user_logged_in, dispatch_uid="orders_merge_cart")
def merge_cart_on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # login() cycles the session key but keeps its data when the session had no user, so
    # the anonymous cart is still there (a different user's session is flushed instead).
    if request is not None and hasattr(request, "session"):
        merge_session_cart(request, user)
