"""The analysts' IDS view in the Wagtail admin: who may open it, and what it shows.

The admin reads the IDS API (cms.services.client); here the API runs in process on the
test's IDS database, registered as the CMS's client for it, as the gateway does."""

from __future__ import annotations

import re
import shutil
import xml.dom.minidom
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from wagtail.users.models import UserProfile

from apis.ids import store
from apis.ids.artifact import ARTIFACT_NAME, DEFAULT_MODEL_DIR
from apis.ids.main import build_api
from apis.ids.scoring import IdsModel
from apis.ids.settings import Settings
from cms.ids_admin.chart import ChartBucket, verdict_chart
from cms.services.client import IDS, use_client
from cms.services.credentials import session_secret
from croody_core.scopes import ANALYST_GROUP

from ..support import neptune_record, normal_record

ALERTS = "/admin/ids/"
MODEL_CARD = "/admin/ids/model/"
TEMPLATES = Path(__file__).resolve().parents[3] / "cms" / "ids_admin" / "templates"


def sign_in(client, user) -> None:
    """Sign in with the admin in English, so the checks below read the source strings."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)


def serve_ids(database_url: str, model_dir: Path = DEFAULT_MODEL_DIR) -> TestClient:
    """The IDS API in process, trusting the tokens this CMS mints."""
    settings = Settings(
        database_url=database_url,
        model_dir=model_dir,
        session_secret=session_secret(),
        rate_limit="",
    )
    return TestClient(build_api(settings))


@pytest.fixture(autouse=True)
def ids_service(ids_database_url: str) -> Iterator[None]:
    """The admin reads this IDS API (the committed model, the test IDS database)."""
    with serve_ids(ids_database_url) as service:
        use_client(IDS, service)
        yield
    use_client(IDS, None)


@pytest.fixture()
def traffic(ids_engine: Engine, model: IdsModel) -> None:
    records = [normal_record()] * 3 + [neptune_record(), normal_record() | {"service": "quic"}]
    scores = model.score_batch(records)
    store.insert_predictions(
        ids_engine, records, scores, source="key:analyst1", model_version=model.version
    )


@pytest.fixture()
def analyst(client, django_user_model):
    user = django_user_model.objects.create_user("ana", password="pw-analyst-123")
    user.groups.add(Group.objects.get(name=ANALYST_GROUP))
    sign_in(client, user)
    return user


def test_the_analyst_group_exists_and_may_open_the_admin(db) -> None:
    group = Group.objects.get(name=ANALYST_GROUP)
    assert group.permissions.filter(codename="access_admin").exists()


def test_anonymous_visitors_go_to_the_login(client, db) -> None:
    response = client.get(ALERTS)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_users_outside_the_group_are_refused(client, django_user_model) -> None:
    editor = django_user_model.objects.create_user("ed", password="pw-editor-123")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    sign_in(client, editor)
    for url in (ALERTS, MODEL_CARD):
        response = client.get(url)
        # Wagtail turns the refusal into a redirect to the dashboard with a message.
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url
    assert ALERTS not in client.get("/admin/").content.decode()


def test_staff_see_the_menu_item_and_the_alerts(client, django_user_model, traffic) -> None:
    admin = django_user_model.objects.create_superuser("root", password="pw-root-12345")
    sign_in(client, admin)
    assert ALERTS in client.get("/admin/").content.decode()
    assert client.get(ALERTS).status_code == 200


def test_analysts_see_recent_alerts_a_chart_and_top_sources(client, analyst, traffic) -> None:
    assert ALERTS in client.get("/admin/").content.decode()  # the menu item
    response = client.get(ALERTS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "IDS alerts" in html  # the page's own title, not "Home"
    rows = re.findall(r'<tr class="ids-prediction">', html)
    assert len(rows) == 1  # attacks only by default: the one neptune record
    assert "DoS" in html and "key:analyst1" in html
    svg = re.search(r'<svg [^>]*class="ids-chart".*?</svg>', html, re.S)
    assert svg is not None and 'role="img"' in svg.group(0)
    assert "5 predictions: 1 attacks, 4 normal" in svg.group(0)
    assert 'href="/api/ids/predictions?verdict=attack&amp;format=csv"' in html


def test_filters_show_other_predictions_and_flag_unknown_values(client, analyst, traffic) -> None:
    html = client.get(ALERTS, {"verdict": "normal", "unknown": "on"}).content.decode()
    assert len(re.findall(r'<tr class="ids-prediction">', html)) == 1
    assert "unknown:" in html and "quic" in html
    html = client.get(ALERTS, {"verdict": ""}).content.decode()
    assert len(re.findall(r'<tr class="ids-prediction">', html)) == 5


def test_bad_filters_are_explained_not_errors(client, analyst, traffic) -> None:
    response = client.get(ALERTS, {"min_score": "7", "since": "yesterday"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"min_score", "since"}
    assert 'class="error-message"' in response.content.decode()
    response = client.get(ALERTS, {"verdict": "attack", "cursor": "not-a-cursor"})
    assert response.status_code == 200
    assert "page link is not valid" in response.content.decode()


@pytest.mark.parametrize(
    ("since", "until"),
    [("0001-01-01T00:00", ""), ("", "9999-12-31T23:59"), ("1969-12-31T23:59", "2100-01-01T00:01")],
)
def test_dates_the_service_would_refuse_are_explained_on_their_field(
    client, analyst, traffic, since, until
) -> None:
    response = client.get(ALERTS, {"since": since, "until": until})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {name for name, value in (("since", since), ("until", until)) if value}
    assert "1970-01-01" in str(errors) and "2100-01-01" in str(errors)


def test_pages_of_older_predictions(client, analyst, traffic, monkeypatch) -> None:
    monkeypatch.setattr("cms.ids_admin.views.PAGE_SIZE", 2)
    html = client.get(ALERTS, {"verdict": ""}).content.decode()
    older = re.search(r'href="\?([^"]*cursor=[^"]+)"', html)
    assert older is not None
    html = client.get(f"{ALERTS}?{older.group(1).replace('&amp;', '&')}").content.decode()
    assert len(re.findall(r'<tr class="ids-prediction">', html)) == 2


def test_model_card_shows_metadata_metrics_and_the_confusion_matrix(client, analyst, db) -> None:
    metadata = IdsModel.load().metadata
    html = client.get(MODEL_CARD).content.decode()
    assert metadata["version"] in html
    assert str(metadata["threshold"]) in html
    assert metadata["artifact"]["sha256"] in html
    assert "matches the file" in html
    assert "Leave attack types out" in html and "False-positive rate" in html
    selected = metadata["validation"]["candidates"][metadata["validation"]["selected"]]
    assert f"{selected['leave_attack_types_out']['detection_rate']:.4f}" in html
    # The picture comes from the IDS API, which the analyst's browser reads with its session.
    image_url = re.search(r'<img class="ids-confusion" src="([^"]+)"', html).group(1)
    assert image_url == "/api/ids/model/confusion-matrix.svg"


def test_model_card_says_when_the_service_refuses_a_tampered_artifact(
    client, analyst, ids_database_url: str, tmp_path: Path
) -> None:
    copy = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, copy)
    data = bytearray((copy / ARTIFACT_NAME).read_bytes())
    data[100] ^= 1
    (copy / ARTIFACT_NAME).write_bytes(bytes(data))
    with serve_ids(ids_database_url, copy) as service:
        use_client(IDS, service)
        response = client.get(MODEL_CARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The model is not in service" in html and "SHA-256" in html
    assert "matches the file" not in html


def test_pages_say_so_when_the_ids_service_is_down(client, analyst) -> None:
    use_client(IDS, None)  # no service registered and no IDS_API_URL: unreachable
    for url in (ALERTS, MODEL_CARD):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'role="alert"' in response.content.decode(), url


def test_admin_templates_have_no_inline_scripts_or_styles() -> None:
    for path in TEMPLATES.rglob("*.html"):
        html = path.read_text()
        assert "<script" not in html and not re.search(r"\sstyle\s*=", html), path


def test_chart_is_valid_svg_with_one_group_per_bucket() -> None:
    buckets = [ChartBucket(start_ms=i * 60_000) for i in range(30)]
    buckets[3] = ChartBucket(start_ms=3 * 60_000, total=9, verdicts={"normal": 7, "attack": 2})
    svg = str(verdict_chart(buckets, 60))
    document = xml.dom.minidom.parseString(svg)  # noqa: S318 -- our own markup
    assert len(document.getElementsByTagName("g")) == 30
    titles = [t.firstChild.data for t in document.getElementsByTagName("title")]
    assert "00:03 UTC: 2 attack, 7 normal" in " ".join(titles)
    assert "<script" not in svg and "style=" not in svg
