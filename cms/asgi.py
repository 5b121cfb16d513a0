"""ASGI entry point for the CMS alone (`uvicorn cms.asgi:application`); the gateway reuses it."""

import os

from django.core.asgi import get_asgi_application

from observability import instrument

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

django_application = get_asgi_application()  # first: sets up Django

from cms.pagecache.asgi import PageCacheASGI  # noqa: E402

# Cached pages are answered before Django (cms/pagecache/asgi.py).
# django-stubs type Django's handler with a dict scope and Mapping messages: ASGI all the same.
application = instrument(PageCacheASGI(django_application), service="cms")  # type: ignore[arg-type]
