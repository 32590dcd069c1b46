"""The demo's product photos, drawn locally with Pillow (nothing downloaded).

Each product gets one photo per colour (apparel and shoes) or one photo (food and gifts): a simple
illustration of what it is (a T-shirt, a dress, a sneaker, a jar of honey, a bottle of wine, a knife,
...) in the product's colour on a soft background tinted by it, with a gentle light-to-shade
gradient and a blurred shadow. A few hundred distinct drawings (shape x colour) cover thousands of
products: each is drawn once, stored through the storage API with its renditions
(``catalog.images.render_file``), and the photo rows of every product showing it point to the same
files (bulk inserted). Re-running adds photos only to products that have none.
"""

from __future__ import annotations

import io
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageDraw, ImageFilter

from catalog.images import render_file
from catalog.models import OptionValue, Product, ProductImage, Variant

SIZE = 960  # the drawings' side (renditions: 320, 640, 960)
SCALE = 2  # drawn at twice the size, then reduced: smooth edges
DEMO_DIR = "products/demo"

COLOUR_RGB = {
    "black": (44, 44, 48),
    "white": (238, 235, 228),
    "navy": (34, 50, 92),
    "red": (178, 38, 48),
    "olive": (108, 114, 58),
    "sand": (214, 190, 148),
    "sky": (128, 178, 220),
    "terracotta": (196, 100, 68),
    "grey": (138, 140, 146),
    "coral": (238, 126, 108),
}
# Food and gifts have no colour option: their label, lid or handle takes one of these (by product).
TINTS = ["terracotta", "olive", "navy", "sand", "coral", "sky"]
CREAM = (248, 244, 237)

Point = tuple[float, float]
RGB = tuple[int, int, int]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def _lighter(c: RGB, t: float) -> RGB:
    return _mix(c, (255, 255, 255), t)


def _darker(c: RGB, t: float) -> RGB:
    return _mix(c, (0, 0, 0), t)


class Canvas:
    """A square drawing in unit coordinates (0..1), shaded fills and soft shadows."""

    def __init__(self, colour: RGB) -> None:
        self.n = SIZE * SCALE
        top = _mix(CREAM, colour, 0.10)
        bottom = _darker(_mix(CREAM, colour, 0.16), 0.06)
        self.img = _gradient(self.n, top, bottom)
        self.draw = ImageDraw.Draw(self.img)

    def xy(self, points: list[Point]) -> list[tuple[float, float]]:
        return [(x * self.n, y * self.n) for x, y in points]

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (x0 * self.n, y0 * self.n, x1 * self.n, y1 * self.n)

    def shadow(self, x0: float, y0: float, x1: float, y1: float, strength: int = 70) -> None:
        small = 240
        mask = Image.new("L", (small, small), 0)
        ImageDraw.Draw(mask).ellipse([v * small for v in (x0, y0, x1, y1)], fill=strength)
        mask = mask.filter(ImageFilter.GaussianBlur(small * 0.025)).resize(
            (self.n, self.n), Image.Resampling.BILINEAR
        )
        self.img.paste((60, 48, 40), (0, 0), mask)

    def shape(self, colour: RGB, draw: Callable[[ImageDraw.ImageDraw], None], light: float = 0.14) -> None:
        """A shape filled with ``colour``, lighter at its top and darker at its bottom."""
        mask = Image.new("L", (self.n, self.n), 0)
        draw(ImageDraw.Draw(mask))
        bbox = mask.getbbox()
        if bbox is None:
            return
        fill = _gradient(
            bbox[3] - bbox[1], _lighter(colour, light), _darker(colour, light), width=bbox[2] - bbox[0]
        )
        self.img.paste(fill, bbox[:2], mask.crop(bbox))

    def polygon(self, colour: RGB, points: list[Point], light: float = 0.14) -> None:
        self.shape(colour, lambda d: d.polygon(self.xy(points), fill=255), light)

    def ellipse(self, colour: RGB, x0: float, y0: float, x1: float, y1: float, light: float = 0.14) -> None:
        self.shape(colour, lambda d: d.ellipse(self.box(x0, y0, x1, y1), fill=255), light)

    def rounded(
        self, colour: RGB, x0: float, y0: float, x1: float, y1: float, r: float, light: float = 0.14
    ) -> None:
        self.shape(
            colour, lambda d: d.rounded_rectangle(self.box(x0, y0, x1, y1), r * self.n, fill=255), light
        )

    def line(self, colour: RGB, points: list[Point], width: float = 0.006) -> None:
        self.draw.line(self.xy(points), fill=colour, width=max(1, round(width * self.n)), joint="curve")

    def done(self) -> bytes:
        out = io.BytesIO()
        self.img.reduce(SCALE).save(out, "JPEG", quality=88, optimize=True)
        return out.getvalue()


