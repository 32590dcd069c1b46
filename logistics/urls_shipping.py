"""Back-office URLs of dispatch: labels and hand-over to the carrier (see logistics/urls.py)."""

from django.urls import path

from . import views_shipping

urlpatterns = [
    path("dispatch/", views_shipping.dispatch, name="dispatch"),
    path("dispatch/<int:shipment_id>/hand-over/", views_shipping.hand_over, name="dispatch-hand-over"),
    path(
        "dispatch/<int:shipment_id>/retry-labels/", views_shipping.retry_labels, name="dispatch-retry-labels"
    ),
]
