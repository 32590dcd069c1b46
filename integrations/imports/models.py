"""Every import run (command, admin upload, inbox) with its file's hash, its counts and its report,
and each rejected row with its line, column and reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PRODUCTS = "products", _("Products and variants")
    STOCK = "stock", _("Stock counts")
    PRICES = "prices", _("B2B prices")
    CUSTOMERS = "customers", _("Customers")
    ORDERS = "orders", _("Order history")


class ImportSource(models.TextChoices):
    COMMAND = "command", _("Command line")
    ADMIN = "admin", _("Admin upload")
    INBOX = "inbox", _("Inbox folder")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    DONE_WITH_REJECTS = "rejects", _("Done, rows rejected")
    FAILED = "failed", _("File unreadable")


class ImportRun(models.Model):
    kind = models.CharField(max_length=16, choices=ImportKind.choices, verbose_name=_("kind"))
    profile = models.CharField(max_length=40, blank=True, verbose_name=_("profile"))
    source = models.CharField(
        max_length=10, choices=ImportSource.choices, default=ImportSource.COMMAND, verbose_name=_("source")
    )
    file_name = models.CharField(max_length=255, verbose_name=_("file name"))
    file_path = models.CharField(
        max_length=500, blank=True, help_text=_("Where the file was read from."), verbose_name=_("file path")
    )
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True, verbose_name=_("file SHA-256"))
    file_size = models.PositiveBigIntegerField(default=0, verbose_name=_("file size"))
    encoding = models.CharField(max_length=16, blank=True, verbose_name=_("encoding"))
    separator = models.CharField(max_length=4, blank=True, verbose_name=_("separator"))
    dry_run = models.BooleanField(default=False, verbose_name=_("dry run"))
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED, verbose_name=_("status")
    )
    total_lines = models.PositiveIntegerField(
        default=0, help_text=_("Lines in the file (progress)."), verbose_name=_("total lines")
    )
    lines_done = models.PositiveIntegerField(
        default=0, help_text=_("Lines processed so far (progress)."), verbose_name=_("lines done")
    )
    rows_read = models.PositiveIntegerField(default=0, verbose_name=_("rows read"))
    created = models.PositiveIntegerField(default=0, verbose_name=_("created"))
    updated = models.PositiveIntegerField(default=0, verbose_name=_("updated"))
    unchanged = models.PositiveIntegerField(default=0, verbose_name=_("unchanged"))
    rejected = models.PositiveIntegerField(default=0, verbose_name=_("rejected"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    report = models.TextField(blank=True, verbose_name=_("report"))
    report_path = models.CharField(max_length=500, blank=True, verbose_name=_("report path"))
    rejects_path = models.CharField(max_length=500, blank=True, verbose_name=_("rejects path"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ERP import")
        verbose_name_plural = _("ERP imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def summary(self) -> str:
        counts = (("created", self.created), ("updated", self.updated), ("unchanged", self.unchanged))
        return " ".join(f"{name}={value}" for name, value in (*counts, ("rejected", self.rejected)))

    @property
    def progress_percent(self) -> int:
        if self.status in (ImportStatus.DONE, ImportStatus.DONE_WITH_REJECTS, ImportStatus.FAILED):
            return 100
        if not self.total_lines:
            return 0
        return min(99, int(self.lines_done * 100 / self.total_lines))


class ImportRejection(models.Model):
    run = models.ForeignKey(
        ImportRun, on_delete=models.CASCADE, related_name="rejections", verbose_name=_("run")
    )
    line = models.PositiveIntegerField(verbose_name=_("line"))
    column = models.CharField(max_length=80, blank=True, verbose_name=_("column"))
    value = models.CharField(max_length=200, blank=True, verbose_name=_("value"))
    reason = models.CharField(max_length=300, verbose_name=_("reason"))

    class Meta:
        verbose_name = _("import rejection")
        verbose_name_plural = _("import rejections")
        ordering = ["run", "line", "id"]
        indexes = [models.Index(fields=["run", "line"])]

    def __str__(self) -> str:
        return f"line {self.line} {self.column}: {self.reason}"
