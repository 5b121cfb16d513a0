"""S3 storage settings from the environment (imported by base.py; tests build the same).

With AWS_STORAGE_BUCKET_NAME set, every file lives in S3:

- media bucket, `media/` prefix: original images, renditions, avatars. Public, served by the CDN
  (AWS_S3_CUSTOM_DOMAIN) or the bucket's own URL, never signed so cached pages stay valid;
- media bucket, `private/` prefix: documents and pending uploads. Never public: Django serves
  them after Wagtail's privacy checks, and their direct URLs are signed and expire;
- static bucket (AWS_STATIC_BUCKET_NAME, default the media bucket), `static/` prefix: collected
  static files with hashed names.
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

MEDIA_LOCATION = "media"
PRIVATE_LOCATION = "private"
STATIC_LOCATION = "static"


def s3_storages(environ: Mapping[str, str]) -> dict[str, dict[str, Any]] | None:
    """STORAGES for S3 when AWS_STORAGE_BUCKET_NAME is set, otherwise None."""
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return None
    from botocore.config import Config

    common: dict[str, Any] = {
        "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("AWS_S3_REGION_NAME") or None,
        "custom_domain": environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
        "url_protocol": environ.get("AWS_S3_URL_PROTOCOL") or "https:",
        "file_overwrite": False,  # a second upload of "photo.jpg" never replaces the first
        "default_acl": None,  # access comes from bucket policies, not per-object ACLs
        "querystring_auth": False,
        # An unreachable endpoint fails within seconds (an editor is waiting), not minutes.
        "client_config": Config(
            signature_version="s3v4",  # signed document URLs: SigV4, which every region takes
            connect_timeout=3,
            read_timeout=20,
            retries={"mode": "standard", "max_attempts": 2},
        ),
    }
    return {
        "default": {
            "BACKEND": "cms.base.storages.MediaStorage",
            "OPTIONS": {
                **common,
                "bucket_name": bucket,
                "location": MEDIA_LOCATION,
                "private_location": PRIVATE_LOCATION,
            },
        },
        "staticfiles": {
            "BACKEND": "storages.backends.s3.S3ManifestStaticStorage",
            "OPTIONS": {
                **common,
                "bucket_name": environ.get("AWS_STATIC_BUCKET_NAME") or bucket,
                "location": STATIC_LOCATION,
            },
        },
    }


def media_origin(environ: Mapping[str, str]) -> str | None:
    """The origin image URLs point at (for the Content-Security-Policy), if not our own."""
    if not environ.get("AWS_STORAGE_BUCKET_NAME"):
        return None
    protocol = environ.get("AWS_S3_URL_PROTOCOL") or "https:"
    if domain := environ.get("AWS_S3_CUSTOM_DOMAIN"):
        return f"{protocol}//{domain.split('/')[0]}"
    if endpoint := environ.get("AWS_S3_ENDPOINT_URL"):
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{parts.netloc}"
    return "https://*.amazonaws.com"
