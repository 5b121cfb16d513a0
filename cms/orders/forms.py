"""Cart, checkout and payment forms (every value from the visitor is validated here)."""

from typing import Any

from babel import Locale as BabelLocale
from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

from cms.orders.models import Order
from cms.orders.payments import TestPaymentProvider


class QuantityField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Quantity"))
        super().__init__(min_value=0, max_value=settings.CART_MAX_QUANTITY, **kwargs)


class AddToCartForm(forms.Form):
    """What the product page and the catalogue cards post: a product page id, a quantity."""

    product = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    quantity = QuantityField(initial=1)

    def clean_quantity(self) -> int:
        quantity = self.cleaned_data["quantity"]
        if quantity < 1:
            raise forms.ValidationError(_("Choose at least one unit."))
        return quantity


class UpdateLineForm(forms.Form):
    """A cart line's new quantity (0 removes it); `product` is its translation key."""

    product = forms.UUIDField(widget=forms.HiddenInput)
    quantity = QuantityField(required=False)
    remove = forms.BooleanField(required=False)

    def new_quantity(self) -> int:
        if self.cleaned_data.get("remove") or self.cleaned_data.get("quantity") is None:
            return 0
        return self.cleaned_data["quantity"]


def country_choices() -> list[tuple[str, str]]:
    """SHIPPING_COUNTRIES named in the visitor's language (CLDR, through Babel)."""
    try:
        names = BabelLocale.parse(to_locale(get_language() or settings.LANGUAGE_CODE)).territories
    except (ValueError, LookupError):
        names = BabelLocale.parse("en").territories
    choices = [(code, names.get(code, code)) for code in settings.SHIPPING_COUNTRIES]
    return sorted(choices, key=lambda choice: choice[1].casefold())


class CheckoutForm(forms.ModelForm):
    country = forms.ChoiceField(
        label=capfirst(Order._meta.get_field("country").verbose_name), choices=()
    )

    class Meta:
        model = Order
        fields = [
            "email",
            "full_name",
            "address_line1",
            "address_line2",
            "city",
            "postal_code",
            "country",
        ]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
        }
        help_texts = {"email": _("We send the order confirmation here.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        if isinstance(country, forms.ChoiceField):
            country.choices = [("", "—"), *country_choices()]
        self.fields["country"].widget.attrs["autocomplete"] = "country"


class PaymentForm(forms.Form):
    """The test provider's choice; a real provider would send its own fields instead."""

    outcome = forms.ChoiceField(
        label=_("Result of the test payment"),
        choices=[
            (TestPaymentProvider.APPROVE, _("Approve the payment")),
            (TestPaymentProvider.DECLINE, _("Decline the payment")),
        ],
        initial=TestPaymentProvider.APPROVE,
        widget=forms.RadioSelect,
    )
