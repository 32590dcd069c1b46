"""Run an ERP import: read the file (``reader``), map its columns (``profiles``), hand the rows to the
kind's handler a chunk at a time (``kinds``), keep the run, its report and its rejected rows.

``run_import`` is what the command, the admin's Celery task and the inbox poller call. Each chunk
(or stock row) commits on its own: a crash half-way leaves the chunks before it applied, and running
the same file again finishes the job (every write is an upsert by key, so nothing doubles). A dry
run does everything inside one transaction that is rolled back: its counts say what would change.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from .base import ChunkResult, Context, Handler, Reject, Row
from .kinds.customers import CustomersHandler
from .kinds.products import ProductsHandler
from .kinds.stock import StockHandler
from .models import ImportRejection, ImportRun, ImportSource, ImportStatus
from .profiles import Profile, UnknownProfile, detect_profile, get_profile
from .reader import Record, UnreadableFile, inspect_file, read_records

HANDLERS: dict[str, type[Handler]] = {
    "products": ProductsHandler,
    "stock": StockHandler,
    "customers": CustomersHandler,
}
EXIT_OK, EXIT_UNREADABLE, EXIT_REJECTS = 0, 2, 3
MAX_STORED_REJECTIONS = 10_000  # every rejection is in the rejects file; the table keeps the first ones


class _DryRunRollback(Exception):
    pass


def _register_late_handlers() -> None:
    from .kinds.orders import OrdersHandler
    from .kinds.prices import PricesHandler

    HANDLERS.setdefault("prices", PricesHandler)
    HANDLERS.setdefault("orders", OrdersHandler)


def report_dir() -> Path:
    return Path(getattr(settings, "ERP_REPORT_DIR", Path(settings.MEDIA_ROOT) / "erp" / "reports"))


def exit_code(run: ImportRun) -> int:
    if run.status == ImportStatus.FAILED:
        return EXIT_UNREADABLE
    return EXIT_REJECTS if run.rejected else EXIT_OK


def create_run(
    *, kind: str, path: Path, profile: str = "", dry_run: bool = False, source: str = ImportSource.COMMAND,
    user_id: int | None = None, file_name: str = "",
) -> ImportRun:  # fmt: skip
    """A queued run (the admin shows it at once; ``run_import`` does the work)."""
    _register_late_handlers()
    if kind not in HANDLERS:
        raise ValueError(f"unknown kind {kind!r} (one of {', '.join(sorted(HANDLERS))})")
    if profile:
        get_profile(profile)  # UnknownProfile now rather than in the worker
    return ImportRun.objects.create(
        kind=kind,
        profile=profile,
        source=source,
        file_name=(file_name or path.name)[:255],
        file_path=str(path)[:500],
        dry_run=dry_run,
        user_id=user_id,
    )


def run_import(*, run: ImportRun, write_files: bool = True) -> ImportRun:
    """Do the run: everything ends in ``run`` (counts, status, report, rejections) and, with
    ``write_files``, in ``<ERP_REPORT_DIR>/<id>-<file>.report.txt`` and ``.rejects.csv``."""
    _register_late_handlers()
    started = time.monotonic()
    run.status, run.started_at = ImportStatus.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    path = Path(run.file_path)
    rejects_file = None
    writer = None
    if write_files:
        directory = report_dir()
        directory.mkdir(parents=True, exist_ok=True)
        stem = f"{run.pk:06d}-{Path(run.file_name).stem}"
        run.report_path = str(directory / f"{stem}.report.txt")
        run.rejects_path = str(directory / f"{stem}.rejects.csv")
        rejects_file = Path(run.rejects_path).open("w", encoding="utf-8", newline="")  # noqa: SIM115
        writer = csv.writer(rejects_file, delimiter=";")
        writer.writerow(["line", "column", "value", "reason"])
    stored: list[ImportRejection] = []
    try:
        info = inspect_file(path)
        run.file_sha256, run.file_size, run.encoding = info.sha256, info.size, info.encoding
        run.separator, run.total_lines = info.separator, info.lines
        run.save(update_fields=["file_sha256", "file_size", "encoding", "separator", "total_lines"])
        records = read_records(info)
        profile, first = _choose_profile(run, records)
        handler = HANDLERS[run.kind](Context(run_id=run.pk, user_id=run.user_id))
        if first is None:
            raise UnreadableFile("no row after the header")
        columns = profile.map_row(run.kind, first.values)
        missing = [c for c in handler.required_columns if first.values and c not in columns]
        if missing:
            raise UnreadableFile(
                f"column {', '.join(missing)} missing (profile {profile.name}; columns: "
                f"{', '.join(first.values)})"
            )
        run.profile = profile.name

        def record_rejects(rejects: list[Reject]) -> None:
            for reject in rejects:
                if writer is not None:
                    writer.writerow([reject.line, reject.column, reject.value, reject.reason])
                if len(stored) < MAX_STORED_REJECTIONS:
                    stored.append(
                        ImportRejection(
                            run_id=run.pk, line=reject.line, column=reject.column[:80],
                            value=reject.value[:200], reason=reject.reason[:300],
                        )
                    )  # fmt: skip

        def account(result: ChunkResult, rows: int, last_line: int) -> None:
            result.rejects.sort(key=lambda r: r.line)
            run.rows_read += rows
            run.created += result.created
            run.updated += result.updated
            run.unchanged += result.unchanged
            run.rejected += len(result.rejects)
            run.lines_done = max(run.lines_done, last_line)
            record_rejects(result.rejects)
            if not run.dry_run:
                ImportRun.objects.filter(pk=run.pk).update(
                    rows_read=run.rows_read, created=run.created, updated=run.updated,
                    unchanged=run.unchanged, rejected=run.rejected, lines_done=run.lines_done,
                )  # fmt: skip
                if stored:
                    ImportRejection.objects.bulk_create(stored)
                    stored.clear()

        def process() -> None:
            chunks = _chunks(_with_first(first, records), profile, run.kind, handler.chunk_size)
            for chunk, read_errors, last_line in chunks:
                result = handler.apply(chunk) if chunk else ChunkResult()
                result.rejects.extend(read_errors)
                account(result, len(chunk) + len(read_errors), last_line)
            account(handler.finish(), 0, run.lines_done)

        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            if run.dry_run:
                try:
                    with transaction.atomic():
                        process()
                        raise _DryRunRollback
                except _DryRunRollback:
                    pass
            else:
                process()
        if stored:
            ImportRejection.objects.bulk_create(stored)
        run.status = ImportStatus.DONE_WITH_REJECTS if run.rejected else ImportStatus.DONE
    except (UnreadableFile, UnknownProfile) as exc:
        run.status, run.error = ImportStatus.FAILED, str(exc)
    finally:
        if rejects_file is not None:
            rejects_file.close()
    run.finished_at = timezone.now()
    run.report = _report(run, time.monotonic() - started)
    if run.report_path:
        Path(run.report_path).write_text(run.report + "\n", encoding="utf-8")
    run.save()
    return run


def _choose_profile(run: ImportRun, records: Iterator[Record]) -> tuple[Profile, Record | None]:
    """The run's profile (named, or detected from the first row's columns) and that first row."""
    first = next(records, None)
    if run.profile:
        return get_profile(run.profile), first
    headers = list(first.values) if first is not None else []
    return detect_profile(run.kind, headers), first


def _with_first(first: Record | None, records: Iterator[Record]) -> Iterator[Record]:
    if first is not None:
        yield first
    yield from records


def _chunks(
    records: Iterator[Record], profile: Profile, kind: str, size: int
) -> Iterator[tuple[list[Row], list[Reject], int]]:
    rows: list[Row] = []
    errors: list[Reject] = []
    last = 0
    for record in records:
        last = max(last, record.line)
        if record.error:
            errors.append(Reject(record.line, record.column, record.error))
        else:
            rows.append(Row(record.line, profile.map_row(kind, record.values)))
        if len(rows) + len(errors) >= size:
            yield rows, errors, last
            rows, errors = [], []
    if rows or errors:
        yield rows, errors, last


def _report(run: ImportRun, seconds: float) -> str:
    previous = (
        ImportRun.objects.filter(file_sha256=run.file_sha256, kind=run.kind, dry_run=False)
        .exclude(pk=run.pk)
        .order_by("-pk")
        .values_list("pk", "created_at")
        .first()
        if run.file_sha256
        else None
    )
    lines = [
        f"ERP import #{run.pk}: {run.kind} from {run.file_name}{' (dry run)' if run.dry_run else ''}",
        f"file: sha256 {run.file_sha256 or '-'}, {run.file_size} bytes, {run.encoding or '-'}"
        + (f", separator {run.separator!r}" if run.separator else ""),
        f"profile: {run.profile or '-'}",
        f"status: {run.get_status_display()}",
    ]
    if previous:
        when = (
            timezone.localtime(previous[1]).strftime("%d/%m/%Y %H:%M")
            if isinstance(previous[1], dt.datetime)
            else ""
        )
        lines.append(f"the same file was imported by run #{previous[0]} ({when})")
    if run.error:
        lines.append(f"error: {run.error}")
    rate = run.rows_read / seconds if seconds > 0 else 0.0
    lines.append(f"rows: {run.rows_read} in {seconds:.2f} s ({rate:.0f} rows/s)")
    if run.rejects_path and run.rejected:
        lines.append(f"rejected rows: {run.rejects_path}")
    lines.append(run.summary)
    return "\n".join(lines)


# --- the admin's upload and the inbox -----------------------------------------------------------


def preview_rows(*, run: ImportRun, limit: int = 10) -> list[tuple[int, dict[str, str]]]:
    """The first rows of a run's file as the import reads them (generic field names)."""
    from .reader import read_text_sample

    try:
        info = inspect_file(Path(run.file_path))
        profile = get_profile(run.profile) if run.profile else get_profile("generic")
        return [
            (r.line, profile.map_row(run.kind, r.values))
            for r in read_text_sample(info, limit)
            if not r.error
        ]
    except (UnreadableFile, UnknownProfile):
        return []


