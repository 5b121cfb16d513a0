"""Demo images drawn with Pillow, so the repository ships no binary files.

They are saved through Wagtail's Image model, hence through the configured
storage (local files or S3).
"""

import io
import random
from collections.abc import Callable

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


# Product drawings: one flat illustration per product type, so a visitor sees what each
# product is (a shoe, a strap, a roller…). Coordinates are on a 1600×1000 canvas.
PRODUCT_COLOURS = {
    "red": "#d1495b",
    "blue": "#2e86ab",
    "green": "#3bb273",
    "orange": "#f18f01",
    "purple": "#7b2cbf",
    "yellow": "#e9b10f",
    "black": "#2b2d42",
    "teal": "#1b998b",
    "grey": "#6c7a89",
    "pink": "#e0527f",
}
INK = "#1d1d1f"
WHITE = "#fbfbf8"
Pen = ImageDraw.ImageDraw


def _shoe(pen: Pen, c: str, variant: str) -> None:
    sole = 110 if variant == "cushioned" else 60
    top = [(330, 560), (520, 420), (700, 360), (840, 430), (980, 520), (1200, 560), (1300, 640)]
    pen.polygon([*top, (1300, 700), (300, 700), (280, 620)], fill=c, outline=INK, width=8)
    pen.rounded_rectangle((270, 690, 1320, 690 + sole), 30, fill=WHITE, outline=INK, width=8)
    for x in range(640, 900, 60):  # laces
        pen.line((x, 420 + (x - 640) // 3, x + 60, 470 + (x - 640) // 3), fill=WHITE, width=14)
    pen.arc((330, 450, 620, 700), 200, 300, fill=INK, width=8)  # heel collar
    if variant == "trail":
        for x in range(300, 1300, 90):
            pen.polygon([(x, 750), (x + 45, 800), (x + 90, 750)], fill=INK)
    if variant == "plate":
        pen.line((300, 720, 1300, 720), fill="#1b1b1b", width=16)
        pen.line((1200, 560, 1320, 500), fill=INK, width=10)  # rocker toe
    if variant == "beginner":
        pen.ellipse((400, 560, 520, 680), fill=WHITE, outline=INK, width=6)  # heel counter


def _strap(pen: Pen, c: str, variant: str) -> None:
    if variant == "chest":
        pen.arc((250, 250, 1350, 1150), 200, 340, fill=c, width=70)
        pen.rounded_rectangle((640, 380, 960, 560), 60, fill=INK, outline=WHITE, width=8)
        pen.line((720, 470, 770, 470, 800, 410, 840, 530, 870, 470, 900, 470), fill=c, width=10)
    elif variant == "arm":
        pen.rounded_rectangle((300, 420, 1300, 600), 90, fill=c, outline=INK, width=8)
        pen.ellipse((650, 360, 950, 660), fill=INK, outline=WHITE, width=10)
        pen.ellipse((760, 470, 840, 550), fill="#ff5a5f")
    else:  # a clip-on foot pod
        pen.rounded_rectangle((520, 380, 1080, 640), 130, fill=c, outline=INK, width=10)
        pen.rectangle((560, 620, 1040, 700), fill=INK)
        for x in (700, 800, 900):
            pen.ellipse((x - 20, 490, x + 20, 530), fill=WHITE)


def _power(pen: Pen, c: str, _variant: str) -> None:
    pen.ellipse((350, 250, 850, 750), outline=INK, width=40)  # chainring
    for angle in range(0, 360, 30):
        pen.pieslice((330, 230, 870, 770), angle, angle + 8, fill=INK)
    pen.ellipse((410, 310, 790, 690), fill=WHITE)
    pen.line((600, 500, 1150, 780), fill=c, width=90)  # crank arm with the meter
    pen.ellipse((540, 440, 660, 560), fill=INK)
    pen.rounded_rectangle((1100, 720, 1300, 820), 30, fill=INK)  # pedal


def _scale(pen: Pen, c: str, _variant: str) -> None:
    pen.rounded_rectangle((400, 250, 1200, 850), 80, fill=c, outline=INK, width=10)
    pen.rounded_rectangle((620, 330, 980, 450), 20, fill=INK)
    pen.text((660, 345), "72.4", fill="#7bd389", font_size=90)
    for x in (520, 1080):
        pen.rounded_rectangle((x - 60, 600, x + 60, 780), 30, fill=WHITE)


def _roller(pen: Pen, c: str, variant: str) -> None:
    if variant == "mat":  # a rolled-up mat
        pen.rounded_rectangle((300, 400, 1250, 700), 150, fill=c, outline=INK, width=10)
        for r in (140, 100, 60, 25):
            pen.ellipse((1150 - r, 550 - r, 1150 + r, 550 + r), outline=INK, width=8)
        return
    pen.rounded_rectangle((300, 350, 1300, 650), 150, fill=c, outline=INK, width=10)
    for x in range(380, 1250, 70):
        pen.line((x, 360, x, 640), fill=INK, width=12)  # ridges


def _massage_gun(pen: Pen, c: str, _variant: str) -> None:
    pen.rounded_rectangle((400, 250, 1150, 450), 100, fill=c, outline=INK, width=10)
    pen.rounded_rectangle((650, 420, 850, 850), 60, fill=INK)
    pen.ellipse((1120, 275, 1300, 425), fill=WHITE, outline=INK, width=10)  # head
    pen.rectangle((1080, 320, 1140, 380), fill=INK)


def _boot(pen: Pen, c: str, variant: str) -> None:
    if variant == "socks":
        for dx, colour in ((0, c), (360, WHITE)):
            leg = [(450 + dx, 200), (700 + dx, 200), (700 + dx, 650), (900 + dx, 760)]
            pen.polygon([*leg, (860 + dx, 880), (450 + dx, 760)], fill=colour, outline=INK, width=8)
            pen.rectangle((450 + dx, 200, 700 + dx, 260), fill=INK)
        return
    for dx in (0, 420):  # a pair of tall air boots with chambers
        pen.rounded_rectangle((420 + dx, 150, 700 + dx, 880), 120, fill=c, outline=INK, width=10)
        for y in range(290, 880, 130):
            pen.line((430 + dx, y, 690 + dx, y), fill=INK, width=8)


def _battery(pen: Pen, c: str, variant: str) -> None:
    if variant == "dock":
        pen.rounded_rectangle((300, 620, 1300, 800), 60, fill=INK)
        pen.rounded_rectangle((560, 300, 1040, 640), 80, fill=c, outline=INK, width=10)
        pen.polygon(
            [(820, 360), (740, 500), (810, 500), (770, 600), (880, 450), (810, 450)], fill=WHITE
        )
        return
    pen.rounded_rectangle((350, 300, 1150, 700), 50, fill=INK)
    pen.rectangle((1150, 420, 1230, 580), fill=INK)
    for i in range(4):  # charge bars
        pen.rectangle((400 + i * 185, 350, 550 + i * 185, 650), fill=c)


def _wheels(pen: Pen, c: str, _variant: str) -> None:
    for cx, cy in ((520, 330), (1080, 330), (520, 690), (1080, 690)):
        pen.ellipse((cx - 170, cy - 170, cx + 170, cy + 170), fill=INK)
        for angle in range(0, 360, 30):
            pen.pieslice((cx - 190, cy - 190, cx + 190, cy + 190), angle, angle + 12, fill=INK)
        pen.ellipse((cx - 80, cy - 80, cx + 80, cy + 80), fill=c)


def _module(pen: Pen, c: str, _variant: str) -> None:
    pen.rounded_rectangle((500, 350, 1100, 850), 30, fill=c, outline=INK, width=10)
    pen.rectangle((650, 500, 950, 750), fill=INK)
    for x in range(540, 1080, 60):
        pen.rectangle((x, 820, x + 25, 880), fill="#c9a227")
    pen.line((800, 350, 800, 150), fill=INK, width=20)  # antenna
    for r in (80, 150):
        pen.arc((800 - r, 150 - r, 800 + r, 150 + r), 220, 320, fill=INK, width=12)


def _case(pen: Pen, c: str, _variant: str) -> None:
    pen.rounded_rectangle((300, 300, 1300, 850), 70, fill=c, outline=INK, width=12)
    pen.rounded_rectangle((650, 200, 950, 320), 40, outline=INK, width=24)
    pen.line((300, 520, 1300, 520), fill=INK, width=12)
    for x in (520, 1080):
        pen.rectangle((x - 40, 490, x + 40, 560), fill=WHITE, outline=INK, width=6)


def _garment(pen: Pen, c: str, variant: str) -> None:
    if variant == "tights":
        pen.polygon(
            [(560, 150), (1040, 150), (1080, 900), (880, 900), (800, 400), (720, 900), (520, 900)],
            fill=c,
            outline=INK,
            width=10,
        )
        pen.rectangle((560, 150, 1040, 210), fill=INK)
        return
    if variant == "cap":
        pen.chord((500, 250, 1100, 850), 180, 360, fill=c, outline=INK, width=10)
        pen.ellipse((950, 500, 1400, 620), fill=c, outline=INK, width=10)  # visor
        pen.line((520, 520, 1080, 520), fill="#f5f5f5", width=22)  # reflective band
        return
    body = [(450, 300), (650, 200), (950, 200), (1150, 300), (1350, 520), (1220, 620)]
    body += [(1100, 500), (1100, 880), (500, 880), (500, 500), (380, 620), (250, 520)]
    if variant == "vest":
        body = [(600, 200), (1000, 200), (1120, 880), (480, 880)]
    pen.polygon(body, fill=c, outline=INK, width=10)
    if variant == "jacket":
        pen.line((800, 230, 800, 880), fill=INK, width=12)  # zip
        pen.arc((650, 80, 950, 360), 180, 360, fill=INK, width=14)  # hood
        pen.line((1150, 560, 1300, 560), fill="#f5f5f5", width=18)  # reflective stripe
    elif variant == "vest":
        for x in (620, 860):
            pen.rounded_rectangle((x, 320, x + 120, 560), 40, fill="#a8dadc", outline=INK, width=6)
    else:
        pen.arc((700, 150, 900, 290), 0, 180, fill=INK, width=12)  # neckline


SHAPES = {
    "shoe": _shoe,
    "strap": _strap,
    "power": _power,
    "scale": _scale,
    "roller": _roller,
    "massage-gun": _massage_gun,
    "boot": _boot,
    "battery": _battery,
    "wheels": _wheels,
    "module": _module,
    "case": _case,
    "garment": _garment,
}


def draw_product(
    shape: str,
    variant: str,
    colour: str,
    detail: bool = False,
    size: tuple[int, int] = (1600, 1000),
) -> bytes:
    """A flat drawing of a product on a light background; `detail` is a close-up of it."""
    canvas = PILImage.new("RGB", (1600, 1000), "#eef1ec")
    pen = ImageDraw.Draw(canvas)
    pen.ellipse((250, 820, 1350, 940), fill="#d6dbd2")  # the floor shadow
    SHAPES[shape](pen, PRODUCT_COLOURS[colour], variant)
    if detail:
        canvas = canvas.crop((500, 250, 1300, 750))
    canvas = canvas.resize(size)
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue()


def product_image(key: str, title: str, drawing: Callable[[], bytes]) -> Image:
    """The drawn product image titled `title`, created once; re-runs reuse it."""
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    image = Image(title=title)
    image.file = ImageFile(io.BytesIO(drawing()), name=f"demo-{key}.jpg")
    image.save()
    return image
