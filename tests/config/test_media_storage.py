"""Where uploaded media go (config/media.py): the filesystem by default, S3-compatible object storage
(OVH Object Storage) with MEDIA_STORAGE=s3 and the bucket, endpoint, region, keys and custom domain
from the environment, in Django's STORAGES; nothing imported from django-storages unless asked."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.media import MEDIA_CACHE_CONTROL, media_backend, media_origins, media_storage

ROOT = Path(__file__).resolve().parents[2]
HAS_STORAGES = (
    importlib.util.find_spec("storages") is not None and importlib.util.find_spec("boto3") is not None
)

OVH = {
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "maison-corsica-media",
    "AWS_S3_ENDPOINT_URL": "https://s3.gra.io.cloud.ovh.net",
    "AWS_S3_REGION_NAME": "gra",
    "AWS_ACCESS_KEY_ID": "AKIA-TEST",
    "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
    "AWS_S3_CUSTOM_DOMAIN": "media.maison-corsica.example",
}


def test_the_filesystem_by_default():
    assert media_backend({}) == "filesystem"
    assert media_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert media_storage({"MEDIA_STORAGE": "filesystem", "AWS_STORAGE_BUCKET_NAME": "ignored"}) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert media_origins({}) == []


def test_s3_builds_the_storage_from_the_environment():
    assert media_storage(OVH) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "maison-corsica-media",
            "endpoint_url": "https://s3.gra.io.cloud.ovh.net",
            "region_name": "gra",
            "access_key": "AKIA-TEST",
            "secret_key": "not-a-real-secret",
            "custom_domain": "media.maison-corsica.example",
            "querystring_auth": False,
            "default_acl": "public-read",
            "file_overwrite": False,
            "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
        },
    }
    assert media_origins(OVH) == ["https://media.maison-corsica.example"]


def test_the_short_s3_names_work_too_and_unset_options_are_none():
    options = media_storage(
        {"MEDIA_STORAGE": "S3", "S3_BUCKET": "b", "S3_REGION": "sbg", "S3_DEFAULT_ACL": ""}
    )["OPTIONS"]
    assert options["bucket_name"] == "b" and options["region_name"] == "sbg"
    assert (
        options["endpoint_url"] is None
        and options["custom_domain"] is None
        and options["default_acl"] is None
    )
    assert media_backend({"S3_BUCKET": "b"}) == "s3"  # a bucket alone, as before MEDIA_STORAGE
    assert media_origins({"MEDIA_STORAGE": "s3", "S3_BUCKET": "b", "S3_ENDPOINT_URL": "https://e"}) == [
        "https://e"
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MEDIA_STORAGE": "s3"}, "needs AWS_STORAGE_BUCKET_NAME"),
        ({"MEDIA_STORAGE": "ftp"}, "must be 's3' or 'filesystem'"),
    ],
)
def test_a_wrong_setting_refuses_to_start(env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        media_storage(env)


def _settings(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import json, sys, django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
        "django.setup();"
        "from django.conf import settings as s;"
        "print(json.dumps([s.STORAGES['default'], s.SERVE_MEDIA, s.MEDIA_ORIGINS,"
        " sorted(m for m in sys.modules if m.split('.')[0] in ('storages', 'boto3'))]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDIA_", "AWS_", "S3_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_settings_module_on_the_filesystem_imports_nothing_of_django_storages():
    out = _settings()
    storage, serve_media, origins, imported = json.loads(out.stdout)
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert serve_media is True and origins == [] and imported == []


@pytest.mark.skipif(not HAS_STORAGES, reason="django-storages[s3] is not installed in this virtualenv")
def test_the_settings_module_builds_s3_storages_from_the_environment():
    out = _settings(**OVH)
    storage, serve_media, origins, _imported = json.loads(out.stdout)
    assert storage == json.loads(json.dumps(media_storage(OVH)))
    assert serve_media is False and origins == ["https://media.maison-corsica.example"]


@pytest.mark.skipif(HAS_STORAGES, reason="django-storages[s3] is installed")
def test_asking_for_s3_without_django_storages_refuses_to_start():
    out = _settings(**OVH)
    assert out.returncode != 0 and "install django-storages[s3]" in out.stderr