def _gradient(height: int, top: RGB, bottom: RGB, width: int | None = None) -> Image.Image:
    # a one-pixel column stretched sideways: a full-size resample would cost more than the drawing
    mask = Image.linear_gradient("L").resize((1, height), Image.Resampling.BILINEAR)
    mask = mask.resize((width or height, height), Image.Resampling.NEAREST)
    return Image.composite(Image.new("RGB", mask.size, bottom), Image.new("RGB", mask.size, top), mask)


def _seam(c: RGB) -> RGB:
    return _darker(c, 0.25) if sum(c) > 150 else _lighter(c, 0.25)


# --- apparel ------------------------------------------------------------------------------------


def _top(cv: Canvas, c: RGB, *, long: bool, collar: str = "crew", opening: bool = False) -> None:
    sleeve = (
        [(0.30, 0.24), (0.17, 0.33), (0.11, 0.74), (0.20, 0.75), (0.27, 0.44)]
        if long
        else [(0.30, 0.24), (0.13, 0.36), (0.21, 0.48), (0.29, 0.42)]
    )
    right = [(1 - x, y) for x, y in reversed(sleeve)]
    body = [(0.41, 0.20), *sleeve, (0.30, 0.82), (0.70, 0.82), *right, (0.59, 0.20), (0.5, 0.25)]
    cv.shadow(0.20, 0.79, 0.80, 0.88)
    cv.polygon(c, body)
    seam = _seam(c)
    if collar == "crew":
        cv.draw.arc(cv.box(0.41, 0.14, 0.59, 0.28), 20, 160, fill=seam, width=round(0.012 * cv.n))
    elif collar in ("shirt", "lapel"):
        cv.polygon(_lighter(c, 0.08), [(0.41, 0.20), (0.5, 0.30), (0.45, 0.34), (0.38, 0.24)], 0.05)
        cv.polygon(_lighter(c, 0.08), [(0.59, 0.20), (0.5, 0.30), (0.55, 0.34), (0.62, 0.24)], 0.05)
        if collar == "lapel":
            cv.polygon(_darker(c, 0.1), [(0.45, 0.34), (0.5, 0.30), (0.55, 0.34), (0.5, 0.62)], 0.05)
    if opening:
        cv.line(seam, [(0.5, 0.30), (0.5, 0.82)], 0.006)
        for y in (0.40, 0.52, 0.64, 0.76):
            cv.draw.ellipse(cv.box(0.485, y - 0.012, 0.515, y + 0.012), fill=_lighter(seam, 0.3))
    if long and collar == "crew":  # a sweater's ribbed cuffs and hem
        cv.polygon(_darker(c, 0.08), [(0.30, 0.78), (0.70, 0.78), (0.70, 0.82), (0.30, 0.82)], 0.02)
    cv.line(seam, [(0.30, 0.27), (0.29, 0.42)], 0.004)
    cv.line(seam, [(0.70, 0.27), (0.71, 0.42)], 0.004)


def tshirt(cv: Canvas, c: RGB) -> None:
    _top(cv, c, long=False)


