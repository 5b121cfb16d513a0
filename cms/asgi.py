"""ASGI entry point for the CMS alone (`uvicorn cms.asgi:application`); the gateway reuses it."""

import os

from django.core.asgi import get_asgi_application

from observability import instrument

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

application = instrument(get_asgi_application(), service="cms")
