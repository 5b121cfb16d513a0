"""Media on S3: editors upload through the real admin views, objects land in the bucket, pages
show renditions whose CDN URLs serve the bytes, documents stay private behind Django."""

import io
import re

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from cms.base.demo.images import demo_image
from cms.home.models import StandardPage

pytestmark = pytest.mark.django_db


def png(name: str = "trail.png", size: tuple[int, int] = (900, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (40, 160, 90)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def upload_image(admin_client, title: str = "Sendero"):
    response = admin_client.post(
        "/admin/images/multiple/add/",
        {"files[]": png(), "title": title},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["success"], body
    return get_image_model().objects.get(pk=body["image_id"])


def test_an_uploaded_image_is_in_the_bucket_and_its_renditions_serve_from_the_cdn(
    s3_settings, s3_env, bucket_keys, admin_client, client
):
    image = upload_image(admin_client)
    assert f"media/{image.file.name}" in bucket_keys()

    page = StandardPage.objects.filter(locale__language_code="es").first()
    alt = "Un sendero entre árboles"
    page.body = [("image", {"image": image, "alt_text": alt, "caption": ""})]
    page.save_revision().publish()

    html = client.get(page.url).content.decode()
    cdn = f"http://{s3_env['AWS_S3_CUSTOM_DOMAIN']}/media/images/"
    urls = set(re.findall(rf'{re.escape(cdn)}[^\s"]+', html))
    assert urls, f"no rendition on the CDN domain in the page:\n{html[:2000]}"
    assert f'alt="{alt}"' in html
    for url in urls:
        response = httpx.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"] in {"image/webp", "image/jpeg", "image/png"}
        assert PILImage.open(io.BytesIO(response.content)).size[0] > 0
    renditions = {key for key in bucket_keys() if key.startswith("media/images/")}
    assert len(renditions) >= len(urls)


def test_a_second_upload_with_the_same_name_never_replaces_the_first(
    s3_settings, admin_client, bucket_keys
):
    first, second = upload_image(admin_client, "Uno"), upload_image(admin_client, "Dos")
    assert first.file.name != second.file.name
    assert {f"media/{first.file.name}", f"media/{second.file.name}"} <= set(bucket_keys())


def test_demo_content_writes_its_images_through_the_storage(s3_settings, bucket_keys):
    image = demo_image("s3-check", "Imagen de demostración en S3", "", "jungle", 7)
    assert f"media/{image.file.name}" in bucket_keys()
    with image.open_file() as stored:
        assert PILImage.open(stored).size == (1600, 1000)


def test_documents_are_private_and_downloaded_through_django(
    s3_settings, s3_env, bucket_keys, admin_client, client
):
    response = admin_client.post(
        "/admin/documents/multiple/add/",
        {"files[]": SimpleUploadedFile("tarifas.pdf", b"%PDF-1.4 tarifas", "application/pdf")},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.json()["success"]
    document = get_document_model().objects.get(pk=response.json()["doc_id"])

    # Stored under the private prefix, out of the CDN's reach; its direct URL is signed.
    assert f"private/{document.file.name}" in bucket_keys()
    assert not any(key.startswith("media/documents/") for key in bucket_keys())
    assert f"/{s3_env['AWS_STORAGE_BUCKET_NAME']}/private/documents/" in document.file.url
    assert "X-Amz-Signature=" in document.file.url
    assert httpx.get(document.file.url).content == b"%PDF-1.4 tarifas"
    unsigned = document.file.url.split("?")[0]
    assert httpx.get(unsigned).status_code == 403  # not readable without the signature

    download = client.get(document.url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 tarifas"
    assert download["Content-Security-Policy"] == "default-src 'none'"  # nothing runs in it

    # In a private collection: visitors are sent to sign in, editors still download it.
    private = Collection.get_first_root_node().add_child(name="Privado")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    document.collection = private
    document.save()
    assert client.get(document.url).status_code == 302
    assert admin_client.get(document.url).status_code == 200
