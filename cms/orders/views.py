"""Cart, checkout, payment and "My orders" views; the logic lives in cart.py and models.py.

Every view here is personal: `never_cache` marks it private, so neither the page cache
(which only stores Wagtail pages anyway) nor a CDN nor the browser's back/forward cache
keeps it. Only `cart_add` is CSRF-exempt, see its docstring.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.base.locales import active_locale
from cms.base.security_events import csrf_failure
from cms.orders import money
from cms.orders.cart import Cart, CartLine
from cms.orders.emails import send_order_confirmation
from cms.orders.forms import AddToCartForm, CheckoutForm, PaymentForm, UpdateLineForm
from cms.orders.models import Order
from cms.orders.payments import Outcome, complete_payment, get_provider
from cms.orders.stock import OutOfStock
from cms.shop.models import ProductIndexPage, ProductPage

SESSION_ORDERS = "orders_placed"  # references of the orders placed in this session (guests)


def _cart_page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    lines = Cart(request).lines()
    context.update(_summary(lines, country=None))
    shop = ProductIndexPage.objects.live().filter(locale=active_locale()).first()
    context["shop_url"] = shop.get_url(request) if shop else ""
    return render(request, "orders/cart.html", context, status=status)


def _summary(lines: list[CartLine], country: str | None) -> dict[str, Any]:
    currencies = {line.product.currency for line in lines}
    return {
        "lines": lines,
        "totals": money.totals((line.line_total for line in lines), country),
        "currency": next(iter(currencies)) if len(currencies) == 1 else "",
        "mixed_currencies": len(currencies) > 1,
        "short": [line for line in lines if line.short],
    }


def _refuse(request: HttpRequest, message: str, status: int) -> HttpResponse:
    messages.error(request, message)
    return _cart_page(request, status=status)


def _foreign_origin(request: HttpRequest) -> bool:
    """A POST another site made the browser send (Origin, or Fetch Metadata, says so)."""
    origin = request.headers.get("Origin")
    if origin is not None:
        own = f"{request.scheme}://{request.get_host()}"
        if origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS:
            return True
    return request.headers.get("Sec-Fetch-Site") == "cross-site"


@never_cache
@require_GET
def cart_detail(request: HttpRequest) -> HttpResponse:
    return _cart_page(request)


@csrf_exempt
@never_cache
@require_POST
def cart_add(request: HttpRequest) -> HttpResponseBase:
    """Add a product, from a product page or a catalogue card.

    CSRF-exempt because those pages are whole-page cached for anonymous visitors, and a page
    with a CSRF token cannot be shared. Safe without one: the session cookie is SameSite=Lax
    (settings.SESSION_COOKIE_SAMESITE), so another site's POST reaches this view without the
    visitor's session and cannot touch their cart; and a POST whose Origin (or
    Sec-Fetch-Site) says it came from another site is refused, so one cannot even plant a
    fresh session with a cart of its choosing. Adding to a cart is also harmless: nothing is
    bought without the CSRF-protected checkout.
    """
    if _foreign_origin(request):
        return csrf_failure(request, reason="cart: Origin is not this site")
    Order.cancel_expired()  # units abandoned orders held are for sale again
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        if "product" in form.errors:
            return _refuse(request, _("That product could not be found."), 404)
        return _refuse(
            request,
            _("Choose a quantity between 1 and %(max)d.") % {"max": settings.CART_MAX_QUANTITY},
            400,
        )
    product = ProductPage.objects.live().public().filter(pk=form.cleaned_data["product"]).first()
    if product is None:
        return _refuse(request, _("That product could not be found."), 404)
    cart = Cart(request)
    if not product.in_stock:
        return _refuse(request, _("%(product)s is out of stock.") % {"product": product.title}, 409)
    currencies = {line.product.currency for line in cart.lines()}
    if currencies and product.currency not in currencies:
        return _refuse(
            request,
            _(
                "Your cart holds products priced in %(cart)s and %(product)s is priced in "
                "%(currency)s: place that order first, then add it."
            )
            % {
                "cart": ", ".join(sorted(currencies)),
                "product": product.title,
                "currency": product.currency,
            },
            409,
        )
    asked = form.cleaned_data["quantity"]
    added = cart.add(product, asked)
    if added == asked:
        messages.success(
            request,
            _("Added %(count)d × %(product)s to your cart.")
            % {"count": added, "product": product.title},
        )
    elif added:
        messages.warning(
            request,
            _(
                "Only %(count)d more of %(product)s could be added: "
                "that is as many as we can sell you."
            )
            % {"count": added, "product": product.title},
        )
    else:
        messages.warning(
            request,
            _("Your cart already holds as many of %(product)s as we can sell you.")
            % {"product": product.title},
        )
    return redirect("orders:cart", permanent=False)


@never_cache
@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    """Change a line's quantity, or remove it (button "Remove", or quantity 0)."""
    form = UpdateLineForm(request.POST)
    if not form.is_valid():
        return _refuse(
            request,
            _("Choose a quantity between 0 and %(max)d.") % {"max": settings.CART_MAX_QUANTITY},
            400,
        )
    cart = Cart(request)
    key = form.cleaned_data["product"]
    line = next((line for line in cart.lines() if line.key == key), None)
    if line is None:
        return _refuse(request, _("That product is not in your cart."), 404)
    quantity = form.new_quantity()
    if quantity > line.max_quantity:
        quantity = line.max_quantity
        messages.warning(
            request,
            _("Only %(count)d of %(product)s are available.")
            % {"count": quantity, "product": line.product.title},
        )
    cart.set(key, quantity)
    if quantity == 0:
        messages.success(
            request, _("%(product)s was removed from your cart.") % {"product": line.product.title}
        )
    else:
        messages.success(request, _("Your cart has been updated."))
    return redirect("orders:cart")


