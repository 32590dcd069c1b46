"""ERP exchange: import runs and their reports, order export batches and their acknowledgements,
outgoing webhook endpoints and deliveries."""

from integrations.exports.models import (  # noqa: E402,F401  the order export batches
    BatchStatus,
    DocumentKind,
    ExportedDocument,
    ExportStream,
    OrderBatch,
)
from integrations.imports.models import ImportRejection, ImportRun  # noqa: E402,F401
from integrations.webhooks.models import (  # noqa: E402,F401  outgoing webhooks
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventName,
)
