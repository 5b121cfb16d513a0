"""A user's own data: download it all ("Download my data"), or erase it ("Delete my account",
and deleting one robot).

Robots' readings live in the telemetry service: they are read and deleted through its API as
the user (cms.services.client), never in its database. An erasure asks the service first and
changes nothing here when the service cannot do its part, so no robot or account is removed
while its readings stay behind.
"""

from __future__ import annotations

import json
import logging
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import PurePosixPath
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cms.accounts.models import ApiKey, PendingSignup, profile_for
from cms.orders.models import Order
from cms.robots.models import Robot
from cms.services import client
from cms.services.client import TELEMETRY, ServiceError, ServiceUnavailable
from croody_core.timerange import EARLIEST, LATEST

log = logging.getLogger(__name__)

QUERY_PATH = "/api/telemetry/query"
PAGE_SIZE = 1000  # the query endpoint's largest page
_EPOCH_MS = (EARLIEST.timestamp() * 1000, LATEST.timestamp() * 1000)


class TelemetryUnavailable(Exception):
    """The telemetry service could not read or delete a robot's readings: nothing was done."""


class OpenOrders(Exception):
    """Paid orders not yet shipped: the shop still needs their address to deliver them."""

    def __init__(self, references: list[str]) -> None:
        super().__init__(", ".join(references))
        self.references = references


# --- Download my data ---------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON for what models hold: times in ISO 8601 (UTC), money as exact decimal strings."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _dump(value: Any) -> str:
    return json.dumps(value, default=_plain, ensure_ascii=False, indent=2) + "\n"


def orders_of(user: Any) -> Any:
    """The user's orders, and those placed without signing in from the account's address
    (whose confirmations the address's owner received)."""
    mine = Q(user=user)
    if user.email:
        mine |= Q(user__isnull=True, email__iexact=user.email)
    return Order.objects.filter(mine).prefetch_related("lines")


def profile_data(user: Any) -> dict[str, Any]:
    profile = profile_for(user)
    return {
        "exported_at": timezone.now(),
        "username": user.get_username(),
        "email": user.email,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "display_name": profile.display_name,
        "bio": profile.bio,
        "language": profile.language,
        "theme": profile.theme,
        "palette": profile.palette,
        "avatar": _avatar_name(profile.avatar.name) if profile.avatar else None,
    }


def robots_data(user: Any) -> list[dict[str, Any]]:
    return [
        {"name": robot.name, "robot_id": robot.robot_id, "created_at": robot.created_at}
        for robot in Robot.objects.owned_by(user)
    ]


def api_keys_data(user: Any) -> list[dict[str, Any]]:
    """What the profile shows of each key; never its hash (nor the key, which is not kept)."""
    return [
        {
            "prefix": key.prefix,
            "name": key.name,
            "scopes": list(key.scope_list),
            "robot_id": key.robot_id,
            "created_at": key.created_at,
            "last_used_at": key.last_used_at,
            "revoked_at": key.revoked_at,
        }
        for key in ApiKey.objects.for_user(user)
    ]


def orders_data(user: Any) -> list[dict[str, Any]]:
    fields = (
        "reference",
        "status",
        "created_at",
        "paid_at",
        "email",
        "language",
        "full_name",
        "address_line1",
        "address_line2",
        "city",
        "postal_code",
        "country",
        "currency",
        "subtotal",
        "shipping",
        "tax_rate",
        "tax",
        "total",
    )
    line_fields = ("sku", "title", "unit_price", "quantity", "line_total")
    return [
        {
            **{name: getattr(order, name) for name in fields},
            "lines": [
                {name: getattr(line, name) for name in line_fields} for line in order.lines.all()
            ],
        }
        for order in orders_of(user)
    ]


def robot_readings(user: Any, robot_id: str) -> Iterator[dict[str, Any]]:
    """Every stored reading of the robot, oldest first, page by page through the API."""
    params: dict[str, Any] = {
        "robot": robot_id,
        "from": int(_EPOCH_MS[0]),
        "to": int(_EPOCH_MS[1]),
        "limit": PAGE_SIZE,
    }
    while True:
        try:
            page = client.get_json(TELEMETRY, QUERY_PATH, user, params)
        except (ServiceUnavailable, ServiceError) as error:
            raise TelemetryUnavailable(str(error)) from error
        yield from page["readings"]
        if not page.get("next_cursor"):
            return
        params["cursor"] = page["next_cursor"]


