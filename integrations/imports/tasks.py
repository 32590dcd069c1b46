"""Celery tasks of the ERP imports: a queued admin upload, and the inbox poller (beat)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="integrations.imports.tasks.run_erp_import")
def run_erp_import(run_id: int) -> str:
    from .models import ImportRun, ImportStatus
    from .services import run_import

    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportStatus.QUEUED:
        return run.status  # delivered twice: the first delivery did it
    return run_import(run=run).summary


@shared_task(name="integrations.imports.tasks.poll_erp_inbox")
def poll_erp_inbox() -> int:
    from .services import process_inbox

    return len(process_inbox())
