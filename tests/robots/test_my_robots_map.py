"""My robots as the server renders it (JavaScript off): the metric grid and scale bar, the
dock/start marker, the empty state before the first reading, the times in the locale's format
and no "-0" anywhere. The telemetry API runs in process (tests/robots/test_views.py)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from django.utils import formats, translation

from apis.telemetry.schemas import ReadingIn
from cms.robots.models import Robot
from tests.robots.test_views import post, row, section, telemetry, telemetry_url, track  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
LANGUAGES = ["es", "en", "fr", "pt", "ar", "zh-hans", "ja", "hi"]
NEGATIVE_ZERO = re.compile(r"(?<![\d.,])-0(?:[.,]0*)?(?![\d.,])")


@pytest.fixture
def engine(request):
    """The telemetry database behind the API the site reads (test_views.py's `telemetry`)."""
    return request.getfixturevalue("telemetry")


def profile(client, user, language: str = "en") -> str:
    client.force_login(user)
    response = client.get(f"/{language}/account/profile/")
    assert response.status_code == 200
    return section(response.content.decode())


def figure(html: str) -> str:
    found = re.search(r"<figure .*?</figure>", html, re.S)
    assert found, "no map figure"
    return found.group(0)


def test_before_the_first_reading_the_owner_is_told_how_to_send_it(client, user, engine):
    rover = Robot.objects.create(owner=user, name="Rover")
    mine = profile(client, user)
    assert "Waiting for the first reading" in mine
    assert "<code>telemetry:write</code>" in mine
    assert 'href="#tokens"' in mine  # where the key is created, on the same page
    assert 'href="/api/telemetry/docs"' in mine
    # The map is not drawn empty: it waits, hidden, for the first live reading.
    assert re.search(r"<figure [^>]*data-map-figure hidden", mine)

    # The example is a command that works as it is, for this robot.
    example = re.search(r"<pre [^>]*><code>(.*?)</code></pre>", mine, re.S).group(1)
    assert f"{django_settings.SITE_URL}/api/telemetry/ingest" in example
    assert "Bearer $ROBOT_KEY" in example
    body = re.search(r"-d &#x27;(\{.*?\})&#x27;", example).group(1).replace("&quot;", '"')
    reading = ReadingIn.model_validate(json.loads(body))
    assert reading.robot_id == rover.robot_id


def test_the_empty_state_in_every_language(client, user, engine):
    Robot.objects.create(owner=user, name="Rover")
    english = profile(client, user, "en")
    for language in LANGUAGES[2:]:
        mine = profile(client, user, language)
        assert "data-map-empty" in mine
        with translation.override(language):
            assert translation.gettext("Waiting for the first reading") in mine
        assert "Waiting for the first reading" not in mine, language
        assert mine != english


def test_no_empty_state_once_a_robot_has_readings(client, user, engine):
    rover = Robot.objects.create(owner=user, name="Rover")
    Robot.objects.create(owner=user, name="Quiet one")  # its row says so; the map is drawn
    post(engine, rover, (1.0, 2.0), (3.0, 2.0))
    mine = profile(client, user)
    assert "data-map-empty" not in mine
    assert re.search(r"<figure [^>]*data-map-figure>", mine)
    assert "data-replay hidden" in mine  # the replay control: shown by the script


def test_no_empty_state_when_telemetry_cannot_be_read(client, user, settings):
    settings.TELEMETRY_API_URL = "http://127.0.0.1:1"  # nothing listens there
    Robot.objects.create(owner=user, name="Rover")
    mine = profile(client, user)
    assert "Telemetry cannot be read right now" in mine
    assert "data-map-empty" not in mine  # we do not know that it never sent one


def test_the_map_has_a_metric_grid_and_a_scale_bar(client, user, engine):
    rover = Robot.objects.create(owner=user, name="Rover")
    post(engine, rover, (0.0, 0.0), (10.0, 0.0), (10.0, 5.0))
    mine = figure(profile(client, user))
    # The smallest map (23.8 m wide): grid lines every 5 m, a scale bar of 5 m.
    grid = re.search(r'<path class="robot-map__grid" d="([^"]*)"', mine).group(1)
    verticals = [float(x) for x in re.findall(r"M(-?[\d.]+) -?[\d.]+V", grid)]
    assert verticals == [-5.0, 0.0, 5.0, 10.0, 15.0]
    bar = re.findall(r'<line class="robot-map__scale-bar" x1="([\d.]+)%"[^>]*x2="([\d.]+)%"', mine)
    assert len(bar) == 3
    start, end = float(bar[0][0]), float(bar[0][1])
    assert start == 3
    assert end - start == pytest.approx(5 / 23.81 * 100, abs=0.05)  # 5 m of 23.8 m
    assert re.search(r"data-scale-label>5 m</text>", mine)
    assert "Grid squares of 5 m" in mine
    # The legend names every mark on the map.
    for text in ("Its path", "Where it is now", "Its dock, or where its path starts"):
        assert text in mine


def test_a_wider_map_has_a_wider_grid(client, user, engine):
    rover = Robot.objects.create(owner=user, name="Rover")
    post(engine, rover, (-60.0, 0.0), (60.0, 10.0))
    mine = figure(profile(client, user))
    assert "data-scale-label>20 m</text>" in mine  # 143 m wide: 20 m squares, 7 of them


def test_the_scale_bar_sits_on_the_right_in_arabic(client, user, engine):
    rover = Robot.objects.create(owner=user, name="Rover")
    post(engine, rover, (0.0, 0.0), (10.0, 0.0))
    mine = figure(profile(client, user, "ar"))
    start, end = re.search(
        r'<line class="robot-map__scale-bar" x1="([\d.]+)%"[^>]*x2="([\d.]+)%"', mine
    ).groups()
    assert float(end) == 97 and float(start) > 50


def test_the_dock_marker(client, user, engine):
    rover = Robot.objects.create(owner=user, name="Rover")
    wanderer = Robot.objects.create(owner=user, name="Wanderer")
    post(engine, rover, (3.0, 4.0), status="charging", ago_ms=4000)
    post(engine, rover, (5.0, 4.0), (7.0, 4.0))
    post(engine, wanderer, (-2.0, 1.0), (-4.0, 1.0), (-6.0, 1.0))
    mine = profile(client, user)

    docked = re.search(
        r'<rect class="robot-track__start"([^>]*)><title>([^<]*)', track(mine, rover)
    )
    attributes, title = docked.groups()
    assert 'data-index="0"' in attributes and "data-dock" in attributes and title == "Dock"
    x, y, side = (
        float(re.search(rf' {name}="([-\d.]+)"', attributes).group(1))
        for name in ("x", "y", "width")
    )
    assert (x + side / 2, y + side / 2) == pytest.approx((3.0, -4.0), abs=0.01)  # SVG y is -y

    started = re.search(
        r'<rect class="robot-track__start"([^>]*)><title>([^<]*)', track(mine, wanderer)
    )
    attributes, title = started.groups()
    assert "data-dock" not in attributes and title == "Where the path starts"
    x, side = (
        float(re.search(rf' {name}="([-\d.]+)"', attributes).group(1)) for name in ("x", "width")
    )
    assert x + side / 2 == pytest.approx(-2.0, abs=0.01)  # the trail's first point


def test_no_negative_zero_anywhere(client, user, engine):
    rover = Robot.objects.create(owner=user, name="Rover")
    post(engine, rover, (-0.3, -0.001), (-0.04, -0.0))
    for language in LANGUAGES:
        mine = re.sub(r'class="[^"]*"', "", profile(client, user, language))  # robot-colour-0
        assert not NEGATIVE_ZERO.search(mine), (language, NEGATIVE_ZERO.search(mine))
    english = profile(client, user, "en")
    assert "0.0, 0.0 m" in row(english, rover)
    assert 'data-x="-0.04"' in row(english, rover)  # the raw value, for the script


@pytest.mark.parametrize(
    ("language", "pattern"),
    [
        ("es", r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"),
        ("fr", r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"),
        ("ja", r"\d{4}/\d{2}/\d{2} \d{1,2}:\d{2}"),
        ("zh-hans", r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}"),
    ],
)
def test_times_are_in_the_locales_format(client, user, engine, language, pattern):
    rover = Robot.objects.create(owner=user, name="Rover")
    post(engine, rover, (1.0, 1.0))
    cell = re.search(
        r'<time datetime="([^"]+)">([^<]+)</time>', row(profile(client, user, language), rover)
    )
    iso, shown = cell.groups()
    assert re.fullmatch(pattern, shown), shown
    when = datetime.fromisoformat(iso)
    assert when.utcoffset() is not None  # machine-readable, for the script
    with translation.override(language):
        assert shown == formats.date_format(when.astimezone(UTC), "SHORT_DATETIME_FORMAT")
