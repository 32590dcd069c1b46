"""Store API v1 of the orders app: ``cart`` (and ``checkout``), routed by ``orders.api.urls``."""
