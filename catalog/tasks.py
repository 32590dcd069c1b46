"""Thin Celery tasks of the catalog: each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="catalog.tasks.make_image_renditions")
def make_image_renditions(image_id: int) -> int:
    """Queued through the outbox when a photo is uploaded (``images.schedule_renditions``)."""
    from . import images

    return images.make_renditions(image_id).written
