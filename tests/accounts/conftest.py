import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# The telemetry API in process on a database of its own (robots tests own the fixtures).
from tests.robots.test_views import telemetry, telemetry_url  # noqa: F401 (fixtures)

PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def make_user(db):
    def make(username: str = "ana", email: str | None = None, **extra):
        return get_user_model().objects.create_user(
            username=username,
            email=email or f"{username}@example.com",
            password=PASSWORD,
            **extra,
        )

    return make


@pytest.fixture
def user(make_user):
    return make_user("ana")


@pytest.fixture
def other_user(make_user):
    return make_user("bruno")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def image_upload(
    name: str = "avatar.png", size=(64, 64), image_format: str = "PNG", noise: bool = False
) -> SimpleUploadedFile:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (40, 160, 90))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}[image_format]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)
