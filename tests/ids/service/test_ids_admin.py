"""The analysts' IDS view in the Wagtail admin: who may open it, and what it shows.

The admin reads the IDS API (cms.services.client); here the API runs in process on the
test's IDS database, registered as the CMS's client for it, as the gateway does."""

from __future__ import annotations

import re
import shutil
import xml.dom.minidom
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import translation
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from wagtail.users.models import UserProfile

from apis.ids import store
from apis.ids.artifact import ARTIFACT_NAME, DEFAULT_MODEL_DIR
from apis.ids.main import build_api
from apis.ids.scoring import IdsModel
from apis.ids.settings import Settings
from cms.ids_admin.chart import COMPACT, WIDE, ChartBucket, localized, verdict_chart
from cms.ids_admin.forms import AlertFilterForm
from cms.services.client import IDS, use_client
from cms.services.credentials import session_secret
from croody_core.scopes import ANALYST_GROUP

from ..support import neptune_record, normal_record
from .conftest import sign_in

ALERTS = "/admin/ids/"
MODEL_CARD = "/admin/ids/model/"
TEMPLATES = Path(__file__).resolve().parents[3] / "cms" / "ids_admin" / "templates"


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


def store_records(
    engine: Engine,
    model: IdsModel,
    records: list[dict[str, Any]],
    source: str = "key:analyst1",
    at: datetime | None = None,
) -> list[int]:
    """Score and store records as the API would; their ids, oldest first."""
    return store.insert_predictions(
        engine,
        records,
        model.score_batch(records),
        source=source,
        model_version=model.version,
        created_ms=None if at is None else int(at.timestamp() * 1000),
    )


@pytest.fixture()
def traffic(ids_engine: Engine, model: IdsModel) -> list[int]:
    records = [normal_record()] * 3 + [neptune_record(), normal_record() | {"service": "quic"}]
    return store_records(ids_engine, model, records)


def test_the_analyst_group_exists_and_may_open_the_admin(db) -> None:
    group = Group.objects.get(name=ANALYST_GROUP)
    assert group.permissions.filter(codename="access_admin").exists()


