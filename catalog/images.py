"""Product photos: their responsive renditions and what a page needs to show them.

An uploaded photo (``ProductImage.image``) is kept as it came, through Django's storage API (the
filesystem under ``MEDIA_ROOT`` by default, S3-compatible object storage by settings). After the
upload commits, ``tasks.make_image_renditions`` (queued through the outbox by
``schedule_renditions``) calls ``make_renditions``: the photo resized to ``RENDITION_WIDTHS`` (never
wider than the original) as WebP, and as AVIF too when Pillow can write it. A rendition's name is
the original's content hash and its width (``products/r/<hash>-<width>.<format>``): the same photo
always gives the same names, so a second run writes nothing (idempotent), two products showing the
same file share them, and the names can be cached for ever (``immutable``).

``picture`` turns a photo into what ``<picture>`` needs (sources with ``srcset``, a fallback
``src``, width and height); it reads no database row and, on the filesystem, no file.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps, features

from core import events, outbox

from .events import ProductsChanged
from .models import ProductImage

RENDITION_WIDTHS = (320, 640, 960, 1440)
RENDITION_DIR = "products/r"
MIME_TYPES = {"avif": "image/avif", "webp": "image/webp"}
# E-mails get one small JPEG: Outlook and some webmails show neither WebP nor AVIF.
EMAIL_KIND, EMAIL_WIDTH = "jpg", 160
# Quality for the eye at these sizes; AVIF's speed 8 keeps a 1440 px photo under a second.
ENCODERS: dict[str, dict[str, Any]] = {
    "avif": {"format": "AVIF", "quality": 55, "speed": 8},
    "webp": {"format": "WEBP", "quality": 80, "method": 4},
}


@cache
def rendition_formats() -> tuple[str, ...]:
    """The formats written, best first: AVIF when this Pillow can encode it, WebP always."""
    return ("avif", "webp") if features.check("avif") else ("webp",)


def rendition_widths(source_width: int) -> list[int]:
    """The widths made for an original ``source_width`` px wide: the standard ones it reaches, or
    its own width when it is narrower than the smallest."""
    widths = [w for w in RENDITION_WIDTHS if w <= source_width]
    return widths or [source_width]


@dataclass
class RenditionResult:
    image_id: int
    renditions: dict[str, dict[str, str]] = field(default_factory=dict)
    written: int = 0  # files encoded and stored by this run (0: everything existed already)
    seconds: float = 0.0


def _encode(img: Image.Image, width: int, kind: str) -> bytes:
    out = io.BytesIO()
    _resized(img, width).save(out, **ENCODERS[kind])
    return out.getvalue()


def _resized(img: Image.Image, width: int) -> Image.Image:
    if width == img.width:
        return img
    height = max(1, round(img.height * width / img.width))
    return img.resize((width, height), Image.Resampling.LANCZOS)


def render_file(data: bytes, *, storage=None) -> tuple[dict[str, dict[str, str]], int, tuple[int, int]]:
    """The renditions of one original's bytes, stored where missing: ``({format: {width: name}},
    files written, (width, height))``. Used by ``make_renditions`` and by the demo's generator.

    The pixels are decoded only when a file is missing; each width is resized once (from the next
    wider one: a 3000 px photo is reduced once to 1440, not four times) and encoded in every format."""
    storage = storage or default_storage
    digest = hashlib.sha256(data).hexdigest()[:20]
    with Image.open(io.BytesIO(data)) as probe:  # the header only
        size = probe.size
        if probe.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # EXIF says it stands rotated
            size = (size[1], size[0])
    widths = rendition_widths(size[0])
    names = {
        kind: {str(w): f"{RENDITION_DIR}/{digest}-{w}.{kind}" for w in widths} for kind in rendition_formats()
    }
    email_width = min(EMAIL_WIDTH, size[0])
    names[EMAIL_KIND] = {str(email_width): f"{RENDITION_DIR}/{digest}-{email_width}.{EMAIL_KIND}"}
    missing = {(kind, w) for kind in names for w, name in names[kind].items() if not storage.exists(name)}
    if missing:
        with Image.open(io.BytesIO(data)) as opened:
            img = ImageOps.exif_transpose(opened)  # a phone's portrait photo stands up
            img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
        for width in sorted(widths, reverse=True):
            if not any(w == str(width) for _kind, w in missing):
                continue
            img = _resized(img, width)
            for kind in rendition_formats():
                if (kind, str(width)) in missing:
                    out = io.BytesIO()
                    img.save(out, **ENCODERS[kind])
                    # the storage's name: the same unless two runs raced on one file
                    names[kind][str(width)] = storage.save(
                        names[kind][str(width)], ContentFile(out.getvalue())
                    )
        if (EMAIL_KIND, str(email_width)) in missing:
            names[EMAIL_KIND][str(email_width)] = storage.save(
                names[EMAIL_KIND][str(email_width)], ContentFile(_email_jpeg(img, email_width))
            )
    return names, len(missing), size


def _email_jpeg(img: Image.Image, width: int) -> bytes:
    """The e-mail's JPEG: no alpha in JPEG, so a transparent background becomes white."""
    small = _resized(img, width)
    if small.mode == "RGBA":
        flat = Image.new("RGB", small.size, (255, 255, 255))
        flat.paste(small, mask=small.getchannel("A"))
        small = flat
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()


