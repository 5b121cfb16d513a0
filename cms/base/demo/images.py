"""Demo images drawn with Pillow, so the repository ships no binary files.

They are saved through Wagtail's Image model, hence through the configured
storage (local files or S3).
"""

import io
import random

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter, ImageOps
from wagtail.images.models import Image

# (dark, light, accent) per motif, from the Croody palettes.
MOTIFS = {
    "gator": ("#0f3d2e", "#7bd389", "#f2c14e"),
    "jungle": ("#123524", "#3e8e63", "#d8f3dc"),
    "sand": ("#6b4f2a", "#e9c46a", "#fefae0"),
    "crimson": ("#4a0e1c", "#c8553d", "#ffd6a5"),
    "night": ("#0b132b", "#3a506b", "#5bc0be"),
}


def draw(motif: str, seed: int, size: tuple[int, int] = (1600, 1000)) -> bytes:
    dark, light, accent = MOTIFS[motif]
    rng = random.Random(seed)  # noqa: S311  (decoration, not security)
    gradient = PILImage.linear_gradient("L").rotate(rng.choice([30, 45, 135, 210]), expand=True)
    gradient = ImageOps.fit(gradient, size)
    canvas = ImageOps.colorize(gradient, dark, light).convert("RGB")
    glow = PILImage.new("RGB", size, accent)
    mask = PILImage.new("L", size, 0)
    pen = ImageDraw.Draw(mask)
    width, height = size
    for _ in range(7):
        radius = rng.randint(height // 10, height // 3)
        x, y = rng.randint(0, width), rng.randint(0, height)
        pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=rng.randint(40, 110))
    canvas = PILImage.composite(glow, canvas, mask.filter(ImageFilter.GaussianBlur(60)))
    lines = ImageDraw.Draw(canvas)
    for step in range(0, width, 80):  # a faint grid: tracks, charts, floor plans
        lines.line((step, 0, step, height), fill=light, width=1)
    for step in range(0, height, 80):
        lines.line((0, step, width, step), fill=light, width=1)
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()


def demo_image(key: str, title: str, description: str, motif: str, seed: int) -> Image:
    """The demo image named `key`, created once; re-runs reuse it."""
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    image = Image(title=title, description=description)
    image.file = ImageFile(io.BytesIO(draw(motif, seed)), name=f"demo-{key}.jpg")
    image.save()
    return image
