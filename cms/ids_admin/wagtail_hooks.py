"""The "IDS" admin menu item (staff and IDS analysts only) and its URLs."""

from django.http import HttpRequest
from django.urls import URLResolver, include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.ids_admin import views
from cms.ids_admin.access import can_view_ids

app_name = "ids_admin"
urlpatterns = [
    path("", views.AlertsView.as_view(), name="alerts"),
    path("predictions/<int:pk>/", views.PredictionView.as_view(), name="prediction"),
    path("model/", views.ModelCardView.as_view(), name="model"),
    path("models/", views.ModelVersionsView.as_view(), name="models"),
]


class IdsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return can_view_ids(request.user)


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[URLResolver]:
    return [path("ids/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_menu_item() -> MenuItem:
    return IdsMenuItem(_("IDS"), reverse("ids_admin:alerts"), icon_name="warning", order=850)