def start_import(*, dry_run_of: ImportRun, user_id: int | None) -> ImportRun:
    """The real run of a previewed upload, queued for a Celery worker (through the outbox)."""
    from core import outbox

    from . import tasks

    with transaction.atomic():
        run = create_run(
            kind=dry_run_of.kind, path=Path(dry_run_of.file_path), profile=dry_run_of.profile,
            source=ImportSource.ADMIN, user_id=user_id, file_name=dry_run_of.file_name,
        )  # fmt: skip
        outbox.enqueue(tasks.run_erp_import, key=f"erp-import:{run.pk}", run_id=run.pk)
    return run


def inbox_dir() -> Path | None:
    value = getattr(settings, "ERP_INBOX_DIR", "")
    return Path(value) if value else None


def process_inbox(*, inbox: Path | None = None, settle_seconds: float = 2.0) -> list[ImportRun]:
    """Import every file waiting in ``<inbox>/<kind>/`` (oldest first), then move it with its report
    and rejects to ``<inbox>/done/<kind>/`` (or ``failed/`` when it could not be read at all)."""
    _register_late_handlers()
    inbox = inbox or inbox_dir()
    if inbox is None or not inbox.is_dir():
        return []
    runs: list[ImportRun] = []
    now = time.time()
    for kind in sorted(HANDLERS):
        folder = inbox / kind
        if not folder.is_dir():
            continue
        files = [
            p
            for p in folder.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in (".csv", ".xml", ".txt")
            and now - p.stat().st_mtime >= settle_seconds  # still being written otherwise
        ]  # fmt: skip
        for path in sorted(files, key=lambda p: p.stat().st_mtime):
            run = run_import(run=create_run(kind=kind, path=path, source=ImportSource.INBOX))
            target = inbox / ("failed" if run.status == ImportStatus.FAILED else "done") / kind
            target.mkdir(parents=True, exist_ok=True)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            moved = target / f"{stamp}-{path.name}"
            path.rename(moved)
            (target / f"{moved.name}.report.txt").write_text(run.report + "\n", encoding="utf-8")
            if run.rejects_path and Path(run.rejects_path).exists():
                (target / f"{moved.name}.rejects.csv").write_bytes(Path(run.rejects_path).read_bytes())
            ImportRun.objects.filter(pk=run.pk).update(file_path=str(moved))
            runs.append(run)
    return runs
