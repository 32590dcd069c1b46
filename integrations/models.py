"""ERP exchange: import runs and their reports, order export batches and their acknowledgements,
outgoing webhook endpoints and deliveries."""

from .webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEventName

__all__ = ["DeliveryStatus", "WebhookDelivery", "WebhookEndpoint", "WebhookEventName"]