def sweater(cv: Canvas, c: RGB) -> None:
    _top(cv, c, long=True)


def shirt(cv: Canvas, c: RGB) -> None:
    _top(cv, c, long=True, collar="shirt", opening=True)


def jacket(cv: Canvas, c: RGB) -> None:
    _top(cv, c, long=True, collar="lapel", opening=True)


def dress(cv: Canvas, c: RGB) -> None:
    cv.shadow(0.20, 0.83, 0.80, 0.92)
    body = [(0.40, 0.13), (0.35, 0.17), (0.37, 0.42), (0.24, 0.86), (0.76, 0.86), (0.63, 0.42), (0.65, 0.17)]
    body += [(0.60, 0.13), (0.5, 0.22)]
    cv.polygon(c, body)
    seam = _seam(c)
    cv.line(seam, [(0.37, 0.42), (0.63, 0.42)], 0.008)
    for x in (0.36, 0.44, 0.56, 0.64):  # folds of the skirt
        cv.line(_darker(c, 0.12), [(0.5 + (x - 0.5) * 0.4, 0.46), (x, 0.84)], 0.004)


# --- shoes --------------------------------------------------------------------------------------


def _shoe(cv: Canvas, c: RGB, upper: list[Point], sole: RGB, sole_top: float = 0.62) -> None:
    cv.shadow(0.12, 0.66, 0.90, 0.76)
    cv.polygon(c, upper)
    cv.rounded(sole, 0.12, sole_top, 0.89, sole_top + 0.07, 0.03, 0.06)


def sneaker(cv: Canvas, c: RGB) -> None:
    upper = [(0.15, 0.63), (0.17, 0.48), (0.24, 0.42), (0.36, 0.40), (0.46, 0.47), (0.62, 0.50)]
    upper += [(0.80, 0.54), (0.88, 0.60), (0.88, 0.63)]
    _shoe(cv, c, upper, (246, 244, 240))
    seam = _seam(c)
    for i in range(4):
        x = 0.40 + i * 0.05
        cv.line(_lighter(seam, 0.4), [(x, 0.46 + i * 0.012), (x + 0.04, 0.52 + i * 0.008)], 0.008)
    cv.line(seam, [(0.20, 0.58), (0.50, 0.56), (0.84, 0.60)], 0.004)


def espadrille(cv: Canvas, c: RGB) -> None:
    upper = [(0.16, 0.63), (0.22, 0.52), (0.40, 0.46), (0.62, 0.48), (0.82, 0.55), (0.88, 0.63)]
    _shoe(cv, c, upper, (206, 176, 128))
    for i in range(14):  # the jute's braid
        x = 0.15 + i * 0.053
        cv.line((170, 140, 96), [(x, 0.63), (x + 0.02, 0.69)], 0.004)


def boot(cv: Canvas, c: RGB) -> None:
    upper = [(0.20, 0.63), (0.22, 0.24), (0.44, 0.24), (0.46, 0.46), (0.66, 0.50), (0.82, 0.55), (0.86, 0.63)]
    _shoe(cv, c, upper, _darker(c, 0.55))
    cv.rounded(_darker(c, 0.55), 0.19, 0.62, 0.33, 0.74, 0.01, 0.05)  # the heel
    cv.line(_seam(c), [(0.44, 0.28), (0.44, 0.58)], 0.006)


def sandal(cv: Canvas, c: RGB) -> None:
    cv.shadow(0.12, 0.64, 0.90, 0.74)
    cv.rounded((198, 160, 118), 0.12, 0.60, 0.89, 0.68, 0.04, 0.08)

    def straps(d: ImageDraw.ImageDraw) -> None:
        for x0, x1 in ((0.22, 0.40), (0.44, 0.62), (0.66, 0.84)):
            d.arc(cv.box(x0, 0.46, x1, 0.74), 190, 350, fill=255, width=round(0.035 * cv.n))

    cv.shape(c, straps)


