"""A user's own data from the profile: rename and delete robots, "Download my data" and
"Delete my account". Robots' readings are read and erased through the real telemetry API,
in process on a telemetry database of these tests' own (as the gateway runs it)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from sqlalchemy import Engine, func, select

from apis.telemetry import store
from apis.telemetry.schemas import ReadingIn, now_ms
from apis.telemetry.tables import latest, readings
from cms.accounts import personal_data
from cms.accounts.models import ApiKey, PendingSignup, profile_for
from cms.orders.models import CartItem, Order, OrderLine
from cms.robots.models import Robot
from cms.services.client import TELEMETRY, use_client
from croody_core import scopes
from tests.accounts.conftest import image_upload

pytestmark = pytest.mark.django_db
PROFILE = "/en/account/profile/"
EXPORT = "/en/account/profile/data/"
DELETE_ACCOUNT = "/en/account/profile/delete/"


@pytest.fixture
def no_telemetry() -> None:
    """No telemetry service registered and none configured: it cannot be reached."""
    use_client(TELEMETRY, None)


def post_readings(engine: Engine, robot: Robot, count: int) -> None:
    start = now_ms() - count * 1000
    batch = [
        ReadingIn.model_validate(
            {
                "robot_id": robot.robot_id,
                "ts": start + i * 1000,
                "seq": i,
                "x": float(i),
                "y": 1.0,
                "heading": 90.0,
                "speed": 0.5,
                "battery": 80.0,
                "status": "moving",
            }
        )
        for i in range(count)
    ]
    store.insert_readings(engine, batch)


def stored(engine: Engine, robot: Robot) -> int:
    with engine.connect() as connection:
        query = select(func.count()).select_from(readings)
        return connection.scalar(query.where(readings.c.robot_id == robot.robot_id)) or 0


def order_for(user, status: str = Order.Status.SHIPPED, **fields) -> Order:
    values = {
        "user": user,
        "email": user.email if user else "",
        "language": "en",
        "currency": "EUR",
        "status": status,
        "full_name": "Ana Gator",
        "address_line1": "Calle Mayor 1",
        "address_line2": "2º",
        "city": "Madrid",
        "postal_code": "28013",
        "country": "ES",
        "subtotal": Decimal("20.00"),
        "shipping": Decimal("4.90"),
        "tax_rate": Decimal("0.2100"),
        "tax": Decimal("5.23"),
        "total": Decimal("30.13"),
        "payment_reference": "test-123",
        **fields,
    }
    order = Order.objects.create(**values)
    OrderLine.objects.create(
        order=order,
        product_key=uuid.uuid4(),
        sku="BAND-1",
        title="Smart band",
        unit_price=Decimal("20.00"),
        quantity=1,
        line_total=Decimal("20.00"),
    )
    return order


@pytest.fixture
def rover(user) -> Robot:
    return Robot.objects.create(owner=user, name="Rover")


# --- Renaming a robot ----------------------------------------------------------------------


def test_a_robot_is_renamed_and_keeps_its_id_and_keys(signed_in, user, rover):
    api_key, _secret = ApiKey.objects.issue(
        user=user, scopes=[scopes.SCOPE_TELEMETRY_WRITE], robot=rover
    )
    url = f"/en/account/profile/robots/{rover.pk}/rename/"
    page = signed_in.get(url)
    assert page.status_code == 200
    assert 'value="Rover"' in page.content.decode()
    response = signed_in.post(url, {"robot-name": "  Rover the Brave "})
    assert response.status_code == 302 and response["Location"].endswith("#tokens")
    rover.refresh_from_db()
    assert rover.name == "Rover the Brave"
    api_key.refresh_from_db()
    assert api_key.robot_id == rover.robot_id and api_key.is_active
    html = signed_in.get(PROFILE).content.decode()
    assert "Rover the Brave" in html and rover.robot_id in html


def test_renaming_to_its_own_name_in_other_letters_is_fine(signed_in, rover):
    url = f"/en/account/profile/robots/{rover.pk}/rename/"
    assert signed_in.post(url, {"robot-name": "ROVER"}).status_code == 302
    rover.refresh_from_db()
    assert rover.name == "ROVER"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("scout", "You already have a robot with this name."),
        ("", "This field is required."),
        ("bad\x00name", "Null characters are not allowed."),
        ("x" * 81, "Ensure this value has at most 80 characters"),
    ],
)
def test_a_bad_new_name_is_400_next_to_the_field(signed_in, user, rover, name, message):
    Robot.objects.create(owner=user, name="Scout")
    response = signed_in.post(
        f"/en/account/profile/robots/{rover.pk}/rename/", {"robot-name": name}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_robot-name_error"' in html and message in html
    rover.refresh_from_db()
    assert rover.name == "Rover"
    assert "“Rover” keeps its id" in html  # the page still names it as it is


def test_someone_elses_robot_is_404_to_rename_and_delete(signed_in, other_user):
    theirs = Robot.objects.create(owner=other_user, name="Theirs")
    for action in ("rename", "delete"):
        url = f"/en/account/profile/robots/{theirs.pk}/{action}/"
        assert signed_in.get(url).status_code == 404
        assert signed_in.post(url, {"robot-name": "Mine now"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_anonymous_visitors_are_sent_to_sign_in(client, rover):
    for url in (
        f"/en/account/profile/robots/{rover.pk}/rename/",
        f"/en/account/profile/robots/{rover.pk}/delete/",
        EXPORT,
        DELETE_ACCOUNT,
    ):
        for send in (client.get, client.post):
            response = send(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/en/account/login/?next=")
    assert Robot.objects.filter(pk=rover.pk).exists()


# --- Deleting a robot ----------------------------------------------------------------------


def test_deleting_a_robot_revokes_its_keys_and_erases_its_readings(
    signed_in, user, other_user, rover, telemetry
):
    write_key, _ = ApiKey.objects.issue(
        user=user, scopes=[scopes.SCOPE_TELEMETRY_WRITE], robot=rover
    )
    read_key, _ = ApiKey.objects.issue(user=user, scopes=[scopes.SCOPE_TELEMETRY_READ])
    kept = Robot.objects.create(owner=user, name="Kept")
    theirs = Robot.objects.create(owner=other_user, name="Theirs")
    for robot in (rover, kept, theirs):
        post_readings(telemetry, robot, 12)
    url = f"/en/account/profile/robots/{rover.pk}/delete/"

    page = signed_in.get(url).content.decode()
    assert rover.robot_id in page and write_key.prefix in page
    assert 'class="card stack confirm"' in page and 'class="confirm-facts"' in page

    response = signed_in.post(url)
    assert response.status_code == 302 and response["Location"].endswith("#tokens")
    assert not Robot.objects.filter(pk=rover.pk).exists()
    assert not ApiKey.objects.filter(pk=write_key.pk).exists()
    assert stored(telemetry, rover) == 0
    with telemetry.connect() as connection:
        assert (
            connection.scalar(
                select(func.count()).select_from(latest).where(latest.c.robot_id == rover.robot_id)
            )
            == 0
        )
    assert stored(telemetry, kept) == 12 and stored(telemetry, theirs) == 12
    assert ApiKey.objects.get(pk=read_key.pk).is_active  # not bound to the robot: kept
    html = signed_in.get(PROFILE).content.decode()
    assert "Robot “Rover” deleted" in html


def test_a_robot_is_kept_when_its_readings_cannot_be_erased(signed_in, user, rover, no_telemetry):
    write_key, _ = ApiKey.objects.issue(
        user=user, scopes=[scopes.SCOPE_TELEMETRY_WRITE], robot=rover
    )
    response = signed_in.post(f"/en/account/profile/robots/{rover.pk}/delete/")
    assert response.status_code == 302 and response["Location"].endswith("#tokens")
    assert "cannot be deleted right now" in signed_in.get(PROFILE).content.decode()
    assert Robot.objects.filter(pk=rover.pk).exists()
    write_key.refresh_from_db()
    assert not write_key.is_active  # revoked first: the robot stops sending


# --- Download my data ----------------------------------------------------------------------


def download(client) -> zipfile.ZipFile:
    response = client.get(EXPORT)
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="croody-data-')
    assert "no-store" in response["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_download_holds_profile_robots_keys_orders_and_every_reading(
    signed_in, user, other_user, rover, telemetry, monkeypatch
):
    monkeypatch.setattr(personal_data, "PAGE_SIZE", 7)  # 30 readings: 5 pages
    profile = profile_for(user)
    profile.display_name = "Ana Gator"
    profile.bio = "Trains at dawn."
    profile.avatar = image_upload()
    profile.save()
    api_key, secret = ApiKey.objects.issue(
        user=user, scopes=[scopes.SCOPE_TELEMETRY_WRITE], robot=rover, name="rover key"
    )
    order = order_for(user)
    guest = order_for(None, email=user.email.upper())  # placed signed out
    order_for(other_user)
    post_readings(telemetry, rover, 30)
    post_readings(telemetry, Robot.objects.create(owner=other_user, name="Theirs"), 3)

    archive = download(signed_in)
    names = set(archive.namelist())
    assert names == {
        "profile.json",
        "robots.json",
        "api_keys.json",
        "orders.json",
        f"telemetry/{rover.robot_id}.json",
        "avatar.png",
    }
    data = {name: json.loads(archive.read(name)) for name in names if name.endswith(".json")}
    assert data["profile.json"]["username"] == "ana"
    assert data["profile.json"]["display_name"] == "Ana Gator"
    assert data["profile.json"]["email"] == "ana@example.com"
    assert data["robots.json"] == [
        {"name": "Rover", "robot_id": rover.robot_id, "created_at": rover.created_at.isoformat()}
    ]
    (key_data,) = data["api_keys.json"]
    assert key_data["prefix"] == api_key.prefix and key_data["robot_id"] == rover.robot_id
    assert key_data["scopes"] == ["telemetry:write"]
    every_file = b"".join(archive.read(name) for name in names)
    assert api_key.key_hash.encode() not in every_file and secret.encode() not in every_file
    assert b"key_hash" not in every_file
    assert {item["reference"] for item in data["orders.json"]} == {
        order.reference,
        guest.reference,
    }
    assert data["orders.json"][0]["lines"][0]["sku"] == "BAND-1"
    assert data["orders.json"][0]["total"] == "30.13"
    history = data[f"telemetry/{rover.robot_id}.json"]
    assert [item["x"] for item in history] == [float(i) for i in range(30)]
    assert archive.read("avatar.png")[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_robots_the_download_needs_no_telemetry(signed_in, no_telemetry):
    archive = download(signed_in)
    assert json.loads(archive.read("robots.json")) == []


def test_no_partial_download_when_readings_cannot_be_fetched(signed_in, rover, no_telemetry):
    response = signed_in.get(EXPORT)
    assert response.status_code == 302 and response["Location"].endswith("#your-data")
    html = signed_in.get(PROFILE).content.decode()
    assert "no download was made" in html


def test_the_profile_offers_both_and_explains_them(signed_in):
    html = signed_in.get(PROFILE).content.decode()
    assert f'href="{EXPORT}"' in html and f'href="{DELETE_ACCOUNT}"' in html


# --- Delete my account ---------------------------------------------------------------------


def test_a_wrong_password_deletes_nothing(signed_in, user, rover, telemetry, password):
    post_readings(telemetry, rover, 5)
    page = signed_in.get(DELETE_ACCOUNT)
    assert page.status_code == 200
    for wrong in ("not-my-password", "", "\x00", password + "\x00"):
        response = signed_in.post(DELETE_ACCOUNT, {"password": wrong})
        assert response.status_code == 400, wrong
        assert 'id="id_password_error"' in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert stored(telemetry, rover) == 5
    assert signed_in.get(PROFILE).status_code == 200  # still signed in
    assert mail.outbox == []


def test_deleting_the_account_erases_it_and_anonymises_orders(
    signed_in, user, other_user, rover, telemetry, password, django_capture_on_commit_callbacks
):
    profile = profile_for(user)
    profile.language = "fr"
    profile.avatar = image_upload()
    profile.save()
    avatar_storage, avatar_name = profile.avatar.storage, profile.avatar.name
    ApiKey.objects.issue(user=user, scopes=[scopes.SCOPE_TELEMETRY_WRITE], robot=rover)
    read_key, _ = ApiKey.objects.issue(user=user, scopes=[scopes.SCOPE_TELEMETRY_READ])
    second = Robot.objects.create(owner=user, name="Second")
    theirs = Robot.objects.create(owner=other_user, name="Theirs")
    for robot in (rover, second, theirs):
        post_readings(telemetry, robot, 8)
    shipped = order_for(user)
    unpaid = order_for(user, status=Order.Status.PENDING_PAYMENT)
    guest = order_for(None, email=user.email)
    someone_elses = order_for(other_user)
    CartItem.objects.create(user=user, product_key=uuid.uuid4(), quantity=1)
    PendingSignup.objects.start(username="ana2", email=user.email, password_hash="x", language="es")
    revoked = []
    from cms.accounts.models import api_key_revoked

    def on_revoked(sender, api_key, **kwargs):
        revoked.append(api_key.prefix)

    api_key_revoked.connect(on_revoked)
    try:
        with django_capture_on_commit_callbacks(execute=True):  # the avatar file goes then
            response = signed_in.post(DELETE_ACCOUNT, {"password": password})
    finally:
        api_key_revoked.disconnect(on_revoked)

    assert response.status_code == 302
    assert response["Location"] == "/fr/account/deleted/"  # in their language
    assert response.cookies["croody_language"].value == "fr"
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not Robot.objects.filter(owner_id=user.pk).exists()
    assert not ApiKey.objects.filter(user_id=user.pk).exists()
    assert read_key.prefix in revoked and len(revoked) == 2  # each key revoked, then deleted
    assert not CartItem.objects.filter(user_id=user.pk).exists()
    assert not PendingSignup.objects.filter(email=user.email).exists()
    assert not avatar_storage.exists(avatar_name)
    assert stored(telemetry, rover) == 0 and stored(telemetry, second) == 0
    assert stored(telemetry, theirs) == 8
    for order in (shipped, unpaid, guest):
        order.refresh_from_db()
        assert order.user_id is None
        assert (order.email, order.full_name, order.address_line1, order.address_line2) == (
            "",
            "",
            "",
            "",
        )
        assert (order.city, order.postal_code) == ("", "")
        assert order.total == Decimal("30.13") and order.country == "ES"  # for the books
        assert order.lines.get().line_total == Decimal("20.00")
    unpaid.refresh_from_db()
    assert unpaid.status == Order.Status.CANCELLED
    someone_elses.refresh_from_db()
    assert someone_elses.email == "bruno@example.com" and someone_elses.full_name

    (email,) = mail.outbox
    assert email.to == ["ana@example.com"]
    assert email.subject == "Votre compte Croody a été supprimé"
    assert "supprimé" in email.body

    page = signed_in.get(response["Location"])
    assert page.status_code == 200
    assert "Votre compte a été supprimé" in page.content.decode()
    assert signed_in.get("/fr/account/profile/").status_code == 302  # signed out


def test_a_paid_order_still_to_ship_keeps_the_account(signed_in, user, password):
    paid = order_for(user, status=Order.Status.PAID)
    response = signed_in.post(DELETE_ACCOUNT, {"password": password})
    assert response.status_code == 409
    assert paid.reference in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()
    paid.refresh_from_db()
    assert paid.email == user.email


def test_the_account_is_kept_when_readings_cannot_be_erased(
    signed_in, user, rover, password, no_telemetry
):
    response = signed_in.post(DELETE_ACCOUNT, {"password": password})
    assert response.status_code == 503
    assert "your account is kept" in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert Robot.objects.filter(pk=rover.pk).exists()


def test_staff_accounts_are_not_deleted_from_the_profile(client, make_user, password):
    staff = make_user("editor", is_staff=True)
    client.force_login(staff)
    assert client.get(DELETE_ACCOUNT).status_code == 403
    assert client.post(DELETE_ACCOUNT, {"password": password}).status_code == 403
    assert get_user_model().objects.filter(pk=staff.pk).exists()


def test_the_deleted_page_is_only_shown_after_a_deletion(client):
    response = client.get("/es/account/deleted/")
    assert response.status_code == 302 and response["Location"] == "/es/"


# --- The profile page's smaller points ----------------------------------------------------


def test_the_keys_heading_is_capitalised_in_every_language(signed_in):
    for code, heading in [("es", "Claves de API"), ("fr", "Clés d'API"), ("pt", "Chaves de API")]:
        html = signed_in.get(f"/{code}/account/profile/").content.decode()
        assert f'<h3 id="keys-title">{heading}</h3>' in html.replace("&#x27;", "'")


def test_the_new_key_has_a_copy_button_hidden_without_javascript(signed_in):
    response = signed_in.post(
        "/en/account/profile/keys/", {"key-name": "laptop", "key-scopes": "telemetry:read"}
    )
    html = signed_in.get(response["Location"]).content.decode()
    assert 'data-copy="new-key-value"' in html
    button = html.split('data-copy="new-key-value"', 1)[1].split(">", 1)[0]
    assert " hidden" in button
    assert 'aria-live="polite"' in html


def test_the_avatar_picker_accepts_images_only_and_shows_the_current_one(signed_in, user):
    html = signed_in.get(PROFILE).content.decode()
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in html
    assert "No avatar yet" in html and 'name="profile-avatar-clear"' not in html
    profile = profile_for(user)
    profile.avatar = image_upload()
    profile.save()
    html = signed_in.get(PROFILE).content.decode()
    assert f'src="{profile.avatar.url}"' in html
    assert 'name="profile-avatar-clear"' in html  # "Remove my avatar" works without JS
