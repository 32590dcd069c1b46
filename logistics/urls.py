"""The back office at /backoffice/: orders, picking and packing, returns. One namespace, ``backoffice``;
each concern keeps its routes in its own module."""

from . import urls_fulfilment, urls_orders, urls_returns

app_name = "backoffice"

urlpatterns = [*urls_orders.urlpatterns, *urls_fulfilment.urlpatterns, *urls_returns.urlpatterns]

from . import urls_shipping  # noqa: E402  (dispatch: labels and hand-over)

urlpatterns += urls_shipping.urlpatterns