# --- food ---------------------------------------------------------------------------------------


def jar(cv: Canvas, c: RGB) -> None:
    cv.shadow(0.26, 0.80, 0.74, 0.88)
    cv.rounded((212, 150, 40), 0.30, 0.30, 0.70, 0.84, 0.08)  # honey seen through glass
    cv.rounded(c, 0.31, 0.20, 0.69, 0.31, 0.02, 0.2)  # the lid
    cv.rounded((246, 238, 220), 0.33, 0.46, 0.67, 0.70, 0.02, 0.04)
    cv.rounded(c, 0.33, 0.52, 0.67, 0.58, 0.0, 0.05)
    cv.line((255, 236, 190), [(0.36, 0.36), (0.36, 0.78)], 0.012)


def _bottle(cv: Canvas, glass: RGB, c: RGB, neck: float, shoulder: float) -> None:
    cv.shadow(0.32, 0.83, 0.68, 0.90)
    outline = [(0.46, 0.10), (0.54, 0.10), (0.54, neck), (0.64, shoulder), (0.64, 0.86), (0.36, 0.86)]
    outline += [(0.36, shoulder), (0.46, neck)]
    cv.polygon(glass, outline, 0.2)
    cv.rounded(c, 0.455, 0.09, 0.545, 0.20, 0.01, 0.2)  # the capsule
    cv.rounded((246, 240, 226), 0.38, 0.52, 0.62, 0.74, 0.01, 0.04)
    cv.rounded(c, 0.38, 0.58, 0.62, 0.63, 0.0, 0.05)
    cv.line(_lighter(glass, 0.35), [(0.39, shoulder + 0.04), (0.39, 0.82)], 0.010)


def wine(cv: Canvas, c: RGB) -> None:
    _bottle(cv, (44, 62, 40), c, 0.30, 0.40)


def oil(cv: Canvas, c: RGB) -> None:
    _bottle(cv, (170, 160, 52), c, 0.26, 0.34)


def charcuterie(cv: Canvas, c: RGB) -> None:
    cv.shadow(0.14, 0.64, 0.86, 0.76)
    cv.shape(
        (136, 52, 44), lambda d: d.rounded_rectangle(cv.box(0.14, 0.42, 0.86, 0.66), 0.12 * cv.n, fill=255)
    )
    for x in (0.30, 0.45, 0.60, 0.75):
        cv.line((236, 226, 206), [(x, 0.42), (x + 0.02, 0.66)], 0.006)
    cv.rounded(c, 0.58, 0.28, 0.74, 0.40, 0.02, 0.1)  # the tag
    cv.line((120, 96, 70), [(0.66, 0.34), (0.80, 0.44)], 0.004)


def cheese(cv: Canvas, c: RGB) -> None:
    cv.shadow(0.16, 0.70, 0.86, 0.80)
    cv.polygon((243, 214, 130), [(0.16, 0.74), (0.84, 0.74), (0.84, 0.52), (0.30, 0.36)], 0.08)
    cv.polygon((224, 186, 104), [(0.16, 0.74), (0.30, 0.36), (0.30, 0.40), (0.19, 0.74)], 0.05)
    for x, y, r in ((0.5, 0.6, 0.03), (0.68, 0.64, 0.025), (0.62, 0.52, 0.02), (0.40, 0.66, 0.02)):
        cv.draw.ellipse(cv.box(x - r, y - r, x + r, y + r), fill=(226, 190, 102))
    cv.rounded(c, 0.60, 0.76, 0.84, 0.80, 0.0, 0.05)


def biscuits(cv: Canvas, c: RGB) -> None:
    cv.shadow(0.20, 0.76, 0.80, 0.86)
    cv.rounded(c, 0.22, 0.46, 0.78, 0.82, 0.03)  # the tin
    cv.rounded(_darker(c, 0.12), 0.21, 0.42, 0.79, 0.50, 0.02)
    for i, (x, y) in enumerate(((0.36, 0.36), (0.52, 0.34), (0.66, 0.37), (0.44, 0.28), (0.60, 0.27))):
        cv.ellipse((216, 168, 96) if i % 2 else (204, 150, 80), x - 0.08, y - 0.05, x + 0.08, y + 0.05, 0.12)


