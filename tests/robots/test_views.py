"""Robots on the site: "My robots" on the profile page (latest state, trail map) and the staff
fleet view in the Wagtail admin, both read through the telemetry API: the real service runs in
process on a real telemetry database, registered as the CMS's client for it (as the gateway
does), and trusts the tokens this CMS mints."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, update
from wagtail.users.models import UserProfile

from apis.common.database import make_engine
from apis.telemetry import store
from apis.telemetry.main import build_api
from apis.telemetry.migrate import MIGRATIONS
from apis.telemetry.schemas import ReadingIn, now_ms
from apis.telemetry.settings import Settings
from apis.telemetry.tables import latest, readings
from cms.robots import robot_telemetry
from cms.robots.models import Robot
from cms.services.client import TELEMETRY, use_client
from cms.services.credentials import session_secret
from tests.servers import drop_database, fresh_database_url

pytestmark = pytest.mark.django_db
PROFILE = "/en/account/profile/"
FLEET = "/admin/fleet/"
MINUTE_MS = 60_000


@pytest.fixture(scope="module")
def telemetry_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A telemetry database of these tests' own: SQLite, or a PostgreSQL sibling of
    DATABASE_URL's (dropped at the end) when the suite runs on PostgreSQL."""
    url = fresh_database_url(f"robots_telemetry_{os.getpid()}")
    yield url or f"sqlite:///{tmp_path_factory.mktemp('telemetry') / 'telemetry.sqlite3'}"
    if url:
        drop_database(url)


@pytest.fixture
def telemetry(telemetry_url: str) -> Iterator[Engine]:
    """The telemetry API the site reads, on this (emptied) database; yields the database."""
    engine = make_engine(telemetry_url)
    MIGRATIONS.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(delete(readings))
        connection.execute(delete(latest))
    settings = Settings(database_url=telemetry_url, session_secret=session_secret(), rate_limit="")
    with TestClient(build_api(settings)) as service:
        use_client(TELEMETRY, service)
        yield engine
    use_client(TELEMETRY, None)
    engine.dispose()


def post(engine: Engine, robot: Robot, *points: tuple[float, float], ago_ms: int = 0, **fields):
    """Store readings at these positions through the service's own write path, one a second,
    the last one taken and received `ago_ms` ago."""
    end = now_ms() - ago_ms
    batch = [
        ReadingIn.model_validate(
            {
                "robot_id": robot.robot_id,
                "ts": end - (len(points) - 1 - i) * 1000,
                "seq": i,
                "x": x,
                "y": y,
                "heading": 90.0,
                "speed": 0.8,
                "battery": 76.5,
                "status": "moving",
                **fields,
            }
        )
        for i, (x, y) in enumerate(points)
    ]
    store.insert_readings(engine, batch)
    if ago_ms:  # as if they had arrived back then
        with engine.begin() as connection:
            for table in (readings, latest):
                connection.execute(
                    update(table)
                    .where(table.c.robot_id == robot.robot_id, table.c.ts <= end)
                    .values(received_at=table.c.received_at - ago_ms)
                )


def section(html: str) -> str:
    found = re.search(r'<section id="my-robots".*?</section>', html, re.S)
    assert found, "no My robots section"
    return found.group(0)


def row(html: str, robot: Robot) -> str:
    found = re.search(rf'<tr data-robot="{robot.robot_id}">.*?</tr>', html, re.S)
    assert found, f"no row for {robot.robot_id}"
    return re.sub(r"\s+", " ", found.group(0))


def track(html: str, robot: Robot) -> str:
    pattern = rf'<g class="robot-track [^"]*" data-robot="{robot.robot_id}">.*?</g>\s*</g>'
    found = re.search(pattern, html, re.S)
    assert found, f"no track for {robot.robot_id}"
    return found.group(0)


# --- My robots ---------------------------------------------------------------------------


def test_without_robots_there_is_no_section_and_no_script(signed_in, telemetry):
    html = signed_in.get(PROFILE).content.decode()
    assert 'id="my-robots"' not in html
    assert "my-robots.js" not in html