def test_anonymous_visitors_go_to_the_login(client, db) -> None:
    response = client.get(ALERTS)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_users_outside_the_group_get_403_on_every_ids_page(
    client, django_user_model, ids_engine, model
) -> None:
    (prediction_id,) = store_records(ids_engine, model, [neptune_record()])
    editor = django_user_model.objects.create_user("ed", password="pw-editor-123")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    sign_in(client, editor)
    detail = f"{ALERTS}predictions/{prediction_id}/"
    for url in (ALERTS, MODEL_CARD, detail, f"{ALERTS}predictions/999999/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "IDS analysts" in response.content.decode()  # says why, in the admin's chrome
    # Writes are refused too, and change nothing.
    assert client.post(detail, {"label": "false_positive"}).status_code == 403
    assert (
        client.post(ALERTS, {"ids": [prediction_id], "label": "benign_expected"}).status_code == 403
    )
    assert store.get_prediction(ids_engine, prediction_id).triage is None
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
    assert len(listed_ids(html)) == 1  # attacks only by default: the one neptune record
    assert "DoS" in html and "key:analyst1" in html
    svg = re.search(r'<svg [^>]*class="ids-chart ids-chart-wide".*?</svg>', html, re.S)
    assert svg is not None and 'role="img"' in svg.group(0)
    # The counters and the chart describe the same predictions as the list: attacks only.
    assert "1 predictions (attacks 1, normal 0)" in svg.group(0)
    assert response.context["stats"]["total"] == 1
    assert 'href="/api/ids/predictions?verdict=attack&amp;format=csv"' in html


def test_filters_show_other_predictions_and_flag_unknown_values(client, analyst, traffic) -> None:
    html = client.get(ALERTS, {"verdict": "normal", "unknown": "on"}).content.decode()
    assert len(listed_ids(html)) == 1
    assert "unknown:" in html and "quic" in html
    html = client.get(ALERTS, {"verdict": ""}).content.decode()
    assert len(listed_ids(html)) == 5


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
    assert len(listed_ids(html)) == 2


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


def test_model_card_shows_unseen_traffic_figures_first(client, analyst, db) -> None:
    """Before any in-sample figure, the analyst reads what the model does on attack types it
    never saw (per category, the folds' spread, macro over categories) and on the hardest rows."""
    metadata = IdsModel.load().metadata
    selected = metadata["validation"]["candidates"][metadata["validation"]["selected"]]
    lato, hardest = selected["leave_attack_types_out"], selected["hardest_rows_held_out"]
    soup = BeautifulSoup(client.get(MODEL_CARD).content, "html.parser")
    headings = [h.get_text(strip=True) for h in soup.main.find_all("h2")]
    assert headings[0] == "What to expect on traffic it never saw", headings
    table = soup.find("section", attrs={"aria-labelledby": "ids-unseen"}).find("table")
    rows = {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in table.tbody.find_all("tr")
    }

    def shown(value: float) -> str:
        return f"{value * 100:.1f}\u00a0%"

    r2l_spread = lato["per_fold"]["spread"]["detection_rate_by_category"]["R2L"]
    assert rows["R2L"] == [
        shown(lato["detection_rate_by_category"]["R2L"]),
        f"{shown(r2l_spread['min'])}\u2013{shown(r2l_spread['max'])}",
        shown(hardest["detection_rate_by_category"]["R2L"]),
    ]
    assert rows["Macro-average over categories"][0] == shown(
        lato["detection_rate_macro_over_categories"]
    )
    assert rows["False alarms on normal traffic"][2] == shown(hardest["false_positive_rate"])


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
        # Scripts come from static files only (CSP): a <script> has a src and no body.
        for script in re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S):
            assert script.strip() == "", path
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\sstyle\s*=", html), path


def test_chart_is_valid_svg_with_one_group_per_bucket() -> None:
    buckets = [ChartBucket(start_ms=i * 60_000) for i in range(30)]
    buckets[3] = ChartBucket(start_ms=3 * 60_000, total=9, verdicts={"normal": 7, "attack": 2})
    with translation.override("en"):  # the bar titles are in the active language
        svg = str(verdict_chart(buckets, 60))
    document = xml.dom.minidom.parseString(svg)  # noqa: S318 -- our own markup
    assert len(document.getElementsByTagName("g")) == 30
    titles = [t.firstChild.data for t in document.getElementsByTagName("title")]
    assert "00:03 UTC: attacks 2, normal 7" in " ".join(titles)
    assert "<script" not in svg and "style=" not in svg


# -- issue #18: counters and chart under every filter, paging, detail, triage, precision ------


def span(first: int, last: int, total: int) -> str:
    return f"{first}\u2013{last} of {total}"  # an en dash, as typeset


def listed_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr class="ids-prediction" data-id="(\d+)"', html)]


