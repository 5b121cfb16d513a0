"""Staff manage every robot and API key in Wagtail's admin (Settings-like "API access" menu;
the robots' views are cms.robots.views).

Keys cannot be created here (a key must be shown once to its owner: owners use their profile,
operators `manage.py apikey create`); they can be listed, filtered, renamed, re-scoped and
revoked. The hash is never shown, and the key itself is not stored anywhere.
"""

from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import log

from cms.accounts.models import SCOPE_CHOICES, ApiKey, ApiKeyQuerySet
from cms.robots.views import RobotViewSet
from croody_core import scopes as key_scopes

REVOKE_ACTION = "accounts.apikey.revoke"


@hooks.register("register_log_actions")
def register_log_actions(actions: Any) -> None:
    actions.register_action(REVOKE_ACTION, _("Revoke API key"), _("API key revoked"))


def users_with_keys(request: HttpRequest) -> QuerySet[Any]:
    return get_user_model().objects.filter(api_keys__isnull=False).distinct().order_by("username")


class ApiKeyFilterSet(WagtailFilterSet):
    user = django_filters.ModelChoiceFilter(label=_("User"), queryset=users_with_keys)
    scope = django_filters.ChoiceFilter(
        label=_("Scope"), choices=SCOPE_CHOICES, method="filter_scope"
    )
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[
            ("active", pgettext_lazy("API key state", "Active")),
            ("revoked", pgettext_lazy("API key state", "Revoked")),
        ],
        method="filter_state",
    )

    class Meta:
        model = ApiKey
        fields = ["user"]

    def filter_scope(self, queryset: ApiKeyQuerySet, name: str, value: str) -> ApiKeyQuerySet:
        return queryset.with_scope(value) if value else queryset

    def filter_state(self, queryset: ApiKeyQuerySet, name: str, value: str) -> ApiKeyQuerySet:
        if value == "active":
            return queryset.active()
        if value == "revoked":
            return queryset.revoked()
        return queryset


class ApiKeyAdminForm(forms.ModelForm):
    """Name and scopes only: the prefix, hash, owner and robot stay as issued."""

    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ["name", "scopes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("for_user", None)  # passed by Wagtail's generic views
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["scopes"] = list(self.instance.scope_list)

    def clean_scopes(self) -> str:
        scopes = key_scopes.format_scopes(self.cleaned_data["scopes"])
        if key_scopes.SCOPE_TELEMETRY_WRITE in scopes.split(",") and not self.instance.robot_id:
            raise forms.ValidationError(
                _("telemetry:write needs a robot, and this key is not bound to one."),
                code="robot_required",
            )
        return scopes


class ApiKeyIndexView(IndexView):
    revoke_url_name: str | None = None

    def get_base_queryset(self) -> ApiKeyQuerySet:
        return super().get_base_queryset().select_related("user", "robot")

    def get_list_more_buttons(self, instance: ApiKey) -> list[Any]:
        buttons = super().get_list_more_buttons(instance)
        if instance.is_active and self.revoke_url_name and self.user_has_permission("change"):
            buttons.append(
                MenuItem(
                    _("Revoke"),
                    url=reverse(self.revoke_url_name, args=(instance.pk,)),
                    icon_name="lock",
                    priority=25,
                )
            )
        return buttons


class ApiKeyRevokeView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Confirm (GET), then revoke (POST)."""

    model = ApiKey
    permission_required = "change"
    template_name = "accounts/admin/revoke_key.html"
    page_title = _("Revoke API key")
    header_icon = "key"
    index_url_name = ""  # set by ApiKeyViewSet.revoke_view
    revoke_url_name = ""

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            ApiKey.objects.select_related("user", "robot"), pk=kwargs["pk"]
        )

    def get_page_subtitle(self) -> str:
        return self.object.prefix

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": ApiKey._meta.verbose_name_plural},
            {"url": "", "label": self.get_page_title(), "sublabel": self.object.prefix},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            index_url=reverse(self.index_url_name),
            revoke_url=reverse(self.revoke_url_name, args=(self.object.pk,)),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.object.revoke():
            log(instance=self.object, action=REVOKE_ACTION, user=request.user)
            messages.success(
                request, _("API key %(prefix)s revoked.") % {"prefix": self.object.prefix}
            )
        else:
            messages.warning(
                request,
                _("API key %(prefix)s was already revoked.") % {"prefix": self.object.prefix},
            )
        return redirect(self.index_url_name)


def key_state(api_key: ApiKey) -> str:
    if api_key.is_active:
        return str(pgettext_lazy("API key state", "Active"))
    return str(pgettext_lazy("API key state", "Revoked"))


class ApiKeyViewSet(ModelViewSet):
    model = ApiKey
    icon = "key"
    menu_label = _("API keys")
    add_to_admin_menu = False
    index_view_class = ApiKeyIndexView
    filterset_class = ApiKeyFilterSet
    search_fields = ["prefix", "name", "user__username"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "prefix",
        "name",
        "user",
        "robot",
        "scopes",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_display = [
        "prefix",  # the title column: links to edit, carries the actions (revoke, delete…)
        Column("name", label=_("Name")),
        Column("user", label=_("User"), sort_key="user__username"),
        Column("robot", label=_("Robot")),
        Column("scopes", label=_("Scopes")),
        DateColumn("created_at", label=_("Created"), sort_key="created_at"),
        DateColumn("last_used_at", label=_("Last used"), sort_key="last_used_at"),
        StatusTagColumn(
            "state",
            accessor=key_state,
            label=_("State"),
            primary=lambda api_key: api_key.is_active,
        ),
    ]
    list_export = [
        "prefix",
        "name",
        "user",
        "robot",
        "scopes",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]

    def get_form_class(self, for_update: bool = False) -> type[ApiKeyAdminForm]:
        return ApiKeyAdminForm

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_common_view_kwargs(**{"add_url_name": None, **kwargs})

    def get_index_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_index_view_kwargs(revoke_url_name=self.get_url_name("revoke"), **kwargs)

    @cached_property
    def revoke_view(self) -> Any:
        return self.construct_view(
            ApiKeyRevokeView,
            index_url_name=self.get_url_name("index"),
            revoke_url_name=self.get_url_name("revoke"),
        )

    def get_urlpatterns(self) -> list[Any]:
        patterns = [pattern for pattern in super().get_urlpatterns() if pattern.name != "add"]
        return [*patterns, path("revoke/<int:pk>/", self.revoke_view, name="revoke")]


class ApiAccessViewSetGroup(ModelViewSetGroup):
    menu_label = _("API access")
    menu_icon = "key"
    menu_order = 800
    items = (ApiKeyViewSet("apikeys"), RobotViewSet("robots"))


@hooks.register("register_admin_viewset")
def register_api_access_viewsets() -> ApiAccessViewSetGroup:
    return ApiAccessViewSetGroup()