def test_owner_sees_latest_state_and_trail_of_own_robots_only(
    signed_in, user, other_user, telemetry
):
    rover = Robot.objects.create(owner=user, name="Rover")
    quiet = Robot.objects.create(owner=user, name="Quiet one")
    theirs = Robot.objects.create(owner=other_user, name="Not yours")
    post(telemetry, rover, (1.0, 2.0), (2.5, 2.0), (4.0, -3.5), battery=42.5, status="charging")
    post(telemetry, theirs, (9.0, 9.0))

    response = signed_in.get(PROFILE)
    assert response.status_code == 200
    html = response.content.decode()
    mine = section(html)
    assert "My robots" in mine
    assert theirs.robot_id not in html

    rover_row = row(mine, rover)
    assert "Charging" in rover_row and "42.5 %" in rover_row
    assert "4.0, -3.5 m" in rover_row
    assert "0.80 m/s" in rover_row and "<time datetime=" in rover_row
    assert "No readings yet" in row(mine, quiet)

    # The map: the trail in order, north up (SVG y is minus y), the marker where it is now.
    rover_track = track(mine, rover)
    assert 'points="1,-2 2.5,-2 4,3.5"' in rover_track
    assert 'cx="4" cy="3.5"' in rover_track
    assert 'visibility="hidden"' not in rover_track
    assert 'visibility="hidden"' in track(mine, quiet)
    assert 'role="img"' in mine and "<title" in mine

    # Live updates: the stream of the user's robots, from a script of our own in <head>.
    assert 'data-live-url="/api/telemetry/live"' in mine
    head = html.split("</head>", 1)[0]
    for name in ("robots/my-robots.js", "robots/my-robots.css"):
        assert f"/static/{name}" in head
        assert finders.find(name), name
    assert "<script" not in html.split("</header>", 1)[1]
    assert 'style="' not in html


def test_a_single_robot_streams_only_its_own_readings(signed_in, user, telemetry):
    rover = Robot.objects.create(owner=user, name="Solo")
    html = signed_in.get(PROFILE).content.decode()
    assert f'data-live-url="/api/telemetry/live?robot={rover.robot_id}"' in section(html)


def test_the_trail_is_recent_and_bounded(signed_in, user, telemetry, monkeypatch):
    monkeypatch.setattr(robot_telemetry, "TRAIL_POINTS", 5)
    rover = Robot.objects.create(owner=user, name="Rover")
    post(telemetry, rover, (200.0, 200.0), ago_ms=45 * MINUTE_MS)  # long before: not drawn
    post(telemetry, rover, (100.0, 100.0), ago_ms=5 * MINUTE_MS)  # before a silence: neither
    post(telemetry, rover, *[(float(i), 0.0) for i in range(8)])
    html = signed_in.get(PROFILE).content.decode()
    points = re.search(r'points="([^"]*)"', track(section(html), rover)).group(1)
    assert points == "3,0 4,0 5,0 6,0 7,0"


def test_map_numbers_are_not_localised(client, user, telemetry):
    rover = Robot.objects.create(owner=user, name="Rover")
    post(telemetry, rover, (1.5, -2.25), (12.75, 3.5))
    client.force_login(user)
    html = client.get("/es/account/profile/").content.decode()
    mine = section(html)
    assert 'points="1.5,2.25 12.75,-3.5"' in track(mine, rover)
    assert re.search(r'viewBox="-?\d+(\.\d+)? -?\d+(\.\d+)? \d+(\.\d+)? \d+(\.\d+)?"', mine)
    assert "12,8, 3,5 m" in row(mine, rover)  # the table speaks Spanish


def test_the_page_still_works_when_telemetry_cannot_be_read(signed_in, user, settings):
    settings.TELEMETRY_API_URL = "http://127.0.0.1:1"  # nothing listens there
    rover = Robot.objects.create(owner=user, name="Rover")
    response = signed_in.get(PROFILE)
    assert response.status_code == 200
    mine = section(response.content.decode())
    assert "Telemetry cannot be read right now" in mine
    assert "No readings yet" in row(mine, rover)


# --- the staff's fleet view --------------------------------------------------------------


