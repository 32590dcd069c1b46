"""POS API v1, included at /api/v1/ (URL names in the ``v1`` namespace: ``v1:pos-registers``, ...)."""

from django.urls import path

from . import views

urlpatterns = [
    path("pos/registers/", views.RegisterListView.as_view(), name="pos-registers"),
    path("pos/sessions/", views.SessionOpenView.as_view(), name="pos-sessions"),
    path("pos/sessions/<int:session_id>/", views.SessionDetailView.as_view(), name="pos-session"),
    path("pos/sessions/<int:session_id>/cash/", views.SessionCashView.as_view(), name="pos-session-cash"),
    path("pos/sessions/<int:session_id>/close/", views.SessionCloseView.as_view(), name="pos-session-close"),
    path("pos/quote/", views.QuoteView.as_view(), name="pos-quote"),
    path("pos/sales/", views.SaleCreateView.as_view(), name="pos-sales"),
    path("pos/sales/sync/", views.SaleSyncView.as_view(), name="pos-sales-sync"),
    path("pos/sales/<str:number>/email/", views.ReceiptEmailView.as_view(), name="pos-sale-email"),
    path("pos/catalog/", views.CatalogView.as_view(), name="pos-catalog"),
    path("pos/search/", views.SearchView.as_view(), name="pos-search"),
    path("pos/favourites/", views.FavouritesView.as_view(), name="pos-favourites"),
]

from .returns import urlpatterns as returns_urlpatterns  # noqa: E402  (returns, pickups, customers)

urlpatterns += returns_urlpatterns

from .ereservations import urlpatterns as ereservation_urlpatterns  # noqa: E402  (e-reservations)

urlpatterns += ereservation_urlpatterns
