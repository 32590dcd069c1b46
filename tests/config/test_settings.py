import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER", "XDIST_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_profile_passes_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="k" * 20 + "-a-long-random-production-secret-with-entropy-9f8e7d6c",
        DJANGO_ALLOWED_HOSTS="shop.example.com",
        DATABASE_URL="postgres://omni@db.example.com:5432/omni",
        REDIS_URL="redis://cache.example.com:6379/0",
        # production refuses the console e-mail and SMS backends (marketing.E001, E002)
        EMAIL_URL="anymail+postmark://postmark-server-token@",
        ANYMAIL_WEBHOOK_SECRET="postmark:webhook-secret",
        SMS_BACKEND="core.sms.backends.http.SmsBackend",
        SMS_TWILIO_ACCOUNT_SID="AC0123456789abcdef0123456789abcdef",
        SMS_TWILIO_AUTH_TOKEN="twilio-auth-token",
        SMS_TWILIO_FROM="+33700000001",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_ENV="production", DJANGO_ALLOWED_HOSTS="shop.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_embedded_defaults_need_nothing_installed():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'],"
        " s.CACHES['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER", "XDIST_"))
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_redis_url_switches_channel_layer_cache_and_broker():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.CHANNEL_LAYERS['default']['BACKEND'], s.CACHES['default']['BACKEND'], s.CELERY_BROKER_URL,"
        " s.CELERY_TASK_ALWAYS_EAGER, s.DATABASES['default']['ENGINE'])"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER", "XDIST_"))
    }
    env = {**clean, "REDIS_URL": "redis://r.example:6379/3", "DATABASE_URL": "postgres://u@h:5432/d"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == [
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        "core.cache.ResilientRedisCache",
        "redis://r.example:6379/3",
        "False",
        "django.db.backends.postgresql",
    ]


def test_db_pool_gives_the_web_process_a_connection_pool_instead_of_persistent_connections():
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['OPTIONS']['pool']['max_size'])"
    )
    pooled = _manage(
        "shell", "--no-imports", "-c", code, DATABASE_URL="postgres://omni@db.example.com/omni", DB_POOL="1"
    )
    plain = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['CONN_MAX_AGE'])",
        DATABASE_URL="postgres://omni@db.example.com/omni",
    )

    assert pooled.stdout.split() == ["0", "10"], pooled.stderr
    assert plain.stdout.split() == ["60"], plain.stderr
