"""The headless API's URLs alone: the URLconf its requests report (see api.answer_own_404s)."""

from django.urls import path

from cms.shop.api import api_router

urlpatterns = [path("api/v2/", api_router.urls)]
