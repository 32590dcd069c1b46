from core.errors import NotFound


class CartNotFound(NotFound):
    default_message = "No cart has this token."


class OrderNotFound(NotFound):
    default_message = "No such order in your account."