def make_renditions(image_id: int) -> RenditionResult:
    """The responsive renditions of photo ``image_id``, made where missing and recorded on the row;
    the product's pages are refreshed (``ProductsChanged``) when the record changed. Idempotent:
    a second run finds every file and changes nothing. A row without an uploaded file (an external
    URL) or deleted meanwhile: nothing to do."""
    started = time.perf_counter()
    result = RenditionResult(image_id=image_id)
    photo = ProductImage.objects.filter(pk=image_id).only("pk", "product_id", "image", "renditions").first()
    if photo is None or not photo.image:
        return result
    with photo.image.open("rb") as source:
        data = source.read()
    renditions, result.written, (width, height) = render_file(data, storage=photo.image.storage)
    result.renditions = renditions
    with transaction.atomic():
        changed = (
            ProductImage.objects.filter(pk=image_id, image=photo.image.name)  # not replaced meanwhile
            .exclude(renditions=renditions)
            .update(renditions=renditions, width=width, height=height)
        )
        if changed:
            events.publish(ProductsChanged(product_ids=(photo.product_id,)))
    result.seconds = time.perf_counter() - started
    return result


def schedule_renditions(*, images: Iterable[ProductImage]) -> int:
    """Owe the renditions of these photos (just saved, in the caller's transaction) to a worker,
    after commit (eager without a broker). Their old renditions are forgotten at once: a page never
    shows the previous photo's files for a new upload. Returns how many were queued."""
    from . import tasks

    count = 0
    with transaction.atomic():
        for photo in images:
            if not photo.image:
                continue
            ProductImage.objects.filter(pk=photo.pk).update(renditions={})
            photo.renditions = {}
            outbox.enqueue(tasks.make_image_renditions, image_id=photo.pk)
            count += 1
        if count:
            events.publish(ProductsChanged(product_ids=tuple({p.product_id for p in images})))
    return count


# --- reading: what <picture> needs ----------------------------------------------------------------


@dataclass(frozen=True)
class PictureSource:
    type: str  # image/avif, image/webp
    srcset: str


@dataclass(frozen=True)
class Picture:
    src: str
    width: int
    height: int
    alt: str
    sources: tuple[PictureSource, ...] = ()
    colour: str = ""  # the option value code of the colour shown, "" for every colour
    thumb: str = ""  # the smallest rendition (gallery thumbnails)
    large: str = ""  # the widest rendition (the zoomed view)


def picture(photo: ProductImage, *, alt: str, colour: str = "", default_size: int = 800) -> Picture:
    """``photo`` as ``<picture>`` sources (AVIF first, then WebP, each with every width), its
    fallback ``src`` (the 640 px WebP, else the original), its intrinsic width and height (the page
    reserves the room: no layout shift) and ``alt``."""
    storage = photo.image.storage if photo.image else default_storage
    width = photo.width or default_size
    height = photo.height or default_size
    sources = []
    fallback = thumb = large = ""
    for kind in rendition_formats():
        names = photo.renditions.get(kind) or {}
        if not names:
            continue
        widths = sorted(names, key=int)
        urls = {w: storage.url(names[w]) for w in widths}
        sources.append(PictureSource(MIME_TYPES[kind], ", ".join(f"{urls[w]} {w}w" for w in widths)))
        if kind == "webp":
            fallback = urls.get("640") or urls[widths[-1]]
            thumb, large = urls[widths[0]], urls[widths[-1]]
    original = photo.image.url if photo.image else photo.url
    return Picture(
        src=fallback or original,
        width=width,
        height=height,
        alt=alt,
        sources=tuple(sources),
        colour=colour,
        thumb=thumb or original,
        large=large or original,
    )


def choose_photo(photos: Iterable[ProductImage], colour_ids: Iterable[int] = ()) -> ProductImage | None:
    """The photo to show for a product (or one of its variants): the first (by position) of the
    variant's colour when ``colour_ids`` names one it has, else the first for every colour, else the
    first. ``photos`` is the product's already loaded images (``prefetch_related``): no query."""
    ordered = sorted(photos, key=lambda p: (p.position, p.pk or 0))
    wanted = set(colour_ids)
    for photo in ordered:
        if photo.colour_id is not None and photo.colour_id in wanted:
            return photo
    return next((p for p in ordered if p.colour_id is None), ordered[0] if ordered else None)


@dataclass(frozen=True)
class Thumbnail:
    """A small photo for an e-mail (no ``<picture>`` there): one absolute URL and the box it fills."""

    src: str
    width: int
    height: int
    alt: str


def email_thumbnail(photo: ProductImage, *, alt: str, site_url: str, box: int = 64) -> Thumbnail:
    """``photo`` for an e-mail: its JPEG rendition (every mail client shows JPEG; else the smallest
    WebP, else the original, for a photo rendered before the JPEG existed) as an absolute URL
    (``site_url`` prefixed to a storage URL that is a path), scaled to fit ``box`` pixels on its
    longer side."""
    pic = picture(photo, alt=alt)
    jpeg = next(iter((photo.renditions.get(EMAIL_KIND) or {}).values()), "")
    storage = photo.image.storage if photo.image else default_storage
    url = storage.url(jpeg) if jpeg else (pic.thumb or pic.src)
    if url.startswith("/"):
        url = site_url.rstrip("/") + url
    scale = box / max(pic.width, pic.height, 1)
    return Thumbnail(
        src=url, width=max(1, round(pic.width * scale)), height=max(1, round(pic.height * scale)), alt=alt
    )
