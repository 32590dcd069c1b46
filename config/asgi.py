"""ASGI entry point: HTTP goes to Django, websockets to the Channels routes of each app."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()  # set up Django before importing consumers

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from core.ws_auth import OriginValidatorUnlessToken, TokenOrSessionAuthMiddleware  # noqa: E402
from inventory.routing import websocket_urlpatterns as inventory_ws  # noqa: E402
from reporting.routing import websocket_urlpatterns as reporting_ws  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # channels-stubs want their own (type-check-only) pattern class, which django.urls.path never returns.
        "websocket": OriginValidatorUnlessToken(
            TokenOrSessionAuthMiddleware(URLRouter([*inventory_ws, *reporting_ws]))  # type: ignore[list-item]
        ),
    }
)
