"""The Wagtail admin: Croody's name and logo, and the dashboard's panels counted from real
data. The telemetry and IDS services run in process on databases of these tests, registered
as the CMS's clients for them (as the gateway does), and trust the tokens this CMS mints."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, update
from wagtail.models import Locale, Page
from wagtail.users.models import UserProfile
from wagtail_localize.models import StringTranslation, Translation
from wagtail_localize.operations import TranslationCreator
from wagtail_localize.synctree import create_aliases_for_new_page

from apis.common.database import make_engine
from apis.ids import migrate as ids_migrate
from apis.ids import store as ids_store
from apis.ids.artifact import DEFAULT_MODEL_DIR
from apis.ids.main import build_api as build_ids_api
from apis.ids.scoring import IdsModel
from apis.ids.settings import Settings as IdsSettings
from apis.telemetry import store
from apis.telemetry.main import build_api as build_telemetry_api
from apis.telemetry.migrate import MIGRATIONS
from apis.telemetry.schemas import ReadingIn, now_ms
from apis.telemetry.settings import Settings as TelemetrySettings
from apis.telemetry.stats import StatsCache
from apis.telemetry.tables import latest, readings
from cms.base import live_figures
from cms.base.dashboard import translation_backlog
from cms.base.live_figures import (
    FleetFigures,
    fleet_figures,
    forget_fleet_figures,
    format_count,
)
from cms.home.models import StandardPage
from cms.robots import robot_telemetry
from cms.services.client import IDS, TELEMETRY, use_client
from cms.services.credentials import session_secret
from croody_core.fleet import ONLINE_WITHIN, ONLINE_WITHIN_MS
from croody_core.scopes import ANALYST_GROUP
from tests.ids.support import neptune_record, normal_record

pytestmark = pytest.mark.django_db
DASHBOARD = "/admin/"
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS


# --- services ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("dashboard-services")
    return {
        "telemetry": f"sqlite:///{folder / 'telemetry.sqlite3'}",
        "ids": f"sqlite:///{folder / 'ids.sqlite3'}",
    }


@pytest.fixture(autouse=True)
def fresh_figures() -> Iterator[None]:
    forget_fleet_figures()
    yield
    forget_fleet_figures()


@pytest.fixture
def telemetry(databases: dict[str, str]) -> Iterator[Engine]:
    """The telemetry API the admin reads, on an emptied database; yields the database."""
    engine = make_engine(databases["telemetry"])
    MIGRATIONS.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(delete(readings))
        connection.execute(delete(latest))
    settings = TelemetrySettings(
        database_url=databases["telemetry"], session_secret=session_secret(), rate_limit=""
    )
    with TestClient(build_telemetry_api(settings)) as service:
        service.app.state.fleet_stats = StatsCache(ttl=0)  # count afresh on each request
        use_client(TELEMETRY, service)
        yield engine
    use_client(TELEMETRY, None)
    engine.dispose()


@pytest.fixture
def ids(databases: dict[str, str]) -> Iterator[Engine]:
    engine = make_engine(databases["ids"])
    ids_migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(delete(ids_store.predictions))
    settings = IdsSettings(
        database_url=databases["ids"],
        model_dir=DEFAULT_MODEL_DIR,
        session_secret=session_secret(),
        rate_limit="",
    )
    with TestClient(build_ids_api(settings)) as service:
        use_client(IDS, service)
        yield engine
    use_client(IDS, None)
    engine.dispose()


@pytest.fixture
def services_down() -> Iterator[None]:
    """No service registered and no *_API_URL: neither can be reached."""
    use_client(TELEMETRY, None)
    use_client(IDS, None)
    yield


def post_readings(engine: Engine, robot_id: str, count: int, *, ago_ms: int = 0) -> None:
    """`count` readings of a robot through the service's own write path, one a second, the
    last one taken and received `ago_ms` ago."""
    end = now_ms() - ago_ms
    batch = [
        ReadingIn.model_validate(
            {
                "robot_id": robot_id,
                "ts": end - (count - 1 - i) * 1000,
                "seq": i,
                "x": 1.0,
                "y": 2.0,
                "heading": 0.0,
                "speed": 0.5,
                "battery": 80.0,
                "status": "moving",
            }
        )
        for i in range(count)
    ]
    store.insert_readings(engine, batch)
    if ago_ms:  # as if they had arrived back then
        with engine.begin() as connection:
            for table in (readings, latest):
                connection.execute(
                    update(table)
                    .where(table.c.robot_id == robot_id)
                    .values(received_at=table.c.received_at - ago_ms)
                )


def store_predictions(engine: Engine, records: list[dict], *, ago_ms: int = 0) -> None:
    model = IdsModel.load(DEFAULT_MODEL_DIR)
    ids_store.insert_predictions(
        engine,
        records,
        model.score_batch(records),
        source="key:dashboard",
        model_version=model.version,
        created_ms=now_ms() - ago_ms,
    )


# --- users -------------------------------------------------------------------------------


def in_language(user, code: str = "en"):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = code
    profile.save()
    return user


@pytest.fixture
def admin(django_user_model):
    return in_language(django_user_model.objects.create_superuser("boss", "boss@example.com", "pw"))


@pytest.fixture
def editor(django_user_model):
    """An editor of the Editors group: the admin, pages; neither staff nor analyst."""
    user = django_user_model.objects.create_user("eddie", "eddie@example.com", "pw")
    user.groups.add(Group.objects.get(name="Editors"))
    return in_language(user)


@pytest.fixture
def analyst(django_user_model):
    """An analyst who may open the admin and the IDS view, and edit no page."""
    user = django_user_model.objects.create_user("ana", "ana@example.com", "pw")
    user.groups.add(Group.objects.get(name=ANALYST_GROUP))
    return in_language(user)


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def raw_figure(html: str, key: str) -> str:
    found = re.search(rf'<li class="croody-figure" data-figure="{key}">(.*?)</li>', html, re.S)
    assert found, f"no figure {key}"
    return found.group(1)


def figure(html: str, key: str) -> str:
    """The figure's HTML, its white space (the separators of some languages too) as spaces."""
    return re.sub(r"\s+", " ", raw_figure(html, key))