def match_count(html: str) -> str:
    found = re.search(r'<p class="ids-range" id="ids-range">(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else ""


def page_link(html: str, rel: str) -> str | None:
    found = re.search(rf'href="(\?[^"]+)" rel="{rel}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def bar_totals(html: str) -> int:
    """Predictions drawn in the wide chart (its bars' data attributes)."""
    svg = re.search(r"<svg [^>]*ids-chart-wide.*?</svg>", html, re.S)
    assert svg is not None
    counts = re.findall(r'data-attacks="(\d+)" data-normal="(\d+)"', svg.group(0))
    return sum(int(a) + int(n) for a, n in counts)


@pytest.fixture()
def mixed(ids_engine: Engine, model: IdsModel) -> dict[str, list[int]]:
    """Two sources two hours apart: a has 3 normal and 2 attacks; b an attack and an unknown."""
    t0 = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    a = store_records(
        ids_engine, model, [normal_record()] * 3 + [neptune_record()] * 2, "key:aaaa", t0
    )
    b = store_records(
        ids_engine,
        model,
        [neptune_record(), normal_record() | {"service": "quic"}],
        "key:bbbb",
        t0 + timedelta(hours=2),
    )
    return {"a": a, "b": b}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"verdict": ""}, 7),
        ({}, 3),  # the default: attacks only
        ({"verdict": "normal"}, 4),
        ({"verdict": "", "category": "DoS"}, 3),
        ({"verdict": "", "source": "key:bbbb"}, 2),
        ({"verdict": "", "min_score": "0.99"}, 3),
        ({"verdict": "", "max_score": "0.99"}, 4),
        ({"verdict": "", "model_version": "0.0.0-none"}, 0),
        ({"verdict": "", "unknown": "on"}, 1),
        ({"verdict": "", "since": "2026-11-28T11:00"}, 2),
        ({"verdict": "", "until": "2026-11-28T11:00"}, 5),
        ({"verdict": "", "label": "labelled"}, 0),
        ({"verdict": "", "label": "unlabelled"}, 7),
    ],
)
def test_counters_and_chart_follow_every_filter(client, analyst, mixed, filters, expected) -> None:
    response = client.get(ALERTS, filters)
    html = response.content.decode()
    assert response.context["stats"]["total"] == expected
    assert bar_totals(html) == expected  # the chart draws the same predictions
    assert len(listed_ids(html)) == expected  # as the list shows
    assert f'data-count="{expected}">{expected}</dd>' in html  # the first counter
    attacks = response.context["stats"]["verdicts"].get("attack", 0)
    assert f'<dd class="ids-attack" data-count="{attacks}">' in html


def test_the_chart_spans_the_data_or_the_chosen_window(client, analyst, mixed) -> None:
    response = client.get(ALERTS, {"verdict": ""})
    since, until = response.context["since"], response.context["until"]
    # No time chosen: from the first matching prediction to just after the last one.
    assert since <= datetime(2026, 11, 28, 10, 0, tzinfo=UTC) < until
    assert (
        datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
        < until
        <= datetime(2026, 11, 28, 13, 0, tzinfo=UTC)
    )
    assert "the chart spans the predictions that match" in response.content.decode()

    window = {"verdict": "", "since": "2026-11-27T00:00", "until": "2026-11-30T00:00"}
    response = client.get(ALERTS, window)
    assert response.context["since"] == datetime(2026, 11, 27, tzinfo=UTC)
    assert response.context["until"] == datetime(2026, 11, 30, tzinfo=UTC)
    assert response.context["bucket"] == "1h"  # 72 bars

    response = client.get(ALERTS, {"model_version": "0.0.0-none"})
    assert "No prediction matches these filters" in response.content.decode()


def test_numbers_use_the_separators_of_the_page_language(
    client, analyst, ids_engine, model
) -> None:
    store_records(ids_engine, model, [normal_record()] * 1234)
    expected = {"en": "1,234", "es": "1\xa0234", "pt-pt": "1.234", "ar": "1.234", "hi": "1,234"}
    for language, text in expected.items():
        profile = UserProfile.get_for_user(analyst)
        profile.preferred_language = language
        profile.save()
        html = client.get(ALERTS, {"verdict": ""}).content.decode()
        assert f'data-count="1234">{text}</dd>' in html, language
        assert f"{text}" in match_count(html), language  # "1-50 of 1,234"
    with translation.override("hi"):
        assert localized(1234567) == "12,34,567"  # Indian grouping


