from core.errors import NotFound, ValidationFailed


class CountryNotServed(ValidationFailed):
    code = "country_not_served"
    default_message = "We do not deliver to this country."


class UnknownCarrier(NotFound):
    code = "unknown_carrier"
    default_message = "This carrier does not deliver this parcel."
