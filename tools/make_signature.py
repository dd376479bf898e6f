"""Generate the SPECIMEN signature image used in the letter's signature block.

The file written by this script (``templates/signature.png`` by default) is a
generated placeholder: a neutral pen flourish in dark ballpoint blue that reads as no
name, drawn over a faint grey-blue round stamp marked "SPECIMEN" and "Ministerie van
Asiel en Migratie". It imitates nobody's signature, and does not read as another name
than the signatory's.

In production the real, scanned signature is dropped in its place under the
same file name (``templates/signature.png``); nothing else has to change. A
replacement should likewise be a PNG with a transparent background, about
5.0 x 2.2 cm at 300 dpi.

The output is deterministic: all randomness comes from a fixed seed and the
PNG carries no timestamp, so every run writes the same bytes for the same
Pillow version.

Usage::

    python tools/make_signature.py [--out templates/signature.png]
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

Point = tuple[float, float]

SEED = 20240917
DPI = 300
WIDTH_PX = 590  # 5.0 cm at 300 dpi
HEIGHT_PX = 260  # 2.2 cm at 300 dpi
SCALE = 4  # supersampling factor for antialiasing

INK_RGB = (0x1F, 0x3A, 0x93)  # dark ballpoint blue
STAMP_RGB = (112, 134, 176)  # light grey-blue
STAMP_ALPHA = 110  # faint: the stamp stays behind the ink
STAMP_TILT = 7.0  # degrees counter-clockwise

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "templates" / "signature.png"

# Signature geometry, in output pixels (before supersampling).
PEN_WIDTH = 3.1  # nominal line width of the ballpoint
# The finished scribble is scaled to fit this box (x0, y0, x1, y1); control
# points only approximate the drawn curve, hence the margins.
SIGNATURE_BOX = (30.0, 24.0, 556.0, 234.0)


# --------------------------------------------------------------------------
# Curves
# --------------------------------------------------------------------------


def catmull_rom(points: Sequence[Point], samples_per_segment: int = 24) -> list[Point]:
    """Return a dense centripetal Catmull-Rom spline through ``points``.

    The centripetal parametrisation (alpha = 0.5) avoids the cusps and
    self-intersections that the uniform variant makes at sharp turns, which
    keeps fast "pen" loops smooth.
    """
    if len(points) < 2:
        return list(points)
    # Extend the ends by reflection so the spline passes through every point.
    first = (2 * points[0][0] - points[1][0], 2 * points[0][1] - points[1][1])
    last = (2 * points[-1][0] - points[-2][0], 2 * points[-1][1] - points[-2][1])
    pts = [first, *points, last]
    out: list[Point] = []

    def knot(t: float, a: Point, b: Point) -> float:
        return t + math.sqrt(max(math.dist(a, b), 1e-6))

    for i in range(len(pts) - 3):
        p0, p1, p2, p3 = pts[i], pts[i + 1], pts[i + 2], pts[i + 3]
        t0 = 0.0
        t1 = knot(t0, p0, p1)
        t2 = knot(t1, p1, p2)
        t3 = knot(t2, p2, p3)
        for s in range(samples_per_segment):
            t = t1 + (t2 - t1) * s / samples_per_segment
            a1 = _lerp(p0, p1, (t - t0) / (t1 - t0))
            a2 = _lerp(p1, p2, (t - t1) / (t2 - t1))
            a3 = _lerp(p2, p3, (t - t2) / (t3 - t2))
            b1 = _lerp(a1, a2, (t - t0) / (t2 - t0))
            b2 = _lerp(a2, a3, (t - t1) / (t3 - t1))
            out.append(_lerp(b1, b2, (t - t1) / (t2 - t1)))
    out.append(points[-1])
    return out


def _lerp(a: Point, b: Point, t: float) -> Point:
    """Linear interpolation between two points."""
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def resample(points: Sequence[Point], step: float) -> list[Point]:
    """Resample a polyline at (nearly) equal arc-length intervals of ``step``."""
    if len(points) < 2:
        return list(points)
    out: list[Point] = [points[0]]
    carry = 0.0
    for a, b in itertools.pairwise(points):
        seg = math.dist(a, b)
        pos = step - carry
        while pos <= seg:
            out.append(_lerp(a, b, pos / seg))
            pos += step
        carry = seg - (pos - step)
    if out[-1] != points[-1]:
        out.append(points[-1])
    return out


# --------------------------------------------------------------------------
# Handwriting
# --------------------------------------------------------------------------

# Cursive lower-case glyphs: (advance, points). Points are (dx, dy) in units of
# the x-height, dy measured upwards from the baseline. Each glyph starts where
# the previous one left off (near the baseline) and ends on a connector.
GLYPHS: dict[str, tuple[float, list[Point]]] = {
    "i": (0.75, [(0.30, 0.95), (0.32, 0.15), (0.55, 0.0), (0.80, 0.25)]),
    "n": (
        1.25,
        [
            (0.15, 0.85),
            (0.26, 0.95),
            (0.22, 0.05),
            (0.40, 0.70),
            (0.65, 1.00),
            (0.80, 0.80),
            (0.82, 0.15),
            (1.00, 0.00),
            (1.25, 0.30),
        ],
    ),
    "d": (
        1.15,
        [
            (0.55, 0.85),
            (0.25, 0.95),
            (0.02, 0.45),
            (0.20, 0.00),
            (0.52, 0.40),
            (0.80, 1.55),
            (0.92, 2.35),
            (0.76, 1.40),
            (0.72, 0.25),
            (0.92, 0.00),
            (1.15, 0.25),
        ],
    ),
    "e": (
        0.95,
        [
            (0.30, 0.45),
            (0.66, 0.80),
            (0.56, 1.00),
            (0.26, 0.62),
            (0.32, 0.10),
            (0.62, 0.00),
            (0.95, 0.28),
        ],
    ),
    "m": (
        1.65,
        [
            (0.12, 0.85),
            (0.22, 0.95),
            (0.20, 0.05),
            (0.36, 0.75),
            (0.55, 0.98),
            (0.68, 0.70),
            (0.66, 0.05),
            (0.84, 0.72),
            (1.06, 0.96),
            (1.20, 0.70),
            (1.22, 0.12),
            (1.40, 0.00),
            (1.65, 0.25),
        ],
    ),
    "a": (
        1.05,
        [
            (0.55, 0.82),
            (0.25, 0.92),
            (0.05, 0.40),
            (0.24, 0.00),
            (0.52, 0.45),
            (0.66, 0.92),
            (0.60, 0.20),
            (0.80, 0.00),
            (1.05, 0.22),
        ],
    ),
}


def signature_strokes(seed: int) -> list[list[Point]]:
    """Return the control points of each pen stroke of the specimen mark.

    The mark is a neutral flourish that reads as no name at all: an entry loop, a wave
    whose swing dies away to the right, and a long return stroke underneath. A specimen
    must not look like the signature of anybody, least of all of another person than the
    signatory the letter names.
    """
    rng = random.Random(seed)
    loop = [(40.0, 150.0), (70.0, 90.0), (96.0, 70.0), (104.0, 100.0), (80.0, 150.0), (90.0, 170.0)]
    wave: list[Point] = []
    for step in range(15):
        x = 100.0 + step * 29.0
        swing = 44.0 * math.exp(-step / 6.0) * (1 if step % 2 else -1)
        wave.append((x, 140.0 + swing + rng.uniform(-3.0, 3.0)))
    underline = [(530.0, 150.0), (545.0, 185.0), (470.0, 205.0), (300.0, 210.0), (150.0, 200.0)]
    return fit([loop + wave, underline], SIGNATURE_BOX)


def fit(strokes: list[list[Point]], box: tuple[float, float, float, float]) -> list[list[Point]]:
    """Scale ``strokes`` uniformly and centre them in ``box`` (x0, y0, x1, y1)."""
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    bw, bh = max(xs) - min(xs), max(ys) - min(ys)
    k = min((box[2] - box[0]) / bw, (box[3] - box[1]) / bh)
    ox = (box[0] + box[2]) / 2 - k * (min(xs) + max(xs)) / 2
    oy = (box[1] + box[3]) / 2 - k * (min(ys) + max(ys)) / 2
    return [[(ox + k * x, oy + k * y) for x, y in stroke] for stroke in strokes]


def _smooth_noise(rng: random.Random, n: int, knots: int = 12) -> list[float]:
    """Return ``n`` values of smooth noise in [-1, 1] (interpolated knots)."""
    vals = [rng.uniform(-1.0, 1.0) for _ in range(knots + 1)]
    out: list[float] = []
    for i in range(n):
        t = i / max(n - 1, 1) * knots
        k = min(int(t), knots - 1)
        f = t - k
        f = f * f * (3 - 2 * f)
        out.append(vals[k] * (1 - f) + vals[k + 1] * f)
    return out


def draw_stroke(mask: ImageDraw.ImageDraw, ctrl: Sequence[Point], rng: random.Random) -> None:
    """Draw one pen stroke with pressure-dependent width on a supersampled mask.

    The path is a Catmull-Rom spline through ``ctrl`` (in output pixels),
    resampled densely and stamped as overlapping discs (round caps and joins).
    Down-strokes are a little heavier than up-strokes, the pen eases in at the
    start and lifts off with a taper at the end.
    """
    path = [(x * SCALE, y * SCALE) for x, y in catmull_rom(ctrl)]
    pts = resample(path, step=1.2)
    n = len(pts)
    if n < 2:
        return
    noise = _smooth_noise(rng, n, knots=max(3, n // 180))
    shade = _smooth_noise(rng, n, knots=max(3, n // 260))
    base = PEN_WIDTH * SCALE
    for i, (x, y) in enumerate(pts):
        a = pts[max(i - 3, 0)]
        b = pts[min(i + 3, n - 1)]
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = math.hypot(dx, dy) or 1.0
        down = dy / length  # +1 straight down, -1 straight up
        u = i / (n - 1)
        taper = min(1.0, 0.55 + u * 14.0) * min(1.0, 0.22 + (1.0 - u) * 7.0)
        width = base * (0.86 + 0.16 * down + 0.08 * noise[i]) * taper
        r = max(width / 2.0, 1.2)
        ink = int(236 + 19 * shade[i])
        mask.ellipse((x - r, y - r, x + r, y + r), fill=ink)


# --------------------------------------------------------------------------
# Stamp
# --------------------------------------------------------------------------


def _font(name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Load a DejaVu font, falling back to Pillow's built-in default font."""
    path = FONT_DIR / name
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _text_on_arc(
    mask: Image.Image,
    text: str,
    centre: Point,
    radius: float,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    *,
    bottom: bool = False,
) -> None:
    """Write ``text`` on a coverage mask, centred on a circular arc.

    Each glyph is rendered, rotated and pasted on its own. Top text is centred
    on 12 o'clock and runs clockwise; ``bottom`` text is centred on 6 o'clock
    and runs counter-clockwise, so both read left to right and stay upright.
    """
    advances = [font.getlength(ch) for ch in text]
    sign = -1.0 if bottom else 1.0  # bottom text hangs below the centre
    angle = -sum(advances) / radius / 2.0  # radians from 12 or 6 o'clock
    box = int(font.size * 2.2) if isinstance(font, ImageFont.FreeTypeFont) else 40
    for ch, adv in zip(text, advances, strict=True):
        mid = angle + adv / 2.0 / radius
        angle += adv / radius
        if ch == " ":
            continue
        glyph = Image.new("L", (box, box), 0)
        ImageDraw.Draw(glyph).text((box / 2, box / 2), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-sign * math.degrees(mid), resample=Image.Resampling.BICUBIC)
        gx = centre[0] + radius * math.sin(mid)
        gy = centre[1] - sign * radius * math.cos(mid)
        mask.paste(255, (int(gx - box / 2), int(gy - box / 2)), mask=glyph)


