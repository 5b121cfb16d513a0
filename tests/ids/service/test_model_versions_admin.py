"""The model versions page in the Wagtail admin: analysts see the registry, staff promote,
shadow and roll back, all through the IDS API (its `ids:models` scope decides)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.utils import translation
from sqlalchemy import Engine

from apis.common.database import make_engine
from apis.ids import migrate, registry
from apis.ids.artifact import METADATA_NAME
from cms.services.client import IDS, use_client
from tests.servers import drop_database, fresh_database_url

from .conftest import sign_in
from .test_ids_admin import serve_ids
from .test_model_registry import CANDIDATE, SHIPPED, candidate_dir

VERSIONS = "/admin/ids/models/"


@pytest.fixture()
def ids_registry(tmp_path: Path) -> Iterator[Engine]:
    """The IDS API in process on an empty database of its own, with a second version."""
    url = fresh_database_url("ids_versions_admin") or f"sqlite:///{tmp_path / 'ids.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with serve_ids(url) as service:
        use_client(IDS, service)
        registry.register(engine, candidate_dir(tmp_path), by="ci")
        yield engine
    use_client(IDS, None)
    engine.dispose()
    drop_database(url)


@pytest.fixture()
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("ops", password="pw-ops-12345", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    sign_in(client, user)
    return user


def rows(html: str) -> dict[str, list[str]]:
    table = BeautifulSoup(html, "html.parser").select_one("table.ids-table")
    assert table is not None
    return {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in table.select("tbody tr")
    }


def test_analysts_see_every_version_but_cannot_change_them(
    client, analyst, ids_registry: Engine
) -> None:
    response = client.get(VERSIONS)
    assert response.status_code == 200
    html = response.content.decode()
    listed = rows(html)
    assert listed[SHIPPED][0] == "Serving" and listed[CANDIDATE][0] == "Stored"
    assert "Promote" not in html
    # A forged form is refused by the API, and the page says so.
    response = client.post(VERSIONS, {"action": "promote", "version": CANDIDATE}, follow=True)
    assert "ids:models" in response.content.decode()
    assert registry.state(ids_registry).active == SHIPPED


def test_staff_shadow_promote_and_roll_back_from_the_admin(
    client, staff, ids_registry: Engine
) -> None:
    response = client.post(VERSIONS, {"action": "shadow", "version": CANDIDATE}, follow=True)
    assert f"Version {CANDIDATE} now scores in shadow" in response.content.decode()
    assert rows(response.content.decode())[CANDIDATE][0] == "In shadow"

    response = client.post(VERSIONS, {"action": "promote", "version": CANDIDATE}, follow=True)
    html = response.content.decode()
    assert f"Version {CANDIDATE} now serves every prediction." in html
    listed = rows(html)
    assert listed[CANDIDATE][0] == "Serving" and listed[SHIPPED][0] == "Previously serving"
    history = BeautifulSoup(html, "html.parser").select_one(".ids-history").get_text(" ")
    assert f"ops promoted {CANDIDATE}" in " ".join(history.split())  # names the CMS user

    response = client.post(VERSIONS, {"action": "rollback"}, follow=True)
    assert f"Rolled back: version {SHIPPED} serves again." in response.content.decode()
    assert registry.state(ids_registry).active == SHIPPED


@pytest.mark.parametrize(
    "form",
    [
        {"action": "promote"},
        {"action": "promote", "version": "../etc"},
        {"action": "promote", "version": "x" * 40},
        {"action": "explode", "version": CANDIDATE},
        {"action": "promote", "version": "9.9.9"},
    ],
)
def test_bad_actions_are_explained_not_errors(client, staff, ids_registry: Engine, form) -> None:
    response = client.post(VERSIONS, form, follow=True)
    assert response.status_code == 200
    assert BeautifulSoup(response.content, "html.parser").select(".messages .error")
    assert registry.state(ids_registry).active == SHIPPED


def test_the_page_reads_in_the_admins_language(client, staff, ids_registry: Engine) -> None:
    staff.wagtail_userprofile.preferred_language = "ar"
    staff.wagtail_userprofile.save()
    html = client.get(VERSIONS).content.decode()
    with translation.override("ar"):
        assert translation.gettext("Serving") != "Serving"  # the catalogue has it
        assert translation.gettext("IDS model versions") in html
        assert translation.gettext("Serving") in html


def test_the_model_card_shows_how_a_version_does_on_the_analysts_labels(
    client, staff, ids_registry: Engine, tmp_path: Path
) -> None:
    card_dir = candidate_dir(tmp_path / "labelled", version="1.2.0-labels")
    card = json.loads((card_dir / METADATA_NAME).read_text())
    card["feedback"] = {
        "rows": 24,
        "served": {
            "detection_rate_on_confirmed": 0.25,
            "false_alarm_rate_on_false_positives_and_benign": 0.5,
        },
        "this_version": {
            "detection_rate_on_confirmed": 0.75,
            "false_alarm_rate_on_false_positives_and_benign": 0.125,
        },
    }
    (card_dir / METADATA_NAME).write_text(json.dumps(card))
    registry.register(ids_registry, card_dir, by="ci")
    client.post(VERSIONS, {"action": "promote", "version": "1.2.0-labels"})

    html = client.get("/admin/ids/model/").content.decode()
    section = BeautifulSoup(html, "html.parser").select_one("section[aria-labelledby=ids-feedback]")
    assert section is not None and "24 labelled cases joined the final fit" in section.text
    cells = [
        [td.get_text(strip=True) for td in tr.find_all("td")] for tr in section.select("tbody tr")
    ]
    assert cells == [["25.0\u00a0%", "75.0\u00a0%"], ["50.0\u00a0%", "12.5\u00a0%"]]
    # The supplement itself is one click away, in the format training reads.
    versions = BeautifulSoup(client.get(VERSIONS).content, "html.parser")
    link = versions.find("a", string=lambda s: s and "training supplement" in s)
    assert link["href"] == "/api/ids/predictions?label=labelled&format=csv"
