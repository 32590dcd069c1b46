"""Where uploaded media (product photos, their renditions, blog covers) are stored: the ``default``
entry of Django's ``STORAGES``, built from the environment by ``media_storage``.

``MEDIA_STORAGE=filesystem`` (the default): ``FileSystemStorage`` under ``MEDIA_ROOT``.
``MEDIA_STORAGE=s3``: an S3-compatible object storage through django-storages (``storages.backends.
s3.S3Storage``: OVH Object Storage, Scaleway, MinIO, AWS). Its settings, each under django-storages'
own ``AWS_*`` name or the shorter ``S3_*`` one:

- ``AWS_STORAGE_BUCKET_NAME`` / ``S3_BUCKET`` (required);
- ``AWS_S3_ENDPOINT_URL`` / ``S3_ENDPOINT_URL``: OVH ``https://s3.<region>.io.cloud.ovh.net``;
- ``AWS_S3_REGION_NAME`` / ``S3_REGION``: OVH e.g. ``gra``;
- ``AWS_ACCESS_KEY_ID`` / ``S3_ACCESS_KEY`` and ``AWS_SECRET_ACCESS_KEY`` / ``S3_SECRET_KEY``;
- ``AWS_S3_CUSTOM_DOMAIN`` / ``S3_CUSTOM_DOMAIN``: a CDN or the bucket's public host for the URLs;
- ``AWS_DEFAULT_ACL`` / ``S3_DEFAULT_ACL`` (``public-read``; empty: the bucket's policy).

A set bucket without ``MEDIA_STORAGE`` also means ``s3`` (the older ``S3_BUCKET`` switch). This
module imports nothing from django-storages: the backend is a dotted path Django imports only when
the storage is first used, so the filesystem setup needs neither django-storages nor boto3.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"
# Renditions have content-hashed names: kept a year, never revalidated.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"


def _first(env: Mapping[str, str], *names: str) -> str:
    return next((env[name].strip() for name in names if env.get(name, "").strip()), "")


def media_backend(env: Mapping[str, str]) -> str:
    """``"s3"`` or ``"filesystem"``, from ``MEDIA_STORAGE`` (or a bucket being set)."""
    kind = env.get("MEDIA_STORAGE", "").strip().lower()
    if not kind:
        kind = "s3" if _first(env, "AWS_STORAGE_BUCKET_NAME", "S3_BUCKET") else "filesystem"
    if kind not in ("s3", "filesystem"):
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be 's3' or 'filesystem', not {kind!r}")
    return kind


def media_storage(env: Mapping[str, str]) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry for this environment (see the module docstring)."""
    if media_backend(env) == "filesystem":
        return {"BACKEND": FILESYSTEM_BACKEND}
    bucket = _first(env, "AWS_STORAGE_BUCKET_NAME", "S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (or S3_BUCKET)")
    acl = (
        _first(env, "AWS_DEFAULT_ACL", "S3_DEFAULT_ACL")
        if any(name in env for name in ("AWS_DEFAULT_ACL", "S3_DEFAULT_ACL"))
        else "public-read"
    )
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": _first(env, "AWS_S3_ENDPOINT_URL", "S3_ENDPOINT_URL") or None,
            "region_name": _first(env, "AWS_S3_REGION_NAME", "S3_REGION") or None,
            "access_key": _first(env, "AWS_ACCESS_KEY_ID", "S3_ACCESS_KEY") or None,
            "secret_key": _first(env, "AWS_SECRET_ACCESS_KEY", "S3_SECRET_KEY") or None,
            "custom_domain": _first(env, "AWS_S3_CUSTOM_DOMAIN", "S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,  # public product photos: plain, cacheable URLs
            "default_acl": acl or None,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
        },
    }


def media_origins(env: Mapping[str, str]) -> list[str]:
    """The origins the pages load photos from, for the Content-Security-Policy's ``img-src``: none
    beyond our own on the filesystem; the custom domain, else the endpoint, else any HTTPS host (AWS's
    per-bucket hosts) with object storage."""
    if media_backend(env) == "filesystem":
        return []
    domain = _first(env, "AWS_S3_CUSTOM_DOMAIN", "S3_CUSTOM_DOMAIN")
    return [
        f"https://{domain}" if domain else _first(env, "AWS_S3_ENDPOINT_URL", "S3_ENDPOINT_URL") or "https:"
    ]
