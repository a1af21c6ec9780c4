"""Demo images for the Decree 30 appearances: a blue handwritten-looking signature and a red
round agency seal, both transparent PNGs drawn with Pillow."""

from __future__ import annotations

import io
import math
import random
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from signing.pdf.fonts import NOTO_SANS_BOLD

SIGNATURE_BLUE = (20, 40, 170, 255)
SEAL_RED = (215, 25, 32, 255)
SEAL_PIXELS = 420  # drawn for about 36 mm at 300 dpi, the size of a real agency seal


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _initials(name: str) -> str:
    words = unicodedata.normalize("NFC", name).split()
    return "".join(w[0] for w in words[-2:]).upper() if words else "?"


def signature_image(full_name: str, width: int = 480, height: int = 200) -> bytes:
    """A stylised blue scribble with the person's initials, the same for the same name."""
    rng = random.Random(full_name)  # noqa: S311 - a drawing, not a secret: stable per person
    scale = 4  # draw large and shrink, for smooth strokes
    image = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(NOTO_SANS_BOLD), size=int(height * scale * 0.55))
    draw.text((width * scale * 0.08, height * scale * 0.12), _initials(full_name), font=font, fill=SIGNATURE_BLUE)
    frequency, phase = rng.uniform(3.0, 5.0), rng.uniform(0.0, math.pi)
    points = []
    for i in range(120):
        t = i / 119
        x = width * scale * (0.3 + 0.62 * t)
        y = height * scale * (0.55 + 0.22 * (1 - 0.6 * t) * math.sin(t * math.pi * frequency + phase))
        points.append((x, y))
    draw.line(points, fill=SIGNATURE_BLUE, width=3 * scale, joint="curve")
    swash_y = height * scale * 0.82
    draw.line([(width * scale * 0.1, swash_y), (width * scale * 0.9, swash_y - height * scale * 0.1)],
              fill=SIGNATURE_BLUE, width=2 * scale)
    slant = 0.25  # lean the strokes to the right, like handwriting
    image = image.transform(image.size, Image.Transform.AFFINE, (1, slant, -slant * image.height / 2, 0, 1, 0),
                            resample=Image.Resampling.BICUBIC)
    return _png(image.resize((width, height), Image.Resampling.LANCZOS))


def _text_on_circle(image: Image.Image, text: str, font: ImageFont.FreeTypeFont, radius: float, span: float) -> None:
    """Write ``text`` clockwise along the top of a circle of ``radius`` around the image centre,
    over ``span`` degrees, each letter upright to the circle."""
    centre = image.width / 2
    letters = list(text)
    step = span / max(len(letters) - 1, 1)
    for index, letter in enumerate(letters):
        angle = -span / 2 + index * step  # 0° is the top of the circle
        box = font.getbbox(letter)
        half = int(font.size)
        tile = Image.new("RGBA", (half * 2, half * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((half - (box[0] + box[2]) / 2, half - (box[1] + box[3]) / 2), letter,
                                  font=font, fill=SEAL_RED)
        tile = tile.rotate(-angle, resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.sin(math.radians(angle)) - tile.width / 2
        y = centre - radius * math.cos(math.radians(angle)) - tile.height / 2
        image.alpha_composite(tile, (round(x), round(y)))


def _star(draw: ImageDraw.ImageDraw, centre: float, radius: float) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.4
        a = math.radians(-90 + i * 36)
        points.append((centre + r * math.cos(a), centre + r * math.sin(a)))
    draw.polygon(points, fill=SEAL_RED)


def seal_image(agency_name: str, size: int = SEAL_PIXELS, font_path: Path = NOTO_SANS_BOLD) -> bytes:
    """A red round seal: two rings, the agency name in capitals around them, a star in the middle."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ring = max(size // 60, 2)
    draw.ellipse((ring, ring, size - ring, size - ring), outline=SEAL_RED, width=ring * 2)
    inner = size * 0.3
    draw.ellipse((size / 2 - inner, size / 2 - inner, size / 2 + inner, size / 2 + inner), outline=SEAL_RED,
                 width=ring)
    _star(draw, size / 2, size * 0.15)
    text = unicodedata.normalize("NFC", agency_name).upper()
    font = ImageFont.truetype(str(font_path), size=max(int(size * 0.075), 8))
    _text_on_circle(image, text, font, radius=size * 0.39, span=min(300.0, 11.0 * len(text)))
    return _png(image)
