from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path

from core.api_docs import ApiRedocView, ApiSchemaView, ApiSwaggerView
from core.media import serve_media
from core.metrics import metrics_view
from core.views import favicon, healthz, readyz
from marketing.views import unsubscribe
from marketing.webhooks import tracking_webhook
from shops.views import tokens_css
from storefront.sitemaps import sitemaps
from storefront.views.catalog import robots_txt
from storefront.views.platform import home

admin.site.site_header = "Omnichannel retail — back office"
admin.site.site_title = "Back office"

api_v1 = [
    path("", include("inventory.api.urls")),
    path("", include("storefront.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("pos.api.urls")),
    path("", include("logistics.api.urls")),
    path("", include("loyalty.api.urls")),
    path("", include("integrations.api.urls")),
    path("reports/", include("reporting.api.urls")),
]

urlpatterns = [
    path("platform/", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("payments/webhooks/", include("payments.webhook_urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),  # Bearer METRICS_TOKEN, else 404
    path("u/<str:token>/", unsubscribe, name="marketing-unsubscribe"),  # RFC 8058 one-click
    # the e-mail provider's bounces and complaints (basic auth: ANYMAIL_WEBHOOK_SECRET)
    path("anymail/<str:provider>/tracking/", tracking_webhook, name="email-tracking-webhook"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("shop-tokens.css", tokens_css, name="shop-tokens"),  # the shop's look overrides (shops.views)
    path("favicon.ico", favicon, name="favicon"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": sitemaps}, name="sitemap-section"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", ApiSchemaView.as_view(), name="schema"),
    path("api/docs/", ApiSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", ApiRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("stock/", include("inventory.urls")),
    path("pos/", include("pos.urls")),
    path("backoffice/", include("logistics.urls")),
    path("dashboard/", include("reporting.urls")),
]
# The storefront: every page under a language prefix (/fr/, /en/, /it/); "/" redirects to the
# shopper's language.
urlpatterns += i18n_patterns(
    path("", include("storefront.urls.catalog")),
    path("", include("storefront.urls.orders")),
    path("", include("storefront.urls.blog")),
    path("account/", include("storefront.urls.accounts")),
    path("pay/", include("payments.urls")),
    path("newsletter/", include("marketing.urls")),
)
if settings.SERVE_MEDIA:  # product photos with long cache headers (core.media)
    urlpatterns.insert(
        0, re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>products/.+)$", serve_media, name="media")
    )
if settings.DEBUG or settings.DEMO:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
handler400 = "core.views.bad_request"