@never_cache
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    """Shipping address and order summary; placing the order reserves the stock."""
    Order.cancel_expired()  # before the cart reads what is left
    cart = Cart(request)
    lines = cart.lines()
    if not lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    summary = _summary(lines, country=None)
    if summary["mixed_currencies"] or summary["short"]:
        return redirect("orders:cart")  # the cart page says what to fix
    user = request.user
    initial = {"email": user.email} if user.is_authenticated else {}
    form = CheckoutForm(request.POST or None, initial=initial)
    country = form.data.get("country") if form.is_bound else None
    if form.is_valid():
        try:
            order = Order.place(
                [line.snapshot() for line in lines],
                user=user if user.is_authenticated else None,
                language=translation.get_language(),
                currency=summary["currency"],
                **form.cleaned_data,
            )
        except OutOfStock as error:
            messages.error(
                request,
                _(
                    "Sorry, %(product)s sold out while you were checking out. Your cart shows "
                    "what is left."
                )
                % {"product": error.title},
            )
            return redirect("orders:cart")
        request.session[SESSION_ORDERS] = [
            *request.session.get(SESSION_ORDERS, []),
            order.reference,
        ][-20:]
        return redirect("orders:pay", reference=order.reference)
    valid_country = country if country in settings.SHIPPING_COUNTRIES else None
    context = {**_summary(lines, valid_country), "form": form}
    return render(request, "orders/checkout.html", context, status=400 if form.is_bound else 200)


def _own_order(request: HttpRequest, reference: str) -> Order:
    """An order this visitor placed: in their account, or in this session (guests)."""
    placed_here = reference in request.session.get(SESSION_ORDERS, [])
    orders = Order.objects.all() if placed_here else Order.objects.for_user(request.user)
    return get_object_or_404(orders.prefetch_related("lines"), reference=reference)


@never_cache
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, reference: str) -> HttpResponse:
    order = _own_order(request, reference)
    if not order.can_pay:
        return redirect("orders:done", reference=order.reference)
    provider = get_provider()
    form = PaymentForm(request.POST or None)
    if form.is_valid():
        result = provider.confirm(order, form.cleaned_data)
        if complete_payment(order, result, provider) and result.outcome == Outcome.PAID:
            Cart(request).clear()
            send_order_confirmation(order)
        return redirect("orders:done", reference=order.reference)
    started = provider.start(order)
    if started.redirect_url:  # a hosted payment page
        return HttpResponseRedirect(started.redirect_url)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "orders/pay.html",
        {"order": order, "form": form, "provider": provider},
        status=status,
    )


@never_cache
@require_GET
def done(request: HttpRequest, reference: str) -> HttpResponse:
    """After payment: the confirmation, or what went wrong and what to do."""
    order = _own_order(request, reference)
    return render(request, "orders/done.html", {"order": order})


@never_cache
@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    orders = Order.objects.for_user(request.user)
    return render(request, "orders/order_list.html", {"orders": orders})


@never_cache
@login_required
@require_GET
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    order = get_object_or_404(
        Order.objects.for_user(request.user).prefetch_related("lines"), reference=reference
    )
    return render(request, "orders/order_detail.html", {"order": order})
