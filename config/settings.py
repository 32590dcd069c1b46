"""Settings for the whole platform, read from the environment.

Unset variables mean the embedded defaults a newcomer needs for ``make demo``: SQLite, the
in-memory channel layer, the local-memory cache, eager Celery and the console e-mail backend.
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis (channel layer, cache and
Celery broker). ``DJANGO_ENV=production`` turns on every hardening ``check --deploy`` asks for.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

from config import media as media_config
from config.email import email_settings

# Lets generic classes that Django does not make subscriptable itself (forms.ModelForm, ...) be
# written with their type argument, as mypy's strict mode asks: ``class F(forms.ModelForm[Location])``.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
# ``make demo`` serves with DEBUG off (the designed 404/500 pages, no tracebacks) but stays a demo:
# fake carriers, uploaded media served by Django, the demo logins on /platform/.
DEMO = env.bool("DJANGO_DEMO", default=False) and not PRODUCTION
if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789"
    )
    ALLOWED_HOSTS = env.list(
        "DJANGO_ALLOWED_HOSTS",
        # pro.localhost: the demo's second shop (shops; browsers resolve *.localhost to this machine)
        default=["localhost", "127.0.0.1", "[::1]", "testserver", "pro.localhost"],
    )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "modeltranslation",  # must come before django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",  # {% csp %} tag and checks; the policy is CONTENT_SECURITY_POLICY below
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",  # sign-in lockout per account and address (finding 6); AccessAttempt in the admin
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "core",
    "shops",  # the storefronts of this install, chosen by host name (just above core: all may read it)
    "accounts",
    "catalog",
    "inventory",
    "pricing",
    "orders",
    "payments",
    "logistics",
    "invoicing",
    "loyalty",
    "marketing",
    "integrations",
    "pos",
    "content",  # blog articles and simple pages (Markdown, FR/EN/IT), shown by the storefront
    "storefront",
    "reporting",  # the KPI dashboard: reads everything, writes only its own tables
    "demo",  # the top layer: manage.py seed_demo
]

MIDDLEWARE = [
    # First: the request id (X-Request-ID, in every log line and the request's Celery tasks), then the
    # latency and query-count metrics of the whole request (core.logs, core.metrics).
    "core.logs.RequestIdMiddleware",
    "core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # gzip for text responses (HTML, JSON, CSV...) when the client accepts it: high in the list, so it
    # compresses the final body, after every middleware below has read or changed it. BREACH: see the
    # class's docstring (CSRF tokens are masked per response; random bytes added; @gzip_exempt).
    "core.middleware.CompressionMiddleware",
    # NUL, lone surrogates, too many fields, oversized bodies: a 400/413 before any view (core.middleware).
    "core.middleware.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # request.shop from the host (shops.middleware): after the session (whose it is), before the language
    # (the shop's languages), the sign-in and the page cache (keys carry the shop).
    "shops.middleware.CurrentShopMiddleware",
    "shops.middleware.ShopLocaleMiddleware",  # Django's LocaleMiddleware, kept to the shop's languages
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Storefront page views and funnel steps counted in the cache, no cookie (storefront.middleware).
    "storefront.middleware.TrafficMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so its process_exception runs first: no free database connection -> 503 + Retry-After.
    "core.middleware.ServiceUnavailableMiddleware",
    # Last: turns a sign-in refused by django-axes or core.ratelimit into the 429 page / JSON.
    "axes.middleware.AxesMiddleware",
    "core.csp.CSPMiddleware",
    # Very last: anonymous storefront pages whole from the cache; only the view is skipped.
    "storefront.middleware.FullPageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "shops.context_processors.shop",
                "storefront.context_processors.shop",
                "storefront.context_processors.cart",
                "content.context_processors.footer",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DB_POOL", default=False):
    # ASGI processes (compose's ws, make serve): a psycopg pool per process. Persistent connections
    # (CONN_MAX_AGE) would leak there, one per executor thread, until PostgreSQL refuses new clients.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Size: every web process holds up to DB_POOL_MAX_SIZE connections, so processes x MAX_SIZE, plus
    # Celery workers and beat, must stay under PostgreSQL's max_connections (docs/security.md).
    # A request that waits DB_POOL_TIMEOUT for a connection gets a 503 with Retry-After
    # (core.middleware), not a 500: keep it short, a shopper would rather retry than wait 10 s.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
        "timeout": env.float("DB_POOL_TIMEOUT", default=3.0),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # WSGI (compose's web: gunicorn sync), Celery, commands: one thread per process, so one persistent
    # connection each, reused across requests (checked before reuse after an error).
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
else:
    # SQLite serialises writers; wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The KPI dashboard reads from a read replica when REPORTING_DATABASE_URL is set (reporting.db: a
# router for the reporting tables, ``.using(read_alias())`` for the business tables it reads).
if env.str("REPORTING_DATABASE_URL", default=""):
    DATABASES["reporting"] = env.db_url("REPORTING_DATABASE_URL")
    DATABASES["reporting"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["reporting"]["ATOMIC_REQUESTS"] = False
    DATABASES["reporting"].setdefault("TEST", {"MIRROR": "default"})
DATABASE_ROUTERS = ["reporting.db.ReportingRouter"]
# The Retry-After (seconds) of the 503 answered when no database connection can be had.
SERVICE_BUSY_RETRY_AFTER = env.int("SERVICE_BUSY_RETRY_AFTER", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# --- Redis: channel layer, cache, Celery broker ------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# pytest-xdist (make test runs 2 workers): each worker has its own test database (test_<db>_gw0 ...)
# and here its own Redis database next to REDIS_URL's, so one worker's cache bumps, channel groups
# and broker queues never reach another's. Exported so subprocesses the tests start agree.
# XDIST_REDIS_DB_SHIFTED marks it done, so a worker or command started by a test does not shift again.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _XDIST_WORKER.startswith("gw") and os.environ.get("XDIST_REDIS_DB_SHIFTED") != _XDIST_WORKER:
    _base, _, _db = REDIS_URL.rpartition("/")
    if _db.isdigit():
        REDIS_URL = f"{_base}/{int(_db) + 1 + int(_XDIST_WORKER[2:])}"
        os.environ["REDIS_URL"] = REDIS_URL
        os.environ["XDIST_REDIS_DB_SHIFTED"] = _XDIST_WORKER
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.25)
# The longest a request waits to publish one stock push; after a failure pushes pause for 10 s.
STOCK_PUSH_TIMEOUT = env.float("STOCK_PUSH_TIMEOUT", default=2.0)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # A connect timeout only: a read timeout would cut the subscribers' long reads.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_connect_timeout": CACHE_SOCKET_TIMEOUT}]},
        }
    }
    # Redis down must not take pages down: core.cache.ResilientRedisCache answers a miss (short
    # socket timeouts, no retries, then a circuit breaker), logs and counts it (/healthz).
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="omni"),
            "OPTIONS": {
                "socket_connect_timeout": CACHE_SOCKET_TIMEOUT,
                "socket_timeout": CACHE_SOCKET_TIMEOUT,
                "CIRCUIT_BREAKER_SECONDS": env.float("CACHE_CIRCUIT_BREAKER_SECONDS", default=5.0),
            },
        }
    }
    # Sessions read from Redis and written to both (losing Redis signs nobody out): a visitor's page
    # served whole from the cache needs no query (storefront.middleware.FullPageCacheMiddleware).
    SESSION_ENGINE = "core.sessions"
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The storefront's page cache (storefront.cache: the pages' main part, and whole anonymous responses).
# Off only to measure what a page costs when its entry was just dropped (bench/serving.py --uncached).
STOREFRONT_PAGE_CACHE = env.bool("STOREFRONT_PAGE_CACHE", default=True)

# --- Shops (shops/) ------------------------------------------------------------------------------------
# True: a shopper signed in on one shop is signed in on every shop of the install (one account domain).
# False: a session belongs to the shop it signed in on (shops.middleware.CurrentShopMiddleware).
SHOPS_SHARED_ACCOUNTS = env.bool("SHOPS_SHARED_ACCOUNTS", default=False)
# How often (seconds) a process checks whether staff changed a shop (shops.selectors: the snapshot).
SHOPS_CACHE_SECONDS = env.float("SHOPS_CACHE_SECONDS", default=5.0)

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
# Without a broker there is no worker: run tasks in-process (the demo). With Redis, a worker runs them.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "release-expired-reservations": {
        "task": "inventory.tasks.release_expired_reservations",
        "schedule": 60.0,
    },
    "purge-idempotency-records": {
        "task": "core.tasks.purge_idempotency_records",
        "schedule": 3600.0,
    },
    "retry-failed-refunds": {
        "task": "payments.tasks.retry_failed_refunds",
        "schedule": 900.0,
    },
    "cancel-uncollected-orders": {
        "task": "orders.tasks.cancel_uncollected_orders",
        "schedule": 3600.0,
    },
    "expire-e-reservations": {
        "task": "orders.tasks.expire_e_reservations",
        "schedule": 300.0,
    },
    "remind-e-reservations": {
        "task": "orders.tasks.remind_e_reservations",
        "schedule": 900.0,
    },
    "renew-pickup-holds": {
        "task": "orders.tasks.renew_pickup_holds",
        "schedule": 3600.0,
    },
    "remind-overdue-terms-orders": {
        "task": "orders.tasks.remind_overdue_terms_orders",
        "schedule": crontab(hour=8, minute=0),
    },
    "cancel-abandoned-orders": {
        "task": "orders.tasks.cancel_abandoned_orders",
        "schedule": env.float("ABANDONED_ORDERS_SWEEP_SECONDS", default=300.0),
    },
    # The outbox (core.outbox): beat relays what the after-commit attempt left; manage.py
    # relay_outbox does the same in a loop of its own, which keeps going while the broker is down.
    "relay-outbox": {
        "task": "core.tasks.relay_outbox",
        "schedule": 15.0,
    },
    "purge-outbox": {
        "task": "core.tasks.purge_outbox",
        "schedule": 3600.0,
    },
    # Parcels not yet delivered: ask the carriers where they are (logistics.tasks_shipping).
    # One invoice per customer for the day's sales, every channel (invoicing.tasks.run_daily_invoicing).
    "daily-invoicing": {
        "task": "invoicing.tasks.run_daily_invoicing",
        "schedule": crontab(hour=18, minute=0),
    },
    # Loyalty tiers: upgrades, grace periods and downgrades (loyalty.services.reevaluate_tiers).
    "loyalty-reevaluate-tiers": {
        "task": "loyalty.tasks.reevaluate_tiers",
        "schedule": crontab(hour=3, minute=30),
    },
    # Loyalty personal coupons: today's birthdays, win-back of lapsed consenting customers
    # (loyalty.services_coupons.grant_personal_coupons), once per occasion.
    "loyalty-personal-coupons": {
        "task": "loyalty.tasks.grant_personal_coupons",
        "schedule": crontab(hour=7, minute=15),
    },
    # Monthly and yearly closings of the till journal (pos.services.closings), idempotent: a missed
    # night catches up.
    "close-till-periods": {
        "task": "pos.tasks.close_till_periods",
        "schedule": crontab(hour=0, minute=30),
    },
    # Marketing (marketing.services_segments / services_campaigns): the nightly RFM segments,
    # scheduled campaigns started on time, batches of a dead worker claimed again.
    "marketing-refresh-rfm": {
        "task": "marketing.tasks.refresh_rfm",
        "schedule": crontab(hour=2, minute=45),
    },
    "marketing-start-campaigns": {
        "task": "marketing.tasks.start_due_campaigns",
        "schedule": 60.0,
    },
    "marketing-resume-campaigns": {
        "task": "marketing.tasks.resume_stuck_campaigns",
        "schedule": 300.0,
    },
    # Marketing: abandoned-cart reminders (marketing.abandoned_carts) and wishlist price alerts
    # (price lists and promotions also start by the clock, without an event).
    "marketing-abandoned-carts": {
        "task": "marketing.tasks.scan_abandoned_carts",
        "schedule": env.float("MARKETING_CART_SCAN_SECONDS", default=600.0),
    },
    "marketing-price-alerts": {
        "task": "marketing.tasks.send_price_alerts",
        "schedule": 3600.0,
    },
    # Storefront traffic counters buffered in the cache go to the database (marketing.traffic).
    "marketing-flush-traffic": {
        "task": "marketing.tasks.flush_traffic",
        "schedule": 60.0,
    },
    "poll-parcel-tracking": {
        "task": "logistics.tasks_shipping.poll_tracking",
        "schedule": 60.0 * env.float("TRACKING_POLL_MINUTES", default=30.0),
    },
    # ERP files dropped in ERP_INBOX_DIR/<kind>/ are imported, then moved to done/ or failed/.
    "erp-import-inbox": {
        "task": "integrations.imports.tasks.poll_erp_inbox",
        "schedule": env.float("ERP_INBOX_POLL_SECONDS", default=60.0),
    },
}
# Outgoing webhooks (integrations.webhooks): deliveries whose after-commit message was lost, and retries.
CELERY_BEAT_SCHEDULE["send-due-webhooks"] = {
    "task": "integrations.webhooks.tasks.send_due_webhooks",
    "schedule": env.float("WEBHOOK_SWEEP_SECONDS", default=30.0),
}
# Task modules that are not an app's tasks.py (autodiscover finds only those).
CELERY_IMPORTS = ["logistics.tasks_shipping", "integrations.imports.tasks", "integrations.webhooks.tasks"]
# Labels and tracking (logistics.services_shipping): parcels asked per poll; first label retry delay.
TRACKING_POLL_BATCH = env.int("TRACKING_POLL_BATCH", default=500)
LABEL_RETRY_BASE_SECONDS = env.int("LABEL_RETRY_BASE_SECONDS", default=30)

# --- Transactional outbox (core.outbox) -------------------------------------------------------
# The after-commit publish and the relay use their own broker connection: this connect/socket
# timeout (seconds), no connection retry, no publish retry. A broker down costs a request this at most.
OUTBOX_PUBLISH_TIMEOUT = env.float("OUTBOX_PUBLISH_TIMEOUT", default=0.25)
OUTBOX_PUBLISH_POOL_SIZE = env.int("OUTBOX_PUBLISH_POOL_SIZE", default=10)  # broker connections per process
# After a failed publish the web process stops trying for this long (the relay takes over).
OUTBOX_BREAKER_SECONDS = env.float("OUTBOX_BREAKER_SECONDS", default=5.0)
# A new message is due for the relay loop this long after its write (the after-commit try goes first).
OUTBOX_RELAY_GRACE_SECONDS = env.float("OUTBOX_RELAY_GRACE_SECONDS", default=10.0)
OUTBOX_RELAY_BATCH = env.int("OUTBOX_RELAY_BATCH", default=200)
# Backoff after a failed publish: base, doubling per attempt, capped; "failed" after MAX_ATTEMPTS (0: never).
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=2.0)
OUTBOX_RETRY_MAX_SECONDS = env.float("OUTBOX_RETRY_MAX_SECONDS", default=300.0)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=100)
# Sent messages are kept this many days (the admin shows them), then purged by beat.
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=7)

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# Every sign-in (shop, till, admin) passes these first: a per-address cap on failures
# (core.ratelimit), then django-axes' per account+address lockout, then the real check.
AUTHENTICATION_BACKENDS = [
    "core.ratelimit.LoginFailuresPerIpBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Brute-force and flood limits (core.ratelimit, core.throttling, django-axes) ---------------
# Off only in the test suite (tests/conftest.py) and for load tests; never in production.
RATELIMIT_ENABLED = env.bool("RATELIMIT_ENABLED", default=True)
# Proxies in front of the app that append to X-Forwarded-For (0: trust REMOTE_ADDR only).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_ENABLED = env.bool("AXES_ENABLED", default=RATELIMIT_ENABLED)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)  # wrong passwords per account+address
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login forms' field name (it holds the e-mail)
AXES_USERNAME_CALLABLE = "core.ratelimit.login_username"
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "core.ratelimit.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# The fallback after a login that names no page: only the admin login falls back on it (the shop
# login lands on the account page and the till login on the till, each by its own view).
LOGIN_REDIRECT_URL = "admin:index"
# The language cookie: sent only over HTTPS in production, never to scripts, not on cross-site posts.
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- I18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English"), ("it", "Italiano")]
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr", "en", "it")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded media (product photos and their renditions): the filesystem under MEDIA_ROOT
# (MEDIA_STORAGE=filesystem, the default) or an S3-compatible object storage (MEDIA_STORAGE=s3: OVH
# Object Storage, Scaleway, MinIO, AWS) through django-storages; config/media.py reads the variables.
MEDIA_STORAGE = media_config.media_backend(os.environ)
MEDIA_CACHE_CONTROL = media_config.MEDIA_CACHE_CONTROL
if MEDIA_STORAGE == "s3":
    from importlib.util import find_spec

    if find_spec("storages") is None or find_spec("boto3") is None:  # not photos silently on local disk
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("MEDIA_STORAGE=s3: install django-storages[s3] (boto3)")
STORAGES: dict[str, dict[str, Any]] = {
    "default": media_config.media_storage(os.environ),
    "staticfiles": {
        "BACKEND": "config.storage.ManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Django serves MEDIA_URL itself (storefront's media view, long cache headers) unless the files live
# in object storage or the reverse proxy serves them (SERVE_MEDIA=0).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=MEDIA_STORAGE == "filesystem")

# --- E-mail -----------------------------------------------------------------------------------
# EMAIL_URL picks the backend (config/email.py): consolemail:// (default), smtp+tls://user:pass@host:587,
# or a provider's API through django-anymail: anymail+postmark://TOKEN@, anymail+mailgun://KEY@mg.example.com,
# anymail+brevo://KEY@, anymail+sendgrid://KEY@ (optional ?api_url=...; Mailgun ?webhook_signing_key=...).
# ANYMAIL_WEBHOOK_SECRET ("user:password", basic auth) opens /anymail/<provider>/tracking/ to the
# provider's bounce and complaint events (marketing.webhooks suppresses those addresses).
EMAIL_CONFIG = email_settings(
    env.str("EMAIL_URL", default="consolemail://"),
    webhook_secret=env.str("ANYMAIL_WEBHOOK_SECRET", default=""),
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="boutique@example.com")
# A shopper may ask for a new e-mail verification link once per this many minutes.
EMAIL_VERIFICATION_RESEND_MINUTES = env.int("EMAIL_VERIFICATION_RESEND_MINUTES", default=5)

# --- DRF and the OpenAPI schema ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.auth.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.schema.StrictLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # JSON through core.safe_json: depth, NUL, surrogates, NaN and out-of-range numbers are a 400.
    # No multipart: no endpoint takes a file, and core.middleware checks urlencoded forms only.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonThrottle",
        "core.throttling.UserThrottle",
        "core.throttling.ScopedThrottle",
    ],
    # Every limit of the platform, API and pages alike ("N/second|minute|hour|day"; core.ratelimit).
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="300/minute"),  # API, per address
        "user": env.str("THROTTLE_USER", default="1200/minute"),  # API, per signed-in user
        "checkout": env.str("THROTTLE_CHECKOUT", default="30/minute"),  # per user or address
        "pos_sync": env.str("THROTTLE_POS_SYNC", default="600/minute"),  # offline sales replayed
        "token_failures": env.str("THROTTLE_TOKEN_FAILURES", default="20/minute"),  # wrong API tokens
        "login_failures": env.str("THROTTLE_LOGIN_FAILURES", default="50/hour"),  # any account, per address
        "password_reset": env.str("THROTTLE_PASSWORD_RESET", default="20/hour"),  # requests per address
        "password_reset_email": env.str("THROTTLE_PASSWORD_RESET_EMAIL", default="3/hour"),  # per target
        "signup": env.str("THROTTLE_SIGNUP", default="20/hour"),  # sign-up attempts per address
        "pos_receipt_email": env.str("THROTTLE_POS_RECEIPT_EMAIL", default="5/hour"),  # per sale
    },
}
# --- Request size bounds (core.middleware refuses beyond with 400 invalid_input / 413) -----------
# A body other than a file upload; it must hold a register's offline day (POS_SYNC_MAX_SALES sales).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Query-string or form fields per request.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
# /api/schema/, /api/docs/ and /api/redoc/ for everybody (development) or for staff only (production).
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=not PRODUCTION)
SPECTACULAR_SETTINGS = {
    "TITLE": "Omnichannel retail platform API",
    "DESCRIPTION": "Stock, catalog, orders and POS for a chain of stores and its web shop.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The statuses any operation can answer (401, 403 on writes, 429, bad Idempotency-Key, bad JSON).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.document_common_responses",
    ],
    # One schema name per choice set that several endpoints share.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "OrderDeliveryMethodEnum": "orders.models.DeliveryMethod",
        "ShipmentStatusEnum": "logistics.fulfilment_models.ShipmentStatus",
    },
}

# --- Domain settings --------------------------------------------------------------------------
# A reservation that nobody commits or releases is released by the beat task after this long.
INVENTORY_DEFAULT_RESERVATION_TTL = env.int("INVENTORY_DEFAULT_RESERVATION_TTL", default=15 * 60)
INVENTORY_MAX_RESERVATION_TTL = env.int("INVENTORY_MAX_RESERVATION_TTL", default=7 * 24 * 3600)
# Low-stock e-mails go to the location's store managers, or here when it has none.
INVENTORY_ALERT_FALLBACK_EMAIL = env.str("INVENTORY_ALERT_FALLBACK_EMAIL", default="stock@example.com")
# How long a web checkout holds its units while the shopper pays.
CHECKOUT_RESERVATION_TTL_SECONDS = env.int("CHECKOUT_RESERVATION_TTL_SECONDS", default=15 * 60)
# A web order still awaiting payment this long after its hold ran out, with no payment in progress,
# is cancelled as abandoned (orders.services.abandoned; beat every ABANDONED_ORDERS_SWEEP_SECONDS).
CHECKOUT_ABANDON_GRACE_SECONDS = env.int("CHECKOUT_ABANDON_GRACE_SECONDS", default=15 * 60)
# Stock websockets (inventory.consumers), per connection: snapshot requests a minute, message size.
STOCK_WS_SNAPSHOTS_PER_MINUTE = env.int("STOCK_WS_SNAPSHOTS_PER_MINUTE", default=6)
STOCK_WS_MAX_MESSAGE_BYTES = env.int("STOCK_WS_MAX_MESSAGE_BYTES", default=4096)
# /ws/stock/?since=<cursor>: the levels changed since a snapshot (inventory.realtime). The margin
# covers a stock transaction still open when a snapshot is read; older cursors get a whole snapshot.
STOCK_WS_CURSOR_MARGIN_SECONDS = env.int("STOCK_WS_CURSOR_MARGIN_SECONDS", default=120)
STOCK_WS_DELTA_MAX_AGE_SECONDS = env.int("STOCK_WS_DELTA_MAX_AGE_SECONDS", default=24 * 3600)
# GET /api/v1/pos/catalog/?since=<cursor>: the variants changed since a till's last download
# (pos.selectors.store_catalog), same margin idea; an older cursor is refused (400): full download.
POS_CATALOG_CURSOR_MARGIN_SECONDS = env.int("POS_CATALOG_CURSOR_MARGIN_SECONDS", default=120)
POS_CATALOG_DELTA_MAX_AGE_SECONDS = env.int("POS_CATALOG_DELTA_MAX_AGE_SECONDS", default=7 * 24 * 3600)
# Size bounds: lines in a cart, lines in a till sale, sales in one offline sync batch.
CART_MAX_LINES = env.int("CART_MAX_LINES", default=100)
POS_SALE_MAX_LINES = env.int("POS_SALE_MAX_LINES", default=500)
POS_SYNC_MAX_SALES = env.int("POS_SYNC_MAX_SALES", default=500)
# B2B quick order (orders.services.quick_order): rows in one pasted list or CSV file, and the file's size.
QUICK_ORDER_MAX_ROWS = env.int("QUICK_ORDER_MAX_ROWS", default=200)
QUICK_ORDER_MAX_BYTES = env.int("QUICK_ORDER_MAX_BYTES", default=256 * 1024)
# How long an Idempotency-Key is remembered.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=72)
# Click & collect: days a ready order waits at the store before it is cancelled and refunded.
CLICK_COLLECT_PICKUP_DAYS = env.int("CLICK_COLLECT_PICKUP_DAYS", default=7)
# E-reservation (orders.services.ereservation): hours a store holds reserved units for a shopper to try,
# units per reservation, reservations a shopper may have at once, hours before the end the reminder goes.
E_RESERVATION_HOLD_HOURS = env.int("E_RESERVATION_HOLD_HOURS", default=48)
E_RESERVATION_MAX_UNITS = env.int("E_RESERVATION_MAX_UNITS", default=5)
E_RESERVATION_MAX_ACTIVE = env.int("E_RESERVATION_MAX_ACTIVE", default=3)
E_RESERVATION_REMINDER_HOURS = env.int("E_RESERVATION_REMINDER_HOURS", default=6)
# Portal returns (logistics.services_returns): the withdrawal period after delivery, the carrier of
# prepaid return labels ("" = the order's) and the location code return parcels go to ("" = first warehouse).
RETURN_WINDOW_DAYS = env.int("RETURN_WINDOW_DAYS", default=14)
RETURNS_CARRIER = env.str("RETURNS_CARRIER", default="")
RETURNS_WAREHOUSE = env.str("RETURNS_WAREHOUSE", default="")
# Text messages (core.sms): the console backend prints them; set a provider's backend in production.
SMS_BACKEND = env.str("SMS_BACKEND", default="core.sms.backends.console.SmsBackend")
SMS_DEFAULT_COUNTRY_CODE = env.str("SMS_DEFAULT_COUNTRY_CODE", default="33")
# core.sms.backends.http.SmsBackend: Twilio's Messages API (basic auth with the account SID and its auth
# token; the sender is a Twilio number or, starting with "MG", a Messaging Service SID).
SMS_TWILIO_ACCOUNT_SID = env.str("SMS_TWILIO_ACCOUNT_SID", default="")
SMS_TWILIO_AUTH_TOKEN = env.str("SMS_TWILIO_AUTH_TOKEN", default="")
SMS_TWILIO_FROM = env.str("SMS_TWILIO_FROM", default="")
SMS_TWILIO_API_URL = env.str("SMS_TWILIO_API_URL", default="https://api.twilio.com")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=10.0)  # seconds, connect and read

# B2B companies' VAT numbers: "none" checks format and check digits only (python-stdnum); "vies" also
# asks the EU's VIES register (accounts.vat_check). A register outage never refuses a customer.
VAT_CHECKER = env.str("VAT_CHECKER", default="none")
# A company order awaiting approval keeps its units this long, then is cancelled (orders.services.b2b_terms).
B2B_APPROVAL_HOLD_HOURS = env.int("B2B_APPROVAL_HOLD_HOURS", default=48)
# A quote sent to a company buyer may be accepted for this many days (orders.services.quotes).
B2B_QUOTE_VALIDITY_DAYS = env.int("B2B_QUOTE_VALIDITY_DAYS", default=30)
CELERY_BEAT_SCHEDULE["expire-quotes"] = {
    "task": "orders.tasks.expire_quotes",
    "schedule": crontab(hour=0, minute=20),
}
VIES_API_URL = env.str("VIES_API_URL", default="https://ec.europa.eu/taxation_customs/vies/rest-api")
VIES_TIMEOUT = env.float("VIES_TIMEOUT", default=10.0)

# --- Marketing (marketing/): consent links and the one-click unsubscribe (RFC 8058) ---------------
# Absolute links in e-mails (confirmation, unsubscribe); default: the payment return site.
MARKETING_SITE_URL = env.str(
    "MARKETING_SITE_URL", default=env.str("PAYMENTS_SITE_URL", default="http://localhost:8000")
)
MARKETING_CONFIRM_MAX_AGE = env.int("MARKETING_CONFIRM_MAX_AGE", default=7 * 24 * 3600)  # double opt-in link
MARKETING_UNSUBSCRIBE_MAX_AGE = env.int("MARKETING_UNSUBSCRIBE_MAX_AGE", default=365 * 24 * 3600)
MARKETING_UNSUBSCRIBE_MAILTO = env.str("MARKETING_UNSUBSCRIBE_MAILTO", default="unsubscribe@example.com")
# Campaigns (marketing.services_campaigns): recipients per batch task; a batch claim older than this
# is a dead worker's and is claimed again by beat's resume.
MARKETING_CAMPAIGN_BATCH = env.int("MARKETING_CAMPAIGN_BATCH", default=500)
MARKETING_CAMPAIGN_CLAIM_SECONDS = env.int("MARKETING_CAMPAIGN_CLAIM_SECONDS", default=600)
# RFM segments (marketing.services_segments): lost after this many days without a purchase, at risk
# after ACTIVE_DAYS (new: first purchase within ACTIVE_DAYS); champions: orders and spend over 12 months.
MARKETING_RFM_ACTIVE_DAYS = env.int("MARKETING_RFM_ACTIVE_DAYS", default=90)
MARKETING_RFM_LOST_DAYS = env.int("MARKETING_RFM_LOST_DAYS", default=365)
MARKETING_RFM_CHAMPION_ORDERS = env.int("MARKETING_RFM_CHAMPION_ORDERS", default=5)
MARKETING_RFM_CHAMPION_SPEND = env.int("MARKETING_RFM_CHAMPION_SPEND", default=1000)
# Abandoned carts (marketing.abandoned_carts): reminders after 1 h and 24 h without a change, none for
# carts older than N days; the restore link's lifetime; a personal coupon (percent, 0 = none) in the
# second reminder, valid N days.
MARKETING_CART_FIRST_REMINDER_SECONDS = env.int("MARKETING_CART_FIRST_REMINDER_SECONDS", default=3600)
MARKETING_CART_SECOND_REMINDER_SECONDS = env.int("MARKETING_CART_SECOND_REMINDER_SECONDS", default=86400)
MARKETING_CART_REMINDER_MAX_AGE_DAYS = env.int("MARKETING_CART_REMINDER_MAX_AGE_DAYS", default=7)
MARKETING_CART_RESTORE_MAX_AGE = env.int("MARKETING_CART_RESTORE_MAX_AGE", default=7 * 24 * 3600)
MARKETING_CART_COUPON_PERCENT = env.int("MARKETING_CART_COUPON_PERCENT", default=0)
MARKETING_CART_COUPON_VALID_DAYS = env.int("MARKETING_CART_COUPON_VALID_DAYS", default=7)

# --- The seller and its invoices (core.legal, invoicing/) -----------------------------------------
# Printed on invoices, credit notes and till receipts; checked with python-stdnum at start-up.
# The demo's numbers are valid but invented. SELLER_JSON replaces the whole block in production.
SELLER: dict[str, object] = env.json(
    "SELLER_JSON",
    default={
        "legal_name": "Maison Demo SAS",
        "legal_form": "SAS au capital de 50 000 EUR",
        "address_lines": ["12 cours Napoléon"],
        "postal_code": "20000",
        "city": "Ajaccio",
        "country": "FR",
        "siren": "832047153",
        "siret": "83204715300016",
        "rcs": "RCS Ajaccio 832 047 153",
        "vat_number": "FR22832047153",
        "email": "factures@demo.example",
        "phone": "+33 4 95 00 00 00",
        "website": "https://shop.demo.example",
        "store_sirets": {},
    },
)
# The daily run (invoicing.services.daily_run): series prefixes (numbers FA-2026-000001), when a web
# order is invoiced ("paid" or "delivered"), payment terms, the late-payment rate printed for business
# customers, and whether invoices are e-mailed (a customer may opt out in their profile).
INVOICE_SERIES = env.str("INVOICE_SERIES", default="FA")
CREDIT_NOTE_SERIES = env.str("CREDIT_NOTE_SERIES", default="AV")
INVOICE_WEB_ORDERS_WHEN = env.str("INVOICE_WEB_ORDERS_WHEN", default="paid")
# Loyalty (loyalty.services): web orders earn once "delivered" (delivered or collected) or "paid";
# a tier no longer reached is kept this many days before the nightly review downgrades it.
LOYALTY_EARN_WEB_WHEN = env.str("LOYALTY_EARN_WEB_WHEN", default="delivered")
LOYALTY_TIER_GRACE_DAYS = env.int("LOYALTY_TIER_GRACE_DAYS", default=30)
# Rewards: LOYALTY_REWARD_POINTS points become a voucher of LOYALTY_REWARD_EUR (TTC), personal,
# single-use, valid on the web and at the till for LOYALTY_REWARD_VALID_DAYS.
LOYALTY_REWARD_POINTS = env.int("LOYALTY_REWARD_POINTS", default=100)
LOYALTY_REWARD_EUR = env.int("LOYALTY_REWARD_EUR", default=5)
LOYALTY_REWARD_VALID_DAYS = env.int("LOYALTY_REWARD_VALID_DAYS", default=180)
# Personal coupons (loyalty.services_coupons), each single-use, this customer's only, web and till,
# a fixed amount TTC in EUR (0 turns the kind off) valid for so many days:
# - birthday (CustomerProfile.birth_date), once a year;
# - win-back: LOYALTY_WINBACK_DAYS after the last purchase, once per lapse, only to customers who
#   consent to marketing e-mails;
# - tier welcome: at each upgrade to a tier, once per tier.
LOYALTY_BIRTHDAY_COUPON_EUR = env.int("LOYALTY_BIRTHDAY_COUPON_EUR", default=10)
LOYALTY_BIRTHDAY_COUPON_DAYS = env.int("LOYALTY_BIRTHDAY_COUPON_DAYS", default=30)
LOYALTY_WINBACK_DAYS = env.int("LOYALTY_WINBACK_DAYS", default=120)
LOYALTY_WINBACK_COUPON_EUR = env.int("LOYALTY_WINBACK_COUPON_EUR", default=10)
LOYALTY_WINBACK_COUPON_DAYS = env.int("LOYALTY_WINBACK_COUPON_DAYS", default=30)
LOYALTY_WELCOME_COUPON_EUR = env.int("LOYALTY_WELCOME_COUPON_EUR", default=10)
LOYALTY_WELCOME_COUPON_DAYS = env.int("LOYALTY_WELCOME_COUPON_DAYS", default=60)
INVOICE_PAYMENT_TERMS = env.str(
    "INVOICE_PAYMENT_TERMS", default="Payée à la commande. Pas d'escompte pour paiement anticipé."
)
INVOICE_LATE_PENALTY_RATE = env.str("INVOICE_LATE_PENALTY_RATE", default="3 fois le taux d'intérêt légal")
INVOICE_EMAILS = env.bool("INVOICE_EMAILS", default=True)
# The till journal's archive for a tax inspector (pos.services.till_archive) is signed with an
# Ed25519 key derived from this secret (default: from SECRET_KEY). Keep it out of the database.
TILL_ARCHIVE_SIGNING_KEY = env.str("TILL_ARCHIVE_SIGNING_KEY", default="")
# Days the daily run looks back for days it missed (a run per day, oldest first).
INVOICE_CATCH_UP_DAYS = env.int("INVOICE_CATCH_UP_DAYS", default=31)

# --- Payments (payments/): a provider is offered when its keys are set --------------------------
# The test provider (a hosted page with Pay / Decline) is on in development, demo and tests.
PAYMENTS_TEST_PROVIDER = env.bool("PAYMENTS_TEST_PROVIDER", default=DEBUG or not PRODUCTION)
# Absolute URLs given to PayPal when the caller's return URL is a path.
PAYMENTS_SITE_URL = env.str("PAYMENTS_SITE_URL", default="http://localhost:8000")
# Hosts other than the site's own a checkout's return/cancel URL may point to (a partner front end):
# core.urls_safety. Empty: only paths and this site's host.
PAYMENTS_RETURN_URL_HOSTS = env.list("PAYMENTS_RETURN_URL_HOSTS", default=[])
PAYMENTS_NETWORK_TIMEOUT = env.int("PAYMENTS_NETWORK_TIMEOUT", default=20)
PAYMENTS_NETWORK_RETRIES = env.int("PAYMENTS_NETWORK_RETRIES", default=2)
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# A signed webhook dated further than this from now (past or future) is refused, in seconds.
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
PAYPAL_CLIENT_ID = env.str("PAYPAL_CLIENT_ID", default="")
PAYPAL_CLIENT_SECRET = env.str("PAYPAL_CLIENT_SECRET", default="")
PAYPAL_WEBHOOK_ID = env.str("PAYPAL_WEBHOOK_ID", default="")
PAYPAL_ENVIRONMENT = env.str("PAYPAL_ENVIRONMENT", default="production" if PRODUCTION else "sandbox")
PAYPAL_BASE_URL = env.str("PAYPAL_BASE_URL", default="")  # overrides the environment's API host

# --- Carriers (logistics/carriers/): Colissimo, DPD France, La Poste Lettre suivie ---------------
# "fake" (default when DEBUG or DEMO: make demo, dev, tests unless a test aims a fixture at the local fakes):
# an in-process sandbox hands out realistic tracking numbers without any network; "live" calls the
# carriers' APIs below. Webhook secrets sign pushed tracking events (X-Carrier-Signature, see
# logistics/carriers/transport.py); an empty secret refuses every push for that carrier.
CARRIER_MODE = env.str("CARRIER_MODE", default="fake" if DEBUG or DEMO else "live")
CARRIER_TIMEOUT = env.float("CARRIER_TIMEOUT", default=5.0)  # seconds, connect and read


def _demo_secret(carrier: str) -> str:
    """Development and the demo sign pushed events with a known secret; production sets its own."""
    return "" if PRODUCTION else f"demo-{carrier}-webhook-secret"


LAPOSTE_SUIVI_URL = env.str("LAPOSTE_SUIVI_URL", default="https://api.laposte.fr/suivi/v2")
LAPOSTE_OKAPI_KEY = env.str("LAPOSTE_OKAPI_KEY", default="")  # developer.laposte.fr, "Suivi" API
CARRIERS: dict[str, dict[str, object]] = {
    "colissimo": {
        "label_url": env.str(
            "COLISSIMO_LABEL_URL", default="https://ws.colissimo.fr/sls-ws/SlsServiceWSRest/2.0"
        ),
        "contract_number": env.str("COLISSIMO_CONTRACT_NUMBER", default=""),
        "password": env.str("COLISSIMO_PASSWORD", default=""),
        "service": env.str("COLISSIMO_SERVICE", default="DOM"),  # DOM: home, no signature; DOS: signed
        "return_service": env.str("COLISSIMO_RETURN_SERVICE", default="CORE"),  # Colissimo Retour France
        "suivi_url": LAPOSTE_SUIVI_URL,
        "okapi_key": LAPOSTE_OKAPI_KEY,
        "webhook_secret": env.str("COLISSIMO_WEBHOOK_SECRET", default=_demo_secret("colissimo")),
        "timeout": CARRIER_TIMEOUT,
    },
    "dpd": {
        "label_url": env.str(
            "DPD_LABEL_URL",
            default="https://e-station.cargonet.software/dpd-eprintwebservice/eprintwebservice.asmx",
        ),
        "trace_url": env.str(
            "DPD_TRACE_URL", default="https://webtrace.dpd.fr/trace-service/Webtrace_Service.asmx"
        ),
        "userid": env.str("DPD_USERID", default=""),
        "password": env.str("DPD_PASSWORD", default=""),
        "customer_countrycode": env.str("DPD_CUSTOMER_COUNTRYCODE", default="250"),  # France
        "customer_centernumber": env.str("DPD_CUSTOMER_CENTERNUMBER", default=""),
        "customer_number": env.str("DPD_CUSTOMER_NUMBER", default=""),
        "webhook_secret": env.str("DPD_WEBHOOK_SECRET", default=_demo_secret("dpd")),
        "timeout": CARRIER_TIMEOUT,
    },
    "laposte": {
        # No public label API for Lettre suivie: numbers come from a range La Poste allocated to the
        # account (logistics/carriers/laposte.py); tracking through the Suivi v2 API.
        "number_prefix": env.str("LAPOSTE_NUMBER_PREFIX", default="1K"),
        "range_start": env.int("LAPOSTE_RANGE_START", default=1),
        "range_end": env.int("LAPOSTE_RANGE_END", default=99_999_999),
        "suivi_url": LAPOSTE_SUIVI_URL,
        "okapi_key": LAPOSTE_OKAPI_KEY,
        "webhook_secret": env.str("LAPOSTE_WEBHOOK_SECRET", default=_demo_secret("laposte")),
        "timeout": CARRIER_TIMEOUT,
    },
}

# --- Content-Security-Policy (django-csp; core/csp.py adds the websocket origin) ----------------
# No inline script or style without the request's nonce ({{ request.csp_nonce }}), no on*= handlers,
# no style="..." attributes: templates load static files. The CSP_REPORT_URI variable (read into
# the policy: a CSP_* setting would trip django-csp's check for its 3.x settings) collects violations.
# Product photos from object storage are shown from its host (or the CDN in front of it).
MEDIA_ORIGINS = media_config.media_origins(os.environ)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "report-uri": env.str("CSP_REPORT_URI", default="") or None,
    },
}
# --- Logging ----------------------------------------------------------------------------------
# LOG_FORMAT=json: one JSON object per line (core.logs.JsonFormatter), the default in production;
# "console": the human-readable lines. Every line carries the request id (core.logs), also in tasks.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "console")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {
        "console": {"format": "%(levelname)s %(asctime)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "console",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # lockouts and repeated failures only, not every attempt
        "weasyprint": {"level": "WARNING"},  # not its seven "Step n" lines per PDF (labels, pick lists)
        "fontTools": {"level": "WARNING"},  # WeasyPrint's font subsetting chatter
    },
}
if CELERY_TASK_ALWAYS_EAGER:  # no broker at all: not kombu's "No hostname was supplied" on every send
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}  # type: ignore[index]
# A Celery worker keeps these handlers (JSON lines too) instead of installing its own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# --- Metrics and error reporting (core.metrics, core.sentry) ----------------------------------
# /metrics answers only "Authorization: Bearer <METRICS_TOKEN>"; unset: /metrics is a 404.
# PROMETHEUS_MULTIPROC_DIR (read by prometheus-client itself): several processes, one scrape.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Sentry is off unless SENTRY_DSN is set (no personal data sent: send_default_pii=False).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV)
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from core.sentry import init_sentry

    init_sentry(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)

# --- Production hardening (manage.py check --deploy passes with DJANGO_ENV=production) ---------
if PRODUCTION:
    # Behind the proxy (docker-compose: deploy/nginx.conf), which sets X-Forwarded-Proto to its own
    # scheme and passes the client's Host as is (so no USE_X_FORWARDED_HOST); compose also sets
    # TRUSTED_PROXY_COUNT=1 for the client's address in X-Forwarded-For (core.ratelimit).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Probes and the scraper talk plain HTTP to the container, not through the TLS proxy.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_REFERRER_POLICY = "same-origin"

# --- Recommendations (marketing/recommendations.py) ---------------------------------------------
# A co-purchase counts half as much after this many days (exponential decay).
RECOMMENDATIONS_HALF_LIFE_DAYS = env.int("RECOMMENDATIONS_HALF_LIFE_DAYS", default=90)
# Two orders of the same customer this many days apart or less are bought together too (0: off).
RECOMMENDATIONS_CUSTOMER_WINDOW_DAYS = env.int("RECOMMENDATIONS_CUSTOMER_WINDOW_DAYS", default=30)

# ERP imports (integrations.imports): the inbox folder beat polls ("" = no inbox), where each run's
# report and rejected rows are written, and extra folders of profile mapping files.
ERP_INBOX_DIR = env.str("ERP_INBOX_DIR", default="")
ERP_REPORT_DIR = env.str("ERP_REPORT_DIR", default=str(Path(str(MEDIA_ROOT)) / "erp" / "reports"))
ERP_PROFILE_DIRS = env.list("ERP_PROFILE_DIRS", default=[])

# "For you" lists (marketing.selectors) are kept this many seconds per customer (and per cart content
# for guests): the page skips the model's fingerprint and the stock queries. 0: not cached.
RECOMMENDATIONS_FOR_YOU_CACHE_SECONDS = env.int("RECOMMENDATIONS_FOR_YOU_CACHE_SECONDS", default=300)

# --- ERP exports and the nightly order flow (integrations.exports) -----------------------------
# Files for the ERP are written (atomically) to the outbox folder; the ERP's ack files
# (ACK_<batch id>.txt) are read from the ack inbox (default: the ERP inbox folder).
ERP_OUTBOX_DIR = env.path("ERP_OUTBOX_DIR", default=BASE_DIR / "var" / "erp" / "outbox")
ERP_ACK_INBOX_DIR = env.str("ERP_ACK_INBOX_DIR", default="")
# Profiles of the exports (mapping files): these folders first, then integrations/exports/profiles/.
ERP_EXPORT_PROFILES_DIRS = env.list("ERP_EXPORT_PROFILES_DIRS", default=[])
ERP_EXPORT_PROFILE = env.str("ERP_EXPORT_PROFILE", default="generic")
ERP_EXPORT_FORMAT = env.str("ERP_EXPORT_FORMAT", default="csv")
# At most this many documents (orders, cancellations, returns) per order batch file.
ERP_EXPORT_BATCH_SIZE = env.int("ERP_EXPORT_BATCH_SIZE", default=500)
# The order builder looks only above the sales already all exported, never counting as settled a
# sale younger than this: a transaction open that long could still commit a lower event id.
ERP_EXPORT_SETTLE_SECONDS = env.int("ERP_EXPORT_SETTLE_SECONDS", default=3600)
ERP_EXPORT_ORDERS_HOUR = env.int("ERP_EXPORT_ORDERS_HOUR", default=0)
ERP_EXPORT_ORDERS_MINUTE = env.int("ERP_EXPORT_ORDERS_MINUTE", default=0)
ERP_EXPORT_STOCK_MINUTES = env.float("ERP_EXPORT_STOCK_MINUTES", default=15.0)
ERP_ACK_POLL_MINUTES = env.float("ERP_ACK_POLL_MINUTES", default=5.0)
CELERY_BEAT_SCHEDULE["erp-export-orders"] = {
    "task": "integrations.exports.tasks.export_erp_orders",
    "schedule": crontab(hour=ERP_EXPORT_ORDERS_HOUR, minute=ERP_EXPORT_ORDERS_MINUTE),
}
CELERY_BEAT_SCHEDULE["erp-export-stock"] = {
    "task": "integrations.exports.tasks.export_erp_stock",
    "schedule": 60.0 * ERP_EXPORT_STOCK_MINUTES,
}
CELERY_BEAT_SCHEDULE["erp-read-acks"] = {
    "task": "integrations.exports.tasks.read_erp_acks",
    "schedule": 60.0 * ERP_ACK_POLL_MINUTES,
}
CELERY_IMPORTS = [*CELERY_IMPORTS, "integrations.exports.tasks"]

# --- The KPI dashboard (reporting/) ---------------------------------------------------------------
# The weekly PDF summary to managers and store managers: Monday at this hour (local time).
REPORTING_WEEKLY_HOUR = env.int("REPORTING_WEEKLY_HOUR", default=7)
# The stock report (every level of every location against the sales) is computed at most this
# often per scope and parameters, and shows when it was (reporting.selectors.stock); 0 = always fresh.
REPORTING_STOCK_CACHE_SECONDS = env.int("REPORTING_STOCK_CACHE_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["reporting-weekly-summary"] = {
    "task": "reporting.tasks.send_weekly_summaries",
    "schedule": crontab(hour=REPORTING_WEEKLY_HOUR, minute=0, day_of_week=1),
}
if REPORTING_STOCK_CACHE_SECONDS:  # computed before the cached one expires: nobody opens it cold
    CELERY_BEAT_SCHEDULE["reporting-warm-stock"] = {
        "task": "reporting.tasks.warm_stock_reports",
        "schedule": max(REPORTING_STOCK_CACHE_SECONDS * 4 // 5, 10),
    }
CELERY_IMPORTS = [*CELERY_IMPORTS, "reporting.tasks"]

# --- Outgoing webhooks and the ERP webservices (integrations/) -----------------------------------
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)  # one POST, connect + read
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)  # doubles per attempt
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=3600.0)  # longest wait
WEBHOOK_RETRY_HOURS = env.float("WEBHOOK_RETRY_HOURS", default=24.0)  # then the delivery is failed
# Failed attempts in a row (any delivery) after which an endpoint is disabled and staff e-mailed.
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=20)
# Who hears of a disabled endpoint ("" = ADMINS and the active staff and manager users).
WEBHOOK_ALERT_EMAILS = env.list("WEBHOOK_ALERT_EMAILS", default=[])
# A token whose user is in one of these groups (roles) reaches only these API paths (core.auth).
API_TOKEN_PATH_SCOPES: dict[str, list[str]] = {"integration": ["/api/v1/erp/"]}