def draw_stamp(size: tuple[int, int], centre: Point, diameter: float) -> Image.Image:
    """Return the supersampled coverage mask ("L") of the round SPECIMEN stamp.

    ``centre`` and ``diameter`` are in output pixels. The stamp is a double
    circle with the ministry's name around the top, a star-framed
    "SPECIMEN" along the bottom and a bold "SPECIMEN" across the middle,
    turned a few degrees as a hand-set stamp would be.
    """
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    cx, cy = centre[0] * SCALE, centre[1] * SCALE
    r_out = diameter / 2.0 * SCALE
    r_in = r_out * 0.74
    for r, w in ((r_out, 2.2), (r_out - 4.2 * SCALE, 0.9), (r_in, 1.3)):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=round(w * SCALE))

    ring_font = _font("DejaVuSansCondensed-Bold.ttf", round(8.2 * SCALE))
    r_text = (r_out - 4.2 * SCALE + r_in) / 2.0
    _text_on_arc(mask, "MINISTERIE VAN ASIEL EN MIGRATIE", (cx, cy), r_text, ring_font)
    _text_on_arc(mask, "\u2605 SPECIMEN \u2605", (cx, cy), r_text, ring_font, bottom=True)

    centre_font = _font("DejaVuSerif-Bold.ttf", round(12.5 * SCALE))
    draw.text((cx, cy), "SPECIMEN", font=centre_font, fill=255, anchor="mm")
    half = r_in * 0.78
    for dy in (-11.5 * SCALE, 11.5 * SCALE):
        draw.line((cx - half, cy + dy, cx + half, cy + dy), fill=255, width=round(0.9 * SCALE))
    return mask.rotate(STAMP_TILT, resample=Image.Resampling.BICUBIC, center=(cx, cy))


