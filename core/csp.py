"""The Content-Security-Policy (django-csp): scripts and styles from our origin or carrying the
request's nonce, nothing inline otherwise. The policy is ``CONTENT_SECURITY_POLICY`` in settings;
this middleware adds what only the request knows: the websocket origin of the host it was served
from (``wss://host`` behind HTTPS, ``ws://host`` otherwise) to ``connect-src``, for the till and
the stock grid. Browsers that do not match ``ws:`` against ``'self'`` (older Safari) need it.

A page that needs more (Stripe's page loads Stripe.js and its frames) widens the policy for itself
with ``csp.decorators.csp_update``; see ``STRIPE_CSP`` below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp.constants import NONCE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.middleware import PolicyParts

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

# What Stripe documents its Payment Element needs, for the one page that shows it.
STRIPE_CSP = {
    "script-src": ["https://js.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
}

# Redoc (/api/redoc/, staff-only in production) injects <style> elements it cannot all stamp with
# a nonce, runs its search in a blob: worker and shows Redocly's logo: that page alone has its own
# policy. Its scripts still need the nonce; every other page keeps the strict one.
REDOC_CSP = {
    "style-src": [SELF, UNSAFE_INLINE],
    "worker-src": [SELF, "blob:"],
    "img-src": [SELF, "data:", "https://cdn.redoc.ly"],
    "script-src": [SELF, NONCE],
}


class CSPMiddleware(_CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()  # validated against ALLOWED_HOSTS
        except Exception:  # DisallowedHost: no websocket to allow for a host we do not serve
            return parts
        websocket = f"{'wss' if request.is_secure() else 'ws'}://{host}"
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", []), websocket]
        parts.update = update
        return parts