def sign_in_admin(client, user) -> None:
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("sam", password="pw-staff-12345", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    sign_in_admin(client, user)
    return user


@pytest.fixture
def fleet(make_user, telemetry) -> dict[str, Robot]:
    ana, bruno = make_user("ana"), make_user("bruno")
    robots = {
        "moving": Robot.objects.create(owner=ana, name="Alpha"),
        "error": Robot.objects.create(owner=ana, name="Bravo"),
        "stale": Robot.objects.create(owner=bruno, name="Charlie"),
        "never": Robot.objects.create(owner=bruno, name="Delta"),
    }
    post(telemetry, robots["moving"], (1.0, 1.0), (2.0, 1.5), battery=81.0)
    post(telemetry, robots["error"], (5.0, 5.0), status="error", battery=12.0, speed=0.0)
    post(telemetry, robots["stale"], (7.0, 7.0), status="docked", ago_ms=90 * MINUTE_MS)
    return robots


def fleet_rows(html: str) -> list[str]:
    return re.findall(r'<tr data-robot="([^"]+)">', html)


def test_anonymous_visitors_go_to_the_admin_login(client, db):
    response = client.get(FLEET)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_users_who_are_not_staff_are_refused(client, django_user_model, telemetry):
    editor = django_user_model.objects.create_user("ed", password="pw-editor-123")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    sign_in_admin(client, editor)
    response = client.get(FLEET)
    # Wagtail turns the refusal into a redirect to the dashboard with a message.
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert FLEET not in client.get("/admin/").content.decode()  # no menu item either


def test_staff_see_every_robot_with_owner_and_latest_reading(client, staff, fleet):
    assert FLEET in client.get("/admin/").content.decode()  # the menu item
    response = client.get(FLEET)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Robot fleet" in html
    assert "/static/robots/fleet.css" in html and finders.find("robots/fleet.css")
    # Most recently heard from first; never heard from last.
    ids = [fleet[name].robot_id for name in ("moving", "error", "stale", "never")]
    assert set(fleet_rows(html)) == set(ids)
    assert fleet_rows(html)[-2:] == ids[-2:]
    moving = row(html, fleet["moving"])
    assert "ana" in moving and "Moving" in moving and "81.0 %" in moving
    assert "2.0, 1.5 m" in moving and "online" in moving
    error = row(html, fleet["error"])
    assert "Error" in error and "12.0 %" in error and "fleet-alert" in error
    stale = row(html, fleet["stale"])
    assert (
        "bruno" in stale
        and "Docked" in stale
        and "1 hour, 30 minutes ago" in stale
        and "online" not in stale
    )
    assert "No readings yet" in row(html, fleet["never"])
    summary = dict(re.findall(r'data-summary="(\w+)">(\d+)<', html))
    assert summary == {
        "robots": "4",
        "online": "2",
        "errors": "1",
        "low_battery": "1",
        "never": "1",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "error"}, ["error"]),
        ({"status": "none"}, ["never"]),
        ({"seen": "online"}, ["moving", "error"]),
        ({"seen": "stale"}, ["stale"]),
        ({"seen": "never"}, ["never"]),
        ({"q": "charl"}, ["stale"]),
        ({"q": "bruno"}, ["stale", "never"]),
        ({"status": "moving", "seen": "stale"}, []),
    ],
)
def test_filters_narrow_the_fleet(client, staff, fleet, query, expected):
    html = client.get(FLEET, query).content.decode()
    assert sorted(fleet_rows(html)) == sorted(fleet[name].robot_id for name in expected)
    if not expected:
        assert "No robots match these filters." in html


def test_filter_by_owner_and_bad_filters(client, staff, fleet):
    owner = fleet["stale"].owner
    html = client.get(FLEET, {"owner": owner.pk}).content.decode()
    assert sorted(fleet_rows(html)) == sorted([fleet["stale"].robot_id, fleet["never"].robot_id])
    response = client.get(FLEET, {"owner": "999999", "status": "exploded"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"owner", "status"}
    assert fleet_rows(response.content.decode()) == []


def test_the_fleet_is_paged(client, staff, fleet, monkeypatch):
    monkeypatch.setattr("cms.robots.views.PAGE_SIZE", 3)
    first = client.get(FLEET, {"q": ""}).content.decode()
    assert len(fleet_rows(first)) == 3 and "Page 1 of 2" in first
    second = client.get(FLEET, {"q": "", "page": "2"}).content.decode()
    assert fleet_rows(second) == [fleet["never"].robot_id]
