"""The customer portal, mounted under /<lang>/account/."""

from django.urls import path

from storefront.views import account as views
from storefront.views import company as company_views
from storefront.views import invoices as invoice_views
from storefront.views import loyalty as loyalty_views
from storefront.views import quick_order as quick_views
from storefront.views import quotes as quote_views
from storefront.views import returns as return_views
from storefront.views import wishlist as wishlist_views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("verify/resend/", views.resend_verification, name="verify-email-resend"),
    path("verify/<str:token>/", views.verify_email, name="verify-email"),
    path("profile/", views.profile, name="profile"),
    path("addresses/", views.addresses, name="addresses"),
    path("addresses/add/", views.address_add, name="address-add"),
    path("addresses/<int:address_id>/", views.address_edit, name="address-edit"),
    path("addresses/<int:address_id>/delete/", views.address_delete, name="address-delete"),
    path("addresses/<int:address_id>/default/", views.address_default, name="address-default"),
    path("orders/", views.orders, name="orders"),
    path("approvals/", company_views.approvals, name="approvals"),
    path("approvals/<str:number>/", company_views.approval_decide, name="approval-decide"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("orders/<str:number>/reorder/", quick_views.reorder, name="reorder"),
    path("quick-order/", quick_views.quick_order, name="quick-order"),
    path("quotes/", quote_views.quotes, name="quotes"),
    path("quotes/request/", quote_views.quote_request, name="quote-request"),
    path("quotes/<str:number>/", quote_views.quote_detail, name="quote-detail"),
    path("quotes/<str:number>/accept/", quote_views.quote_accept, name="quote-accept"),
    path("quotes/<str:number>/decline/", quote_views.quote_decline, name="quote-decline"),
    path("quotes/<str:number>/pdf/", quote_views.quote_pdf, name="quote-pdf"),
    path("quick-order/lists/", quick_views.usual_order_save, name="usual-order-save"),
    path("quick-order/lists/<int:usual_order_id>/add/", quick_views.usual_order_add, name="usual-order-add"),
    path(
        "quick-order/lists/<int:usual_order_id>/delete/",
        quick_views.usual_order_delete,
        name="usual-order-delete",
    ),
    path("orders/<str:number>/return/", return_views.return_new, name="return-new"),
    path("returns/<str:number>/", return_views.return_detail, name="return"),
    path("returns/<str:number>/label/", return_views.return_label, name="return-label"),
    path("returns/<str:number>/retry-label/", return_views.return_retry_label, name="return-retry-label"),
    path("invoices/", invoice_views.invoices, name="invoices"),
    path("invoices/<str:number>/pdf/", invoice_views.invoice_pdf, name="invoice-pdf"),
    path("loyalty/", loyalty_views.loyalty, name="loyalty"),
    path("wishlist/", wishlist_views.wishlist_page, name="wishlist"),
    path("wishlist/add/", wishlist_views.wishlist_add, name="wishlist-add"),
    path("wishlist/remove/", wishlist_views.wishlist_remove, name="wishlist-remove"),
    path("my-data/", views.export_data, name="export"),
    path("close/", views.close_account, name="close"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
