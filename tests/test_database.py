"""The database path: migrations on an empty and an existing database, connections that do
not pile up, and site search in every language (PostgreSQL when DATABASE_URL names it,
SQLite otherwise)."""

import os
import re

import httpx
import psycopg2
import pytest
from django.conf import settings
from django.utils.html import escape

from cms.shop.models import ProductIndexPage, ProductPage
from tests.servers import base_env, fresh_database_url, run_manage, start_server

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.fixture(scope="module")
def database_env(tmp_path_factory) -> dict[str, str]:
    """An empty database of its own (a sibling PostgreSQL database, or a SQLite file)."""
    env = base_env(tmp_path_factory.mktemp("database-var"))
    if database_url := fresh_database_url("migrations"):
        env["DATABASE_URL"] = database_url
    return env


def test_migrations_run_on_an_empty_and_on_an_existing_database(database_env):
    run_manage(database_env, "migrate", "--noinput")
    again = run_manage(database_env, "migrate", "--noinput")
    assert "No migrations to apply." in again
    # The models and the migrations agree: nothing left to generate.
    run_manage(database_env, "makemigrations", "--check", "--dry-run")


@pytest.mark.skipif(not ON_POSTGRES, reason="connections are counted on PostgreSQL")
def test_connections_do_not_pile_up_under_asgi(database_env, tmp_path):
    """Each request's connection is closed when it ends: the server holds none between
    requests, however many it has served (see DATABASES in cms/settings/base.py)."""
    run_manage(database_env, "migrate", "--noinput", "-v", "0")
    run_manage(database_env, "setup_croody", "--no-demo", "--no-admin")
    env = {**database_env, "PAGE_CACHE_SECONDS": "0"}  # every request reaches the database
    server = start_server("gateway", env, tmp_path / "gateway.log")
    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    try:
        with httpx.Client(base_url=server.base_url) as http:
            for _ in range(100):
                assert http.get("/es/").status_code == 200
        assert backends(env["DATABASE_URL"], name) == []
    finally:
        server.stop()


def backends(url: str, name: str) -> list[tuple]:
    """The connections open to database `name` (their process id and start time)."""
    admin = psycopg2.connect(re.sub(r"/[^/]*$", "/postgres", url))
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pid, backend_start FROM pg_stat_activity WHERE datname = %s", [name]
            )
            return sorted(cursor.fetchall())
    finally:
        admin.close()


@pytest.mark.django_db
@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_the_catalogue_search_finds_products_by_words_in_their_own_language(client, code):
    """One search index holds all eight languages (PostgreSQL's "simple" configuration, no
    language's stemmer): a word of a product's title, in its own script, finds it."""
    catalogue = ProductIndexPage.objects.get(locale__language_code=code)
    for product in ProductPage.objects.child_of(catalogue).live().order_by("pk")[:5]:
        # The title's longest word, preferring the language's own script over Latin names.
        word = max(product.title.split(), key=lambda w: (not w.isascii(), len(w)))
        html = client.get(catalogue.url, {"q": word}).content.decode()
        assert escape(product.title) in html, (code, word)
