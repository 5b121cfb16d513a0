import math

import pytest
from django.core.management import call_command
from django.test import Client
from wagtail.models import Page

from cms.base.message_catalogues import compile_catalogues


def pytest_configure(config: pytest.Config) -> None:
    """Interface translations are build output: compile the .po files changed since the
    last run before any test renders a page (Django reads a .mo once per process)."""
    compile_catalogues()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every database test starts from what `make run` sets up: 8 locales and the demo site."""
    with django_db_blocker.unblock():
        call_command("setup_croody", "--no-admin", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture(scope="session")
def renditions(django_db_setup, django_db_blocker) -> None:
    """Image renditions are a cache of files: make them once, outside the tests' rolled-back
    transactions, rather than again in every test (every language shows the same images).
    Every Spanish demo page, each page of the catalogue, and the product API's images."""
    from cms.shop.models import ProductIndexPage  # models: once Django is set up

    with django_db_blocker.unblock():
        client = Client()
        pages = (
            Page.objects.live()
            .filter(locale__language_code="es", depth__gt=1, alias_of__isnull=True)
            .order_by("path")
            .specific()
        )
        for page in pages:
            assert client.get(page.url).status_code == 200, page.url
            if isinstance(page, ProductIndexPage):  # the cards on the catalogue's other pages
                count = math.ceil(page.get_products().count() / page.products_per_page)
                for number in range(2, count + 1):
                    assert client.get(f"{page.url}?page={number}").status_code == 200
        response = client.get("/api/v2/products/?locale=es&limit=50")
        assert response.status_code == 200, response.content


@pytest.fixture
def security_log():
    """What `croody.security` writes during the test, read back (tests.security_log)."""
    from tests.security_log import capture_security_log

    with capture_security_log() as log:
        yield log