def value_of(html: str, key: str) -> str:
    found = re.search(r'<p class="croody-figure__value">([^<]*)</p>', raw_figure(html, key))
    assert found, f"figure {key} has no value"
    return found.group(1)


# --- branding ----------------------------------------------------------------------------


def test_the_sign_in_page_carries_croodys_name_and_logo(client):
    with translation.override("en"):
        html = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in to Croody" in html
    assert "Sign in to Wagtail" not in html
    assert re.search(r"<title>[^<]*- Croody</title>", html)
    assert "base/croody-mark" in html and "croody/img/favicon" in html
    assert "wagtailadmin/images/favicon.ico" not in html


def test_every_admin_page_is_titled_and_branded_croody(client, admin, telemetry, ids):
    html = dashboard(client, admin)
    assert re.search(r"<title>[^<]*- Croody</title>", html)
    sidebar_logo = re.search(
        r"<template data-wagtail-sidebar-branding-logo>(.*?)</template>", html, re.S
    )
    assert sidebar_logo and "base/croody-mark" in sidebar_logo.group(1)
    assert "Croody" in sidebar_logo.group(1)
    assert "base/admin.css" in html
    assert Path("cms/base/static/base/croody-mark.svg").read_text().startswith("<svg")


# --- live figures ------------------------------------------------------------------------


def test_robots_online_and_readings_are_counted_from_the_telemetry(client, admin, telemetry, ids):
    post_readings(telemetry, "rover-a", 1200)  # 20 minutes of readings, heard from now
    post_readings(telemetry, "rover-b", 30, ago_ms=MINUTE_MS)  # heard from a minute ago
    post_readings(telemetry, "rover-c", 10, ago_ms=10 * MINUTE_MS)  # silent for 10 min
    post_readings(telemetry, "rover-d", 5, ago_ms=2 * HOUR_MS)  # outside the last hour
    html = dashboard(client, admin)
    assert value_of(html, "robots-online") == "2"
    assert "of 4 that have sent readings" in figure(html, "robots-online")
    assert value_of(html, "readings-last-hour") == "1,240"  # grouped as English writes it
    assert 'href="/admin/fleet/?seen=online"' in figure(html, "robots-online")


