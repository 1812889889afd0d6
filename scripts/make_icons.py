"""Draw the PNG app icons from the same shapes as static/img/icon.svg (run once; the PNGs are committed).

python3 scripts/make_icons.py  ->  static/img/icon-192.png, icon-512.png, apple-touch-icon.png
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

IMG = Path(__file__).resolve().parents[1] / "static" / "img"
GREEN, WHITE, YELLOW = "#0b5d4b", "#ffffff", "#f2c14e"
SUPERSAMPLE = 4


def _cubic(p0, p1, p2, p3, steps=400):
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        yield (
            u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
            u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
        )


def _shoulders():
    """The SVG path M12 50 c2-8 8-12 16-12 h8 c8 0 14 4 16 12, in absolute points."""
    points = list(_cubic((12, 50), (14, 42), (20, 38), (28, 38)))
    points += [(28 + i / 50, 38) for i in range(400)]
    points += list(_cubic((36, 38), (44, 38), (50, 42), (52, 50)))
    return points


def draw(size: int, *, rounded: bool, padding: float = 0.0) -> Image.Image:
    """The icon at `size` pixels; `padding` (a fraction) shrinks the drawing inside the square."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0) if rounded else GREEN)
    pen = ImageDraw.Draw(image)
    scale = big * (1 - 2 * padding) / 64
    offset = big * padding

    def at(x: float, y: float) -> tuple[float, float]:
        return offset + x * scale, offset + y * scale

    if rounded:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=14 * big / 64, fill=GREEN)
    for cx, colour in ((22, WHITE), (42, YELLOW)):
        x, y = at(cx, 26)
        pen.ellipse((x - 9 * scale, y - 9 * scale, x + 9 * scale, y + 9 * scale), fill=colour)
    # A round brush stamped along the curve: a smooth stroke with round caps, like the SVG's.
    radius = 2.5 * scale
    for x, y in (at(x, y) for x, y in _shoulders()):
        pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=WHITE)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    draw(192, rounded=True).save(IMG / "icon-192.png", optimize=True)
    draw(512, rounded=True).save(IMG / "icon-512.png", optimize=True)
    # Maskable: the launcher cuts its own shape, so the drawing keeps to the safe zone (80 %).
    draw(512, rounded=False, padding=0.1).save(IMG / "icon-maskable-512.png", optimize=True)
    # iOS rounds the corners itself and dislikes transparency.
    draw(180, rounded=False, padding=0.06).convert("RGB").save(IMG / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