# --- gifts --------------------------------------------------------------------------------------


def mug(cv: Canvas, c: RGB) -> None:
    cv.shadow(0.24, 0.76, 0.76, 0.86)
    cv.shape(c, lambda d: d.ellipse(cv.box(0.58, 0.38, 0.80, 0.66), outline=255, width=round(0.04 * cv.n)))
    cv.rounded(c, 0.26, 0.30, 0.66, 0.80, 0.04)
    cv.ellipse(_darker(c, 0.3), 0.27, 0.28, 0.65, 0.34, 0.05)
    cv.rounded((250, 246, 238), 0.34, 0.48, 0.58, 0.60, 0.01, 0.03)


def knife(cv: Canvas, c: RGB) -> None:
    cv.shadow(0.10, 0.56, 0.90, 0.66)
    cv.polygon((196, 200, 206), [(0.44, 0.46), (0.88, 0.44), (0.80, 0.52), (0.44, 0.55)], 0.2)
    cv.rounded(c, 0.12, 0.45, 0.46, 0.56, 0.05, 0.2)
    for x in (0.20, 0.38):
        cv.draw.ellipse(cv.box(x - 0.01, 0.495, x + 0.01, 0.515), fill=(220, 210, 190))


def soap(cv: Canvas, c: RGB) -> None:
    tint = _lighter(c, 0.35)
    cv.shadow(0.20, 0.62, 0.80, 0.74)
    cv.rounded(tint, 0.22, 0.38, 0.78, 0.68, 0.09, 0.1)
    cv.ellipse(_darker(tint, 0.08), 0.36, 0.46, 0.64, 0.60, 0.04)
    cv.rounded(_lighter(c, 0.1), 0.18, 0.66, 0.50, 0.74, 0.01, 0.05)  # a second bar behind


def prints(cv: Canvas, c: RGB) -> None:
    cv.shadow(0.22, 0.80, 0.78, 0.88, 50)
    cv.rounded((120, 86, 56), 0.22, 0.14, 0.78, 0.84, 0.005, 0.1)
    cv.rounded((250, 247, 240), 0.25, 0.17, 0.75, 0.81, 0.0, 0.02)
    cv.rounded(_lighter(c, 0.55), 0.30, 0.23, 0.70, 0.75, 0.0, 0.05)
    cv.ellipse((244, 196, 90), 0.56, 0.30, 0.64, 0.38, 0.05)
    cv.polygon(
        c, [(0.30, 0.75), (0.30, 0.58), (0.42, 0.42), (0.52, 0.56), (0.58, 0.50), (0.70, 0.62), (0.70, 0.75)]
    )


def bag(cv: Canvas, c: RGB) -> None:
    cv.shadow(0.22, 0.80, 0.78, 0.88)
    cv.shape(
        _darker(c, 0.15),
        lambda d: d.arc(cv.box(0.36, 0.18, 0.64, 0.50), 180, 360, fill=255, width=round(0.025 * cv.n)),
    )
    cv.polygon(c, [(0.26, 0.34), (0.74, 0.34), (0.78, 0.84), (0.22, 0.84)])
    cv.line(_seam(c), [(0.27, 0.42), (0.73, 0.42)], 0.004)


SHAPES: dict[str, Callable[[Canvas, RGB], None]] = {
    "WTS": tshirt, "MTS": tshirt, "KTS": tshirt,
    "WDR": dress, "KDR": dress,
    "WJK": jacket, "MJK": jacket,
    "WSW": sweater, "MSW": sweater, "KSW": sweater,
    "MSH": shirt,
    "SNK": sneaker, "ESP": espadrille, "BOT": boot, "SDL": sandal,
    "CHA": charcuterie, "FRO": cheese, "MIE": jar, "VIN": wine, "HUI": oil, "BIS": biscuits,
    "MUG": mug, "COU": knife, "SAV": soap, "AFF": prints, "SAC": bag,
}  # fmt: skip


