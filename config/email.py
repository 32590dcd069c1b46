"""``EMAIL_URL`` -> the e-mail settings: Django's own backends (django-environ) or a provider's API
through django-anymail.

    consolemail://                                  print (the default: development, the demo)
    smtp+tls://user:password@smtp.example.com:587   any SMTP relay (django-environ's schemes)
    anymail+postmark://SERVER_TOKEN@                Postmark's API
    anymail+mailgun://API_KEY@mg.example.com        Mailgun's API, sending domain mg.example.com
    anymail+brevo://API_KEY@                        Brevo's API
    anymail+sendgrid://API_KEY@                     SendGrid's API

The secret is URL-quoted (``%40`` for ``@``). Query parameters are optional:

- ``api_url``: the provider's API base (Mailgun's EU region ``https://api.eu.mailgun.net/v3``; a
  local fake in tests);
- ``webhook_signing_key``: Mailgun signs its webhooks; Anymail refuses them without this key.

Bounces and complaints come back on ``/anymail/<provider>/tracking/`` (``marketing.webhooks``),
protected by HTTP basic auth: ``ANYMAIL_WEBHOOK_SECRET`` (``user:password``, put in the URL given to
the provider: ``https://user:password@shop.example.com/anymail/postmark/tracking/``). Without the
secret those URLs answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass(frozen=True)
class Provider:
    backend: str
    secret: str  # the ANYMAIL key of its API key / token
    domain: str = ""  # the ANYMAIL key of its sending domain, when it has one


PROVIDERS = {
    "postmark": Provider("anymail.backends.postmark.EmailBackend", "POSTMARK_SERVER_TOKEN"),
    "mailgun": Provider("anymail.backends.mailgun.EmailBackend", "MAILGUN_API_KEY", "MAILGUN_SENDER_DOMAIN"),
    "brevo": Provider("anymail.backends.brevo.EmailBackend", "BREVO_API_KEY"),
    "sendgrid": Provider("anymail.backends.sendgrid.EmailBackend", "SENDGRID_API_KEY"),
}
ANYMAIL_SCHEME = "anymail+"


class EmailUrlError(ValueError):
    pass


def email_settings(url: str, *, webhook_secret: str = "") -> dict[str, Any]:
    """The Django settings an ``EMAIL_URL`` stands for (``EMAIL_BACKEND``, ``EMAIL_HOST``...,
    ``ANYMAIL``). ``ANYMAIL`` is always there (it carries the webhook secret)."""
    anymail: dict[str, Any] = {}
    if webhook_secret:
        anymail["WEBHOOK_SECRET"] = webhook_secret
    if not url.startswith(ANYMAIL_SCHEME):
        import environ

        return {**environ.Env.email_url_config(url), "ANYMAIL": anymail}
    parts = urlsplit(url)
    name = parts.scheme[len(ANYMAIL_SCHEME) :]
    provider = PROVIDERS.get(name)
    if provider is None:
        raise EmailUrlError(
            f"EMAIL_URL: unknown e-mail provider {name!r}; one of {', '.join(sorted(PROVIDERS))}."
        )
    secret = unquote(parts.username or "")
    if not secret:
        raise EmailUrlError(f"EMAIL_URL: {name} needs its API key: anymail+{name}://KEY@...")
    anymail[provider.secret] = secret
    if provider.domain:
        if not parts.hostname:
            raise EmailUrlError(f"EMAIL_URL: {name} needs the sending domain: anymail+{name}://KEY@domain")
        anymail[provider.domain] = parts.hostname
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    prefix = name.upper()
    if options.get("api_url"):
        anymail[f"{prefix}_API_URL"] = options["api_url"]
    if options.get("webhook_signing_key"):
        anymail[f"{prefix}_WEBHOOK_SIGNING_KEY"] = options["webhook_signing_key"]
    return {"EMAIL_BACKEND": provider.backend, "ANYMAIL": anymail}
