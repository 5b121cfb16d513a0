"""Avatar checks: a real image in an accepted format, at most 2 MB."""

from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
AVATAR_CONTENT_TYPES = "image/jpeg,image/png,image/webp,image/gif"
AVATAR_MAX_PIXELS = 25_000_000  # refuse decompression bombs outright


@deconstructible
class AvatarValidator:
    message_size = _("The image is %(size)s; the largest allowed is %(limit)s.")
    message_format = _("Upload a JPEG, PNG, WebP or GIF image.")
    message_pixels = _("The image is too large (%(width)s by %(height)s pixels).")

    def __call__(self, file: Any) -> None:
        if getattr(file, "_committed", False):
            return  # already stored (checked when it was uploaded); not re-read on every save
        size = getattr(file, "size", None)
        if size is not None and size > AVATAR_MAX_BYTES:
            raise ValidationError(
                self.message_size,
                code="avatar_too_big",
                params={
                    "size": filesizeformat(size),
                    "limit": filesizeformat(AVATAR_MAX_BYTES),
                },
            )
        position = file.tell() if hasattr(file, "tell") else None
        try:
            file.seek(0)
            with Image.open(file) as image:
                image_format = image.format
                width, height = image.size
                image.verify()
        except Image.DecompressionBombError as error:
            raise ValidationError(self.message_format, code="avatar_pixels") from error
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise ValidationError(self.message_format, code="avatar_not_image") from error
        finally:
            if position is not None:
                file.seek(position)
        if image_format not in AVATAR_FORMATS:
            raise ValidationError(self.message_format, code="avatar_format")
        if width * height > AVATAR_MAX_PIXELS:
            raise ValidationError(
                self.message_pixels,
                code="avatar_pixels",
                params={"width": width, "height": height},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AvatarValidator)

    def __hash__(self) -> int:
        return hash(type(self))


validate_avatar = AvatarValidator()