def draw(shape: str, colour: str) -> bytes:
    """One drawing: ``shape`` (a key of ``SHAPES``) in ``colour`` (a key of ``COLOUR_RGB``), JPEG."""
    rgb = COLOUR_RGB[colour]
    cv = Canvas(rgb)
    SHAPES[shape](cv, rgb)
    return cv.done()


@dataclass(frozen=True)
class _Drawn:
    name: str
    width: int
    height: int
    renditions: dict[str, dict[str, str]]


def _drawing(shape: str, colour: str, cache: dict[tuple[str, str], _Drawn]) -> _Drawn:
    key = (SHAPES[shape].__name__, colour)
    if key not in cache:
        name = f"{DEMO_DIR}/{key[0]}-{colour}.jpg"
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as f:
                data = f.read()
        else:
            data = draw(shape, colour)
            name = default_storage.save(name, ContentFile(data))
        renditions, _written, (width, height) = render_file(data)
        cache[key] = _Drawn(name, width, height, renditions)
    return cache[key]


def seed_images() -> tuple[int, int, float]:
    """A photo per colour (or one) for every product that has none: ``(photos, drawings, seconds)``."""
    started = time.perf_counter()
    have = set(ProductImage.objects.values_list("product_id", flat=True).distinct())
    products = {
        pk: names
        for pk, *names in Product.objects.values_list("pk", "name_fr", "name_en", "name_it")
        if pk not in have
    }
    if not products:
        return 0, 0, time.perf_counter() - started
    prefixes: dict[int, str] = {}
    for product_id, sku in Variant.objects.filter(product_id__in=products).values_list("product_id", "sku"):
        prefixes.setdefault(product_id, sku.split("-")[0])
    colours: dict[int, list[int]] = defaultdict(list)
    through = Variant.option_values.through
    for product_id, value_id in (
        through.objects.filter(variant__product_id__in=products, optionvalue__option_type__code="color")
        .values_list("variant__product_id", "optionvalue_id")
        .distinct()
        .order_by("variant__product_id", "optionvalue__position")
    ):
        colours[product_id].append(value_id)
    values = {
        pk: (code, fr, en, it)
        for pk, code, fr, en, it in OptionValue.objects.filter(option_type__code="color").values_list(
            "pk", "code", "name_fr", "name_en", "name_it"
        )
    }
    cache: dict[tuple[str, str], _Drawn] = {}
    rows = []
    for product_id, names in products.items():
        shape = prefixes.get(product_id)
        if shape not in SHAPES:
            continue
        shown: list[int | None] = [v for v in colours.get(product_id, []) if values[v][0] in COLOUR_RGB]
        for position, colour_id in enumerate(shown or [None]):
            if colour_id is None:
                colour, labels = TINTS[product_id % len(TINTS)], ("", "", "")
            else:
                colour, *rest = values[colour_id]
                labels = (rest[0], rest[1], rest[2])
            drawn = _drawing(shape, colour, cache)
            alts = [f"{name} – {label}" if label else name for name, label in zip(names, labels, strict=True)]
            rows.append(
                ProductImage(
                    product_id=product_id,
                    image=drawn.name,
                    width=drawn.width,
                    height=drawn.height,
                    renditions=drawn.renditions,
                    colour_id=colour_id,
                    position=position,
                    alt_fr=alts[0][:200],
                    alt_en=alts[1][:200],
                    alt_it=alts[2][:200],
                )
            )
    with transaction.atomic():
        ProductImage.objects.bulk_create(rows, batch_size=2000)
    return len(rows), len(cache), time.perf_counter() - started
