"""Storefront pages of the orders app, one module per concern: ``cart`` and ``checkout``."""