# --------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------


def _layer(rgb: tuple[int, int, int], coverage: Image.Image, opacity: int) -> Image.Image:
    """Return a flat-coloured RGBA layer whose alpha is ``coverage`` x ``opacity``."""
    layer = Image.new("RGBA", coverage.size, (*rgb, 0))
    layer.putalpha(coverage.point(lambda v: v * opacity // 255))
    return layer


def render(seed: int = SEED) -> Image.Image:
    """Render the specimen signature (RGBA, transparent background).

    Stamp and ink are drawn as 4x supersampled coverage masks, each reduced
    with LANCZOS, then coloured and stacked. Keeping the colour flat per layer
    (only the alpha varies) gives clean edges and a small PNG.
    """
    big = (WIDTH_PX * SCALE, HEIGHT_PX * SCALE)
    small = (WIDTH_PX, HEIGHT_PX)
    stamp = draw_stamp(big, centre=(WIDTH_PX * 0.62, HEIGHT_PX * 0.45), diameter=HEIGHT_PX * 0.55)

    rng = random.Random(seed + 1)
    ink = Image.new("L", big, 0)
    ink_draw = ImageDraw.Draw(ink)
    for stroke in signature_strokes(seed):
        draw_stroke(ink_draw, stroke, rng)

    lanczos = Image.Resampling.LANCZOS
    image = _layer(STAMP_RGB, stamp.resize(small, lanczos), STAMP_ALPHA)
    image.alpha_composite(_layer(INK_RGB, ink.resize(small, lanczos), 255))
    return image


def save(image: Image.Image, out: Path) -> None:
    """Write ``image`` as a compact PNG tagged with 300 dpi."""
    out.parent.mkdir(parents=True, exist_ok=True)
    # Fully transparent pixels carry no colour: zero them so they compress well.
    clear = image.getchannel("A").point(lambda v: 255 if v == 0 else 0)
    clean = image.copy()
    clean.paste((0, 0, 0, 0), mask=clear)
    clean.save(out, format="PNG", dpi=(DPI, DPI), optimize=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output PNG path (default: templates/signature.png)",
    )
    args = parser.parse_args(argv)
    save(render(), args.out)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size} bytes, {WIDTH_PX}x{HEIGHT_PX} px, {DPI} dpi)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
