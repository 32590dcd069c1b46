from django.core.exceptions import ValidationError


def ean13_check_digit(first12: str) -> int:
    """GS1 check digit: weights 1,3,1,3... from the left over the first 12 digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == int(code[12])


def validate_ean13(value: str) -> None:
    if not is_valid_ean13(value):
        raise ValidationError(
            "%(value)s is not a valid EAN-13 barcode", params={"value": value}, code="ean13"
        )


# --- product photos -----------------------------------------------------------------------------

IMAGE_MAX_BYTES = 15 * 1024 * 1024
IMAGE_MAX_SIDE = 8000
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "AVIF"}


def validate_product_image(file) -> None:
    """An uploaded photo: at most 15 MB and 8000 px a side, a JPEG, PNG, WebP or AVIF that Pillow
    opens. Checked before anything is stored (the admin's form shows the message)."""
    from django.utils.translation import gettext as _
    from PIL import Image, UnidentifiedImageError

    size = getattr(file, "size", None)
    if size is not None and size > IMAGE_MAX_BYTES:
        raise ValidationError(
            _("This photo is %(size)s MB: at most %(max)s MB."),
            params={"size": f"{size / 1024 / 1024:.1f}", "max": IMAGE_MAX_BYTES // (1024 * 1024)},
            code="image_too_big",
        )
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        with Image.open(file) as img:
            kind, (width, height) = img.format, img.size
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("This file is not a photo we can read: upload a JPEG, PNG, WebP or AVIF image."),
            code="image_unreadable",
        ) from exc
    finally:
        if position is not None:
            file.seek(position)
    if kind not in IMAGE_FORMATS:
        raise ValidationError(
            _("%(kind)s images are not accepted: upload a JPEG, PNG, WebP or AVIF image."),
            params={"kind": kind},
            code="image_format",
        )
    if max(width, height) > IMAGE_MAX_SIDE:
        raise ValidationError(
            _("This photo is %(width)s × %(height)s px: at most %(max)s px a side."),
            params={"width": width, "height": height, "max": IMAGE_MAX_SIDE},
            code="image_too_large",
        )