def test_paging_both_ways_with_the_match_count(client, analyst, traffic, monkeypatch) -> None:
    monkeypatch.setattr("cms.ids_admin.views.PAGE_SIZE", 2)
    newest_first = sorted(traffic, reverse=True)
    html = client.get(ALERTS, {"verdict": ""}).content.decode()
    assert match_count(html) == span(1, 2, 5)
    assert listed_ids(html) == newest_first[:2]
    assert page_link(html, "prev") is None
    html = client.get(ALERTS + page_link(html, "next")).content.decode()
    assert (match_count(html), listed_ids(html)) == (span(3, 4, 5), newest_first[2:4])
    html = client.get(ALERTS + page_link(html, "next")).content.decode()
    assert (match_count(html), listed_ids(html)) == (span(5, 5, 5), newest_first[4:])
    assert page_link(html, "next") is None
    html = client.get(ALERTS + page_link(html, "prev")).content.decode()
    assert (match_count(html), listed_ids(html)) == (span(3, 4, 5), newest_first[2:4])
    back = page_link(html, "prev")
    assert back is not None and "verdict=&" in back  # the filters travel with the page
    html = client.get(ALERTS + back).content.decode()
    assert (match_count(html), listed_ids(html)) == (span(1, 2, 5), newest_first[:2])
    assert page_link(html, "prev") is None


def test_a_source_is_a_link_that_filters_by_it(client, analyst, mixed) -> None:
    html = client.get(ALERTS, {"verdict": "", "category": "DoS"}).content.decode()
    link = re.search(r'<a href="(\?[^"]*source=key%3Abbbb[^"]*)"', html)
    assert link is not None
    response = client.get(ALERTS + link.group(1).replace("&amp;", "&"))
    assert response.context["form"]["source"].value() == "key:bbbb"
    assert response.context["form"]["category"].value() == "DoS"  # other filters kept
    assert listed_ids(response.content.decode()) == mixed["b"][:1]


