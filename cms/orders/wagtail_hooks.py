"""Orders in the Wagtail admin: a snippet listing with filters and search, and status changes.

Only users with the order permissions see them (superusers, or a group given "Can view
order" / "Can change order" under Settings > Groups): the editors' groups have none. Orders
are placed by buyers, so nobody adds, copies or deletes one here; changing one means
moving its status (mark shipped, cancel), which `Order.change_status` checks and which
gives the stock back on cancel.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic.models import InspectView
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.orders.models import Order
from cms.shop.templatetags.shop_tags import format_price


class OrderPermissionPolicy(ModelPermissionPolicy):
    READ_ONLY_ACTIONS = {"add", "copy", "delete"}

    def user_has_permission(self, user: Any, action: str) -> bool:
        return action not in self.READ_ONLY_ACTIONS and super().user_has_permission(user, action)


register_permission_policy(Order, OrderPermissionPolicy(Order))


class OrderStatusForm(WagtailAdminModelForm):
    """The edit form: the status, limited to the moves allowed from the current one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored_status = self.instance.status
        allowed = {self.stored_status, *Order.TRANSITIONS.get(self.stored_status, set())}
        field = self.fields["status"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [
                (value, label) for value, label in Order.Status.choices if value in allowed
            ]

    def save(self, commit: bool = True) -> Order:
        order: Order = self.instance
        new = order.status
        order.status = self.stored_status
        if new != self.stored_status and not order.change_status(new):
            # Changed by someone else meanwhile: the stored order stands.
            order.refresh_from_db()
        return order


class OrderInspectView(InspectView):
    def get_field_label(self, field_name: str, field: Any) -> str:
        if field_name == "lines":
            return str(_("Products"))
        return super().get_field_label(field_name, field)

    def get_total_display_value(self) -> str:
        return format_price(self.object.total, self.object.currency)

    def get_lines_display_value(self) -> str:
        return "; ".join(
            f"{line.quantity} × {line.title} ({line.sku}) = "
            f"{format_price(line.line_total, self.object.currency)}"
            for line in self.object.lines.all()
        )


class OrderViewSet(SnippetViewSet):
    model = Order
    icon = "list-ul"
    menu_label = _("Orders")
    menu_order = 250
    add_to_admin_menu = True
    inspect_view_enabled = True
    inspect_view_class = OrderInspectView
    copy_view_enabled = False
    list_display = ["reference", "email", "status", "country", "total", "created_at"]
    list_filter = ["status", "created_at", "country"]
    search_fields = ["reference", "email", "full_name"]
    search_backend_name = None  # the database's own filtering: orders are not indexed
    inspect_view_fields = [
        "reference", "status", "created_at", "paid_at", "email", "user", "language",
        "full_name", "address_line1", "address_line2", "city", "postal_code", "country",
        "lines", "subtotal", "shipping", "tax_rate", "tax", "total",
    ]  # fmt: skip
    edit_handler = ObjectList([FieldPanel("status")], base_form_class=OrderStatusForm)


register_snippet(OrderViewSet)