def test_online_means_what_it_means_in_the_fleet_view() -> None:
    """The service counts robots online with the fleet view's own window."""
    assert ONLINE_WITHIN == robot_telemetry.ONLINE_WITHIN
    assert ONLINE_WITHIN.total_seconds() * 1000 == ONLINE_WITHIN_MS


def test_numbers_use_the_separators_of_the_admins_language(client, admin, telemetry, ids):
    post_readings(telemetry, "rover-a", 1234)
    expected = {"es": "1.234", "fr": "1\u202f234", "hi": "1,234", "zh-hans": "1,234"}
    for code, shown in expected.items():
        html = dashboard(client, in_language(admin, code))
        assert value_of(html, "readings-last-hour") == shown, code


def test_counts_are_grouped_as_each_language_writes_them() -> None:
    expected = {
        "es": "1.234.567",
        "en": "1,234,567",
        "fr": "1\u202f234\u202f567",
        "pt": "1.234.567",
        "ar": "1,234,567",
        "zh-hans": "1,234,567",
        "ja": "1,234,567",
        "hi": "12,34,567",  # lakh grouping
    }
    for code, shown in expected.items():
        with translation.override(code):
            assert format_count(1_234_567) == shown, code


def test_ids_alerts_of_the_last_day_are_shown_to_analysts(client, analyst, telemetry, ids):
    store_predictions(ids, [neptune_record()] * 3 + [normal_record()] * 4)
    store_predictions(ids, [neptune_record()] * 5, ago_ms=25 * HOUR_MS)  # older than a day
    html = dashboard(client, analyst)
    assert value_of(html, "ids-alerts") == "3"
    link = re.search(r'href="([^"]*)"', figure(html, "ids-alerts"))
    assert link and link.group(1).startswith("/admin/ids/?verdict=attack&amp;since=")
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200  # the filter the link sets is one the view accepts


def test_editors_who_cannot_view_the_ids_see_no_alert_count(client, editor, telemetry, ids):
    store_predictions(ids, [neptune_record()])
    html = dashboard(client, editor)
    assert 'data-figure="ids-alerts"' not in html
    assert value_of(html, "robots-online") == "0"
    assert "/admin/fleet/" not in figure(html, "robots-online")  # not staff: no fleet view


def test_each_figure_says_so_when_its_service_is_down(client, admin, services_down):
    html = dashboard(client, admin)
    for key in ("robots-online", "readings-last-hour"):
        assert "The telemetry service is not answering" in figure(html, key)
        assert "croody-figure__value" not in figure(html, key)
    assert "The IDS service is not answering" in figure(html, "ids-alerts")
    assert 'id="croody-translation-backlog-section"' in html  # the rest still shows


def test_fleet_figures_are_cached_briefly_and_none_when_the_service_is_down(telemetry):
    post_readings(telemetry, "rover-a", 3)
    first = fleet_figures()
    assert first == FleetFigures(
        robots_online=1, robots_total=1, readings_last_hour=3, readings_today=first.readings_today
    )
    assert first.readings_today >= 0
    post_readings(telemetry, "rover-b", 3)
    assert fleet_figures() == first  # cached
    forget_fleet_figures()
    assert fleet_figures().robots_online == 2
    use_client(TELEMETRY, None)
    forget_fleet_figures()
    assert fleet_figures() is None


def test_a_malformed_answer_counts_as_unavailable(telemetry, monkeypatch):
    monkeypatch.setattr(live_figures.client, "get_json", lambda *args: {"robots_online": "many"})
    assert fleet_figures() is None


# --- pages awaiting translation ----------------------------------------------------------


def backlog() -> dict[str, tuple[int, int, int]]:
    return {
        row.locale.language_code: (row.untranslated, row.waiting, row.outdated)
        for row in translation_backlog()
    }


