"""The back office at /backoffice/: orders, picking and packing, returns. One namespace, ``backoffice``;
each concern keeps its routes in its own module."""

from . import urls_fulfilment, urls_orders, urls_returns

app_name = "backoffice"

urlpatterns = [*urls_orders.urlpatterns, *urls_fulfilment.urlpatterns, *urls_returns.urlpatterns]
