from core.errors import Conflict, LimitExceeded, NotFound, PermissionDenied, ValidationFailed
from core.idempotency import IdempotencyKeyReused as CoreIdempotencyKeyReused
from inventory.errors import InsufficientStock, InvalidQuantity
from payments.errors import RefundExceedsCaptured as RefundExceedsCaptured

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


class MethodNotOffered(ValidationFailed):
    """The shop does not offer this delivery or payment method (``orders.ShopCheckoutOptions``)."""

    code = "method_not_offered"
    default_message = "This shop does not offer this method."


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


# --- after sales (orders.services.after_sales) ------------------------------------------------------


class NotCancellable(Conflict):
    code = "not_cancellable"
    default_message = "This order can no longer be cancelled: it has left or is closed."


class PartialCancelNotAllowed(Conflict):
    code = "partial_cancel_not_allowed"
    default_message = "An order awaiting payment can only be cancelled as a whole."


class UnitsBeyondRecall(Conflict):
    code = "units_beyond_recall"
    default_message = "Some of these units are already packed or shipped: they cannot be cancelled."


class NotRefundable(Conflict):
    code = "not_refundable"
    default_message = "Only a shipped or completed order can be refunded in part."


class UnknownOrderLine(ValidationFailed):
    code = "unknown_order_line"
    default_message = "This line is not on the order."


class InvalidLineQuantity(ValidationFailed):
    code = "invalid_line_quantity"
    default_message = "Every line needs a quantity of at least 1."


class ExceedsOrdered(ValidationFailed):
    code = "exceeds_ordered"
    default_message = "More units than the order still has on this line."


class ReturnExceedsDelivered(ValidationFailed):
    code = "return_exceeds_delivered"
    default_message = "More units than sold minus cancelled minus already returned."


class OrderNotReturnable(Conflict):
    code = "order_not_returnable"
    default_message = "Only goods of a shipped or completed order can come back."


class NothingToRefund(ValidationFailed):
    code = "nothing_to_refund"
    default_message = "Choose lines, the shipping or an amount to refund."


class InvalidRefundAmount(ValidationFailed):
    code = "invalid_refund_amount"
    default_message = "A refund amount must be more than nothing, to the cent."


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    default_message = "Say why: a free amount needs a reason."


class ShippingAlreadyRefunded(Conflict):
    code = "shipping_already_refunded"
    default_message = "The shipping of this order was already refunded (or there was none)."


class InvalidRefundVia(ValidationFailed):
    code = "invalid_refund_via"
    default_message = "A refund goes to the original payment or was paid back another way (external)."


class UnknownNotification(ValidationFailed):
    code = "unknown_notification"
    default_message = "This message cannot be sent for this order."


class ActionKeyReused(Conflict):
    code = "action_key_reused"
    default_message = "This key was already used for another action on this order."


class OrderNotAwaitingPayment(Conflict):
    """Another payment for an order that is paid, cancelled or otherwise past payment."""

    code = "order_not_awaiting_payment"
    default_message = "This order is not awaiting payment."


class PaymentTimeExpired(Conflict):
    """Another payment for an order whose items are no longer held (its reservation expired)."""

    code = "payment_time_expired"
    default_message = "The time to pay for this order has run out."


# --- e-reservation (orders.services.ereservation) ---------------------------------------------------


class EReservationNotFound(NotFound):
    code = "reservation_not_found"
    default_message = "No such reservation."


class StoreNotReserving(ValidationFailed):
    code = "store_not_reserving"
    default_message = "This store does not take reservations."


class EReservationLimit(LimitExceeded):
    code = "reservation_limit"
    default_message = "Too many units or reservations."


class EReservationClosed(Conflict):
    code = "reservation_closed"
    default_message = "This reservation is no longer held."


class EReservationExpired(Conflict):
    code = "reservation_expired"
    default_message = "This reservation has expired: its units are no longer held."


# --- B2B quotes (orders.services.quotes) ------------------------------------------------------------


class QuoteNotFound(NotFound):
    code = "quote_not_found"
    default_message = "No such quote for your company."


class NotACompanyBuyer(PermissionDenied):
    code = "not_a_company_buyer"
    default_message = "Quotes are for the buyers of a business account."


class QuoteNotOpen(Conflict):
    code = "quote_not_open"
    default_message = "This quote can no longer change."


class QuoteExpired(Conflict):
    code = "quote_expired"
    default_message = "This quote is past its validity: ask for a new one."


class InvalidQuoteLine(ValidationFailed):
    code = "invalid_quote_line"
    default_message = "A quote line needs a price of at least 0 and a quantity of at least 1."


class QuoteStockShort(InsufficientStock):
    code = "quote_stock_short"
    default_message = "Some lines of the quote are not in stock at the chosen place."
