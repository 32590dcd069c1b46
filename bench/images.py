"""Benchmark: what a product photo's renditions cost (``catalog.images.render_file``, the work of
``make_renditions`` without its two queries), per format and width, and the demo's drawings.

    .venv/bin/python bench/images.py [--photos 5] [--side 3000]

Photo-like originals (``--side`` px square: a gradient with grain, as a phone's JPEG compresses) are
rendered into a temporary directory through Django's FileSystemStorage; prints the seconds per
original (every format and width), each encode's time and size, a second run (idempotent: nothing
written) and the time to draw one demo illustration (``demo.images.draw``).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.files.storage import FileSystemStorage  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

from catalog import images  # noqa: E402
from demo.images import draw  # noqa: E402


def original(side: int, seed: int) -> bytes:
    base = Image.linear_gradient("L").resize((side, side)).convert("RGB")
    grain = Image.effect_noise((side, side), 40 + seed).convert("RGB")
    img = Image.blend(base, grain, 0.25).filter(ImageFilter.GaussianBlur(1))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=5)
    parser.add_argument("--side", type=int, default=3000)
    args = parser.parse_args()
    print(f"formats: {', '.join(images.rendition_formats())}; widths {images.RENDITION_WIDTHS}")
    with tempfile.TemporaryDirectory() as tmp:
        storage = FileSystemStorage(location=tmp)
        per_photo, again = [], []
        for n in range(args.photos):
            data = original(args.side, n)
            started = time.perf_counter()
            renditions, written, _size = images.render_file(data, storage=storage)
            per_photo.append(time.perf_counter() - started)
            started = time.perf_counter()
            images.render_file(data, storage=storage)
            again.append(time.perf_counter() - started)
        print(
            f"{args.photos} originals of {args.side}x{args.side} px ({len(data) // 1024} KB JPEG): "
            f"{written} files each, median {statistics.median(per_photo):.2f} s per photo "
            f"(max {max(per_photo):.2f}); second run (nothing to write) "
            f"{statistics.median(again) * 1000:.0f} ms"
        )
        with Image.open(io.BytesIO(data)) as img:
            img = img.convert("RGB")
            for kind in images.rendition_formats():
                for width in images.RENDITION_WIDTHS:
                    started = time.perf_counter()
                    encoded = images._encode(img, width, kind)
                    seconds = time.perf_counter() - started
                    print(f"  {kind:<5} {width:>5} px  {seconds:6.3f} s  {len(encoded) // 1024:>4} KB")
    started = time.perf_counter()
    for colour in ("red", "navy", "sand"):
        draw("WJK", colour)
    print(f"demo drawing: {(time.perf_counter() - started) / 3:.2f} s each (before its renditions)")


if __name__ == "__main__":
    main()
