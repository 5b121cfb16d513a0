"""The "Robot fleet" admin menu item (staff only) and its URLs, /admin/fleet/."""

from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.robots import views

app_name = "fleet"
urlpatterns = [path("", views.FleetView.as_view(), name="index")]


class FleetMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return views.can_view_fleet(request.user)


@hooks.register("register_admin_urls")
def register_fleet_urls() -> list[URLPattern | URLResolver]:
    return [path("fleet/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_fleet_menu_item() -> MenuItem:
    return FleetMenuItem(_("Robot fleet"), reverse("fleet:index"), icon_name="cogs", order=810)
