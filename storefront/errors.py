from catalog.errors import UnknownSku


class UnknownProduct(UnknownSku):
    default_message = "This product does not exist."
