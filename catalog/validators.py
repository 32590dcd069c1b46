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