def new_spanish_page(title: str):
    home = Page.objects.get(locale__language_code="es", depth=2)
    page = home.add_child(instance=StandardPage(title=title, slug=title.lower().replace(" ", "-")))
    page.save_revision().publish()
    return page


def test_the_backlog_counts_each_state_of_a_page_in_each_language(client, admin, telemetry, ids):
    before = backlog()
    assert set(before) == {"en", "fr", "pt", "ar", "zh-hans", "ja", "hi"}  # not Spanish

    page = new_spanish_page("Guía de carga")
    after_creation = backlog()
    for code, (untranslated, waiting, outdated) in before.items():
        assert after_creation[code] == (untranslated + 1, waiting, outdated), code

    create_aliases_for_new_page(page)  # what "sync from Spanish" does: an alias per language
    assert backlog() == after_creation  # still untranslated, now as an alias

    french = Locale.objects.get(language_code="fr")
    TranslationCreator(user=None, target_locales=[french]).create_translations(page)
    now = backlog()
    assert now["fr"] == (before["fr"][0], before["fr"][1] + 1, before["fr"][2])
    assert now["en"] == after_creation["en"]

    translation_row = Translation.objects.get(
        source__object_id=page.translation_key, target_locale=french
    )
    for segment in translation_row.source.stringsegment_set.select_related("string", "context"):
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=french,
            context=segment.context,
            data=f"FR {segment.string.data}",
        )
    assert backlog()["fr"] == before["fr"]  # every string translated: nothing awaits

    page.title = "Guía de carga rápida"
    page.save_revision().publish()
    assert backlog()["fr"] == (before["fr"][0], before["fr"][1], before["fr"][2] + 1)

    html = dashboard(client, admin)
    row = re.search(r'<tr data-language="fr">(.*?)</tr>', html, re.S).group(1)
    assert 'href="/admin/translations/fr/#outdated"' in row


def test_the_list_of_a_language_links_each_page_to_its_action(client, admin):
    page = new_spanish_page("Guía de carga")
    client.force_login(admin)
    html = client.get("/admin/translations/ja/").content.decode()
    assert "Guía de carga" in html
    assert f'href="/admin/localize/submit/page/{page.pk}/"' in html  # no version yet

    create_aliases_for_new_page(page)
    alias = Page.objects.get(translation_key=page.translation_key, locale__language_code="ja")
    html = client.get("/admin/translations/ja/").content.decode()
    assert f'href="/admin/pages/{alias.pk}/edit/"' in html  # its editor offers "Translate"

    french = Locale.objects.get(language_code="fr")
    TranslationCreator(user=None, target_locales=[french]).create_translations(page)
    target = Page.objects.get(translation_key=page.translation_key, locale=french)
    html = client.get("/admin/translations/fr/").content.decode()
    waiting = re.search(r'<section id="waiting".*?</section>', html, re.S).group(0)
    assert f'href="/admin/pages/{target.pk}/edit/"' in waiting

    page.save_revision().publish()
    html = client.get("/admin/translations/fr/").content.decode()
    outdated = re.search(r'<section id="outdated".*?</section>', html, re.S).group(0)
    source = Translation.objects.get(source__object_id=page.translation_key, target_locale=french)
    assert f'href="/admin/localize/update/{source.source_id}/"' in outdated


def test_only_editors_see_the_backlog(client, analyst, editor, telemetry, ids):
    html = dashboard(client, analyst)
    assert "croody-translation-backlog" not in html
    assert client.get("/admin/translations/fr/").status_code in (302, 403)
    html = dashboard(client, editor)
    assert "croody-translation-backlog" in html
    assert client.get("/admin/translations/fr/").status_code == 200
    # Not a language that awaits translation: Spanish is the source; xx is none.
    assert client.get("/admin/translations/es/", follow=True).status_code == 404
    assert client.get("/admin/translations/xx/", follow=True).status_code == 404


def test_the_panels_speak_the_editors_language(client, admin, telemetry, ids):
    html = dashboard(client, in_language(admin, "fr"))
    assert "Pages awaiting translation" not in html
    assert "Robots online" not in html
