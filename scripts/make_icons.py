"""Draw Samplan's app icons (a white plan with a tick on the brand blue) into static/icons/.

Run after changing the design: `.venv/bin/python scripts/make_icons.py`. The maskable icon keeps
its drawing inside the middle 80 % (the safe zone a launcher may crop to any shape).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (11, 90, 122)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def draw(size: int, scale: float, rounded: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), WHITE if rounded else BRAND)
    pen = ImageDraw.Draw(image)
    if rounded:
        pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=BRAND)
    unit = size * scale / 24  # the plan glyph is drawn on a 24-unit grid, centred

    def at(x: float, y: float) -> tuple[float, float]:
        offset = (size - 24 * unit) / 2
        return (offset + x * unit, offset + y * unit)

    pen.polygon([at(5, 2), at(15, 2), at(19.5, 6.5), at(19.5, 22), at(5, 22)], fill=WHITE)
    width = max(int(unit * 1.6), 2)
    pen.line([at(8, 9), at(16.5, 9)], fill=BRAND, width=width)
    pen.line([at(8, 13), at(16.5, 13)], fill=BRAND, width=width)
    pen.line([at(8.5, 17.5), at(10.5, 19.5), at(15.5, 15)], fill=BRAND, width=width, joint="curve")
    return image


def main() -> None:
    for size in (192, 512):
        draw(size, 0.8, rounded=False).save(OUT / f"app-{size}.png", optimize=True)
    draw(512, 0.56, rounded=False).save(OUT / "app-maskable-512.png", optimize=True)
    draw(180, 0.7, rounded=False).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