def test_a_prediction_has_a_detail_page(client, analyst, mixed, model) -> None:
    attack_id = mixed["a"][3]
    html = client.get(ALERTS, {"verdict": ""}).content.decode()
    assert f'href="/admin/ids/predictions/{attack_id}/?back=' in html
    response = client.get(f"{ALERTS}predictions/{attack_id}/", {"back": "verdict=&category=DoS"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Prediction" in html and str(attack_id) in html
    assert model.version in html and "DoS" in html
    assert f"{response.context['p']['score']:.4f}" in html
    features = re.search(r'<table class="ids-table ids-features">.*?</table>', html, re.S).group(0)
    assert features.count("<tr>") == 42  # a header and the 41 input features
    assert "<code>flag</code></th><td>S0</td>" in features
    top = re.search(r'<table class="ids-table ids-top-features">.*?</table>', html, re.S)
    assert top is not None and top.group(0).count("<tr>") == 6  # header and the top five
    assert "Not triaged" in html
    assert 'href="/admin/ids/?verdict=&amp;category=DoS"' in html  # back to the same list
    # No such prediction (or an id no database holds): not found. (The site's locale
    # middleware sends any 404 outside /api/ on to /es/...; it ends in a 404 there too.)
    for missing in (999999, 99999999999999999999):
        response = client.get(f"{ALERTS}predictions/{missing}/", follow=True)
        assert response.status_code == 404, missing


def test_triage_from_the_detail_page(client, analyst, mixed, ids_engine) -> None:
    attack_id = mixed["a"][3]
    url = f"{ALERTS}predictions/{attack_id}/"
    response = client.post(url, {"label": "false_positive", "note": "the lab's scanner"})
    assert (response.status_code, response["Location"]) == (302, f"{url}?")
    triage = store.get_prediction(ids_engine, attack_id).triage
    assert (triage.label, triage.note, triage.labelled_by_user_id) == (
        "false_positive",
        "the lab's scanner",
        analyst.pk,
    )
    html = client.get(url).content.decode()
    assert "False positive" in html and "by ana" in html and "the lab&#x27;s scanner" in html
    # The label filters the list.
    html = client.get(ALERTS, {"verdict": "", "label": "false_positive"}).content.decode()
    assert listed_ids(html) == [attack_id]
    html = client.get(ALERTS, {"verdict": "", "label": "unlabelled"}).content.decode()
    assert attack_id not in listed_ids(html) and len(listed_ids(html)) == 6
    # And can be removed again.
    client.post(url, {"label": "clear", "note": ""})
    assert store.get_prediction(ids_engine, attack_id).triage is None
    # A label is required, and the error stands next to it.
    response = client.post(url, {"note": "forgot the label"})
    assert response.status_code == 200
    assert 'id="ids-triage-label_error"' in response.content.decode()


def test_triage_a_selection_from_the_list(client, analyst, mixed, ids_engine) -> None:
    chosen = [mixed["a"][3], mixed["b"][0]]
    query = "verdict=attack&source="
    response = client.post(
        f"{ALERTS}?{query}", {"ids": chosen, "label": "confirmed_attack", "note": "SYN flood"}
    )
    assert (response.status_code, response["Location"]) == (302, f"{ALERTS}?{query}")
    for prediction_id in chosen:
        assert store.get_prediction(ids_engine, prediction_id).triage.label == "confirmed_attack"
    assert store.get_prediction(ids_engine, mixed["a"][4]).triage is None
    response = client.get(response["Location"])
    html = response.content.decode()
    assert "Predictions marked “Confirmed attack”: 2." in html
    assert html.count('class="status-tag ids-label ids-label-confirmed_attack"') == 2
    assert response.context["stats"]["labels"]["confirmed_attack"] == 2  # a counter

    # Nothing ticked, or an id that is not there: said beside the selection, nothing changes.
    response = client.post(f"{ALERTS}?{query}", {"label": "benign_expected"})
    assert response.status_code == 200
    assert "Tick at least one prediction" in response.content.decode()
    response = client.post(
        f"{ALERTS}?{query}", {"ids": [mixed["a"][4], 999999], "label": "benign_expected"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "do not exist; nothing was changed: 999999" in html
    assert f'id="ids-select-{mixed["a"][4]}" checked' in html  # the selection is kept
    assert store.get_prediction(ids_engine, mixed["a"][4]).triage is None


def test_triage_forms_are_csrf_protected_posts(django_user_model, mixed) -> None:
    user = django_user_model.objects.create_user("csrf", password="pw-analyst-123")
    user.groups.add(Group.objects.get(name=ANALYST_GROUP))
    strict = Client(enforce_csrf_checks=True)
    sign_in(strict, user)
    detail = f"{ALERTS}predictions/{mixed['a'][3]}/"
    assert strict.post(detail, {"label": "false_positive"}).status_code == 403
    assert strict.post(ALERTS, {"ids": mixed["a"][3], "label": "false_positive"}).status_code == 403
    for url in (detail, f"{ALERTS}?verdict="):
        html = strict.get(url).content.decode()
        assert re.search(
            r'<form method="post"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', html
        ), url


def test_precision_by_model_version_from_the_labels(client, analyst, mixed, model) -> None:
    attacks = [mixed["a"][3], mixed["a"][4], mixed["b"][0]]
    client.post(ALERTS, {"ids": attacks[:2], "label": "confirmed_attack"})
    client.post(ALERTS, {"ids": attacks[2:], "label": "false_positive"})
    for url in (f"{ALERTS}?verdict=", MODEL_CARD):
        html = client.get(url).content.decode()
        row = re.search(rf'<tr data-version="{re.escape(model.version)}">.*?</tr>', html, re.S)
        assert row is not None, url
        cells = re.findall(r'<td class="ids-number[^"]*">(.*?)</td>', row.group(0), re.S)
        # alerts, triaged, confirmed, false positives, benign, precision, missed
        assert [c.strip() for c in cells] == ["3", "3", "2", "1", "0", "66.7\xa0%", "0"], url


def test_csv_export_follows_the_filters_including_the_label(client, analyst, mixed) -> None:
    html = client.get(ALERTS, {"verdict": "", "label": "false_positive"}).content.decode()
    assert 'href="/api/ids/predictions?label=false_positive&amp;format=csv"' in html


def field_errors(html: str, name: str) -> str:
    """The text of the errors shown right under a field (its id_<name>_error box)."""
    found = re.search(rf'<div class="ids-errors" id="id_{name}_error">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def test_form_errors_use_the_labels_next_to_the_fields(client, analyst, mixed) -> None:
    bad = {
        "since": "2026-11-29T00:00",
        "until": "2026-11-28T00:00",
        "min_score": "0.9",
        "max_score": "0.1",
    }
    response = client.get(ALERTS, bad)
    assert set(response.context["form"].errors) == {"until", "max_score"}  # none in a block
    html = response.content.decode()
    assert field_errors(html, "until") == "“Until” must be later than “From”."
    assert field_errors(html, "max_score") == (
        "“Maximum score” must not be lower than “Minimum score”."
    )
    field = re.search(
        r'<div class="ids-field ids-field-invalid">\s*<label for="id_until".*?</div>\s*</div>',
        html,
        re.S,
    )
    assert field is not None and "must be later than" in field.group(0)  # beside its input
    assert re.search(r'<input [^>]*aria-describedby="id_until_helptext id_until_error"', html)
    # In the analyst's language, with that language's labels.
    profile = UserProfile.get_for_user(analyst)
    profile.preferred_language = "es"
    profile.save()
    with translation.override("es"):
        since_label, until_label = (
            str(AlertFilterForm().fields[n].label) for n in ("since", "until")
        )
    assert (since_label, until_label) == ("Desde", "Hasta")
    html = client.get(ALERTS, bad).content.decode()
    assert field_errors(html, "until") == "«Hasta» debe ser posterior a «Desde»."
    assert f'<label for="id_until">{until_label}:</label>' in html


def test_the_compact_chart_keeps_every_label_inside_the_picture() -> None:
    start = int(datetime(2026, 11, 28, tzinfo=UTC).timestamp() * 1000)
    buckets = [
        ChartBucket(start_ms=start + i * 3_600_000, total=i, verdicts={"normal": i})
        for i in range(120)
    ]
    for layout in (WIDE, COMPACT):
        svg = str(verdict_chart(buckets, 3600, layout))
        document = xml.dom.minidom.parseString(svg)  # noqa: S318 -- our own markup
        texts = document.getElementsByTagName("text")
        time_labels = [
            t
            for t in texts
            if t.getAttribute("y") == str(layout.height - layout.bottom + layout.font_size + 6)
        ]
        assert 2 <= len(time_labels) <= layout.time_labels
        for text in time_labels:
            x = float(text.getAttribute("x"))
            anchor = text.getAttribute("text-anchor")
            reach = {"start": (0, 2), "middle": (1, 1), "end": (2, 0)}[anchor]
            assert x - reach[0] * layout.label_half_width >= 0
            assert x + reach[1] * layout.label_half_width <= layout.width
        assert document.documentElement.getAttribute("direction") == "ltr"


HOSTILE = [
    "\x00",
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "9" * 40,
    "-1",
    "é" * 300,
    "\r\nX: y",
]


def test_hostile_input_on_the_analyst_pages_is_never_a_server_error(client, analyst, mixed) -> None:
    detail = f"{ALERTS}predictions/{mixed['a'][0]}/"
    names = ["verdict", "category", "label", "min_score", "max_score", "source", "model_version"]
    for value in HOSTILE:
        for name in [*names, "since", "until", "unknown", "cursor", "start"]:
            response = client.get(ALERTS, {"verdict": "", name: value})
            assert response.status_code == 200, (name, value)
            assert "<script>alert(1)</script>" not in response.content.decode()
        assert client.get(detail, {"back": value}).status_code == 200, value
        for data in (
            {"ids": value, "label": "false_positive"},
            {"ids": mixed["a"][0], "label": value},
            {"ids": mixed["a"][0], "label": "false_positive", "note": value * 4},
        ):
            assert client.post(ALERTS, data).status_code in (200, 302), data
            assert client.post(detail, data).status_code in (200, 302), data
