from catalog.errors import UnknownSku
from core.errors import ValidationFailed


class UnknownProduct(UnknownSku):
    default_message = "This product does not exist."


class InvalidPriceRange(ValidationFailed):
    code = "invalid_price_range"
    default_message = "min_price is above max_price."
