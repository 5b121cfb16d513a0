"""The request's Wagtail Site comes from memory (cms/base/sites.py), never stale in-process."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from cms.base.sites import forget_sites, site_for_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_sites():
    forget_sites()
    yield
    forget_sites()  # the tests' Sites are rolled back


def site_queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries if 'FROM "wagtailcore_site"' in q["sql"]]


def test_pages_find_their_site_without_a_query_once_it_is_known(client):
    site_queries(client, "/es/")
    assert not [sql for sql in site_queries(client, "/fr/") if "CASE WHEN" in sql]


def test_each_request_gets_its_own_copy(rf):
    first, second = (site_for_request(rf.get("/es/")) for _ in range(2))
    assert first == second and first is not second  # Wagtail caches things on it
    assert first.root_page is not second.root_page


def test_an_edited_site_is_read_again(rf):
    site = Site.objects.get(is_default_site=True)
    assert site_for_request(rf.get("/es/")).site_name == site.site_name
    site.site_name = "Croody (nuevo)"
    site.save()
    assert site_for_request(rf.get("/es/")).site_name == "Croody (nuevo)"
