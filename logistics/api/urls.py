"""Logistics API v1: shipments, labels, carrier webhooks, portal returns."""

from . import urls_returns, urls_shipments

urlpatterns = [*urls_shipments.urlpatterns, *urls_returns.urlpatterns]
