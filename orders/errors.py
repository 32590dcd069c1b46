from core.errors import Conflict, LimitExceeded, NotFound, ValidationFailed
from core.idempotency import IdempotencyKeyReused as CoreIdempotencyKeyReused
from inventory.errors import InsufficientStock, InvalidQuantity

MAX_LINE_QUANTITY = 99  # units of one variant in a cart line


class CartNotFound(NotFound):
    default_message = "No cart has this token."


class OrderNotFound(NotFound):
    default_message = "No such order in your account."


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = "The order cannot move to this status."


class EmptyOrder(ValidationFailed):
    code = "empty_order"
    default_message = "An order needs at least one line."


class ProductUnavailable(ValidationFailed):
    code = "product_unavailable"
    default_message = "This product is no longer sold."


class InvalidCartQuantity(InvalidQuantity):
    default_message = f"The quantity must be a whole number from 1 to {MAX_LINE_QUANTITY}."


class NotEnoughStock(InsufficientStock):
    default_message = "Not enough stock available online."


class NotInCart(NotFound):
    code = "not_in_cart"
    default_message = "This product is not in the cart."


class CartClosed(Conflict):
    code = "cart_closed"
    default_message = "This cart was already checked out or merged; it cannot change."


class EmptyCart(ValidationFailed):
    code = "empty_cart"
    default_message = "Your cart is empty."


class CartNotOpen(CartClosed):
    default_message = "This cart was already checked out; it cannot be ordered again."


class InvalidAddress(ValidationFailed):
    code = "invalid_address"
    default_message = "The delivery address is incomplete."


class ProviderNotAvailable(ValidationFailed):
    code = "provider_not_available"
    default_message = "This payment method is not available."


class HomeDeliveryUnavailable(Conflict):
    code = "home_delivery_unavailable"
    default_message = "Home delivery is not possible for this cart."


class IdempotencyKeyReused(CoreIdempotencyKeyReused):
    http_status = 422
    default_message = "This Idempotency-Key was already used for another cart."


class NotClickAndCollect(Conflict):
    code = "not_click_and_collect"
    default_message = "This order is not a click & collect order."


class NotReadyForPickup(Conflict):
    code = "not_ready_for_pickup"
    default_message = "This order is not ready for pickup."


class CartFull(LimitExceeded):
    code = "cart_full"
    default_message = "Your cart cannot hold more products."