def _avatar_name(stored: str | None) -> str:
    return "avatar" + PurePosixPath(stored or "").suffix


def write_archive(user: Any, out: IO[bytes]) -> None:
    """The ZIP of everything the site keeps about `user`, one JSON file per kind, the
    readings of each robot in telemetry/<robot id>.json, and the avatar image.

    Raises TelemetryUnavailable when a robot's readings cannot be read (no partial archive).
    """
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.json", _dump(profile_data(user)))
        archive.writestr("robots.json", _dump(robots_data(user)))
        archive.writestr("api_keys.json", _dump(api_keys_data(user)))
        archive.writestr("orders.json", _dump(orders_data(user)))
        for robot in Robot.objects.owned_by(user):
            with archive.open(f"telemetry/{robot.robot_id}.json", "w") as entry:
                entry.write(b"[")
                for index, item in enumerate(robot_readings(user, robot.robot_id)):
                    separator = ",\n" if index else "\n"
                    entry.write((separator + json.dumps(item, ensure_ascii=False)).encode())
                entry.write(b"\n]\n")
        avatar = profile_for(user).avatar
        if avatar:
            try:
                with avatar.open("rb") as image:
                    archive.writestr(_avatar_name(avatar.name), image.read())
            except OSError:  # the file is gone from storage: the rest is still theirs
                log.warning("avatar of user %s missing from storage", user.pk)


def archive_file(user: Any) -> IO[bytes]:
    """write_archive into a temporary file (in memory while small), rewound for reading."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 -- returned
    try:
        write_archive(user, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


# --- Deleting a robot, deleting an account ------------------------------------------------


def erase_readings(robot: Robot) -> None:
    """Delete the robot's readings in the telemetry service, as its owner."""
    path = f"/api/telemetry/robots/{robot.robot_id}/readings"
    try:
        client.delete(TELEMETRY, path, robot.owner)
    except (ServiceUnavailable, ServiceError) as error:
        log.warning("telemetry of robot %s not deleted: %s", robot.robot_id, error)
        raise TelemetryUnavailable(str(error)) from error


def _revoke(keys: Any) -> None:
    for api_key in keys.active():
        api_key.revoke()  # one by one: each revocation is a security event


def delete_robot(robot: Robot) -> None:
    """Revoke the robot's keys, erase its readings, then delete it (its keys go with it).

    The keys first, so the robot stops sending; raises TelemetryUnavailable, and keeps the
    robot, when its readings cannot be erased now."""
    _revoke(ApiKey.objects.filter(robot=robot))
    erase_readings(robot)
    robot.delete()


def delete_account(user: Any) -> None:
    """Erase the account: keys revoked, every robot's readings erased through the telemetry
    API, robots, keys, profile, avatar and cart deleted; orders kept for the books but
    anonymised (unpaid ones cancelled, their stock released).

    Raises OpenOrders while a paid order is still to be shipped, and TelemetryUnavailable
    when the readings cannot be erased; in both cases the account stays.
    """
    orders = orders_of(user)
    waiting = list(orders.filter(status=Order.Status.PAID).values_list("reference", flat=True))
    if waiting:
        raise OpenOrders(waiting)
    _revoke(ApiKey.objects.for_user(user))
    for robot in Robot.objects.owned_by(user).select_related("owner"):
        erase_readings(robot)
    for order in orders.filter(status=Order.Status.PENDING_PAYMENT):
        order.change_status(Order.Status.CANCELLED)
    avatar = profile_for(user).avatar
    avatar_name = avatar.name if avatar else ""
    with transaction.atomic():
        orders.anonymise()
        if user.email:
            PendingSignup.objects.filter(email__iexact=user.email).delete()
        get_user_model().objects.filter(pk=user.pk).delete()  # profile, robots, keys, cart
        if avatar_name:
            storage = avatar.storage
            transaction.on_commit(lambda: storage.delete(avatar_name))
