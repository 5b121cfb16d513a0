"""Media on S3: public files under one prefix, editors' documents under another, never public.

Wagtail stores images and documents through the one default storage, so this storage picks
the prefix from the file's name: `documents/…` (Wagtail documents) and `wagtail_uploads/…`
(uploads waiting for their details) go under the private prefix; everything else (original
images, renditions, avatars) under the public one that the CDN serves. Settings:
cms/settings/s3.py.
"""

from datetime import datetime
from typing import Any

from django.core.files.base import File
from storages.backends.s3 import S3Storage

PRIVATE_PREFIXES = ("documents/", "wagtail_uploads/")


class MediaStorage(S3Storage):
    """Public S3 storage with a private twin for documents.

    Private objects get signed, expiring URLs and no CDN domain; Wagtail still serves
    documents itself (WAGTAILDOCS_SERVE_METHOD = "serve_view"), after its privacy checks.
    """

    def __init__(self, private_location: str = "private", **settings: Any) -> None:
        super().__init__(**settings)
        self.private = S3Storage(
            **{
                **settings,
                "location": private_location,
                "custom_domain": None,
                "querystring_auth": True,
            }
        )

    def is_private(self, name: str) -> bool:
        return name.replace("\\", "/").lstrip("/").startswith(PRIVATE_PREFIXES)

    def _open(self, name: str, mode: str = "rb") -> File:
        if self.is_private(name):
            return self.private._open(name, mode)
        return super()._open(name, mode)

    def _save(self, name: str, content: File) -> str:
        if self.is_private(name):
            return self.private._save(name, content)
        return super()._save(name, content)

    def delete(self, name: str) -> None:
        if self.is_private(name):
            return self.private.delete(name)
        return super().delete(name)

    def exists(self, name: str) -> bool:
        if self.is_private(name):
            return self.private.exists(name)
        return super().exists(name)

    def size(self, name: str) -> int:
        if self.is_private(name):
            return self.private.size(name)
        return super().size(name)

    def get_modified_time(self, name: str) -> datetime:
        if self.is_private(name):
            return self.private.get_modified_time(name)
        return super().get_modified_time(name)

    def listdir(self, name: str) -> tuple[list[str], list[str]]:
        if self.is_private(name.rstrip("/") + "/"):
            return self.private.listdir(name)
        return super().listdir(name)

    def url(
        self,
        name: str,
        parameters: dict[str, Any] | None = None,
        expire: int | None = None,
        http_method: str | None = None,
    ) -> str:
        if self.is_private(name):
            return self.private.url(name, parameters, expire, http_method)
        return super().url(name, parameters, expire, http_method)
