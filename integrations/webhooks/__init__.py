"""Outgoing webhooks: endpoints staff register, deliveries signed with HMAC-SHA256, retried for a day.

- ``models``: ``WebhookEndpoint`` (url, secret, events, active, consecutive failures, disabled_at) and
  ``WebhookDelivery`` (one event for one endpoint: payload, status, attempts, next attempt, last answer).
- ``subscribers``: the order, stock and customer events become deliveries (``services.queue_event``),
  written with their ``core.outbox`` message in a transaction: sent only once it commits.
- ``services``: queue, send (``requests``, outside any transaction), back off, give up after
  ``WEBHOOK_RETRY_HOURS``, disable an endpoint after ``WEBHOOK_DISABLE_AFTER_FAILURES`` failures in a
  row (staff e-mailed), replay.
- ``signing``: the headers; ``verify``: the receiver's side, for ERP developers.
"""
