import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """Gapless counters (order, sale, invoice and credit note numbers), used through
    ``core.numbering``. Taken under a row lock inside the transaction that uses the number, so a
    rollback gives the number back and no number is ever used twice."""

    name = models.CharField(max_length=40, unique=True, verbose_name=_("name"))
    last_value = models.PositiveBigIntegerField(default=0, verbose_name=_("last value"))

    class Meta:
        verbose_name_plural = _("number sequences")
        verbose_name = _("number sequence")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"


class IdempotencyRecord(models.Model):
    """The first outcome of an operation that must run once per (scope, key), replayed for any retry.

    ``core.idempotency`` writes it in the same transaction as the operation, so the record exists
    if and only if the operation's effects do. Unique per scope and key: a concurrent attempt with
    the same key waits on the unique index, then replays this outcome. API requests with an
    ``Idempotency-Key`` use the scope ``user:<id>`` (keys are per user); other writers from outside
    (payment webhooks, ERP file rows, POS sync) choose their own scope.
    """

    scope = models.CharField(max_length=100, verbose_name=_("scope"))
    key = models.CharField(max_length=255, verbose_name=_("key"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    method = models.CharField(max_length=10, blank=True, verbose_name=_("method"))
    path = models.CharField(max_length=2000, blank=True, verbose_name=_("path"))
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of what was asked: the same key with another request is refused."),
        verbose_name=_("fingerprint"),
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("status code"))
    response_json = models.TextField(
        blank=True,
        help_text=_("The outcome exactly as first given (JSON, key order included)."),
        verbose_name=_("response JSON"),
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")]

    def __str__(self) -> str:
        return f"{self.scope} [{self.key}] -> {self.status_code}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """A Celery task owed by a committed write: the transactional outbox (``core.outbox``).

    Written in the same transaction as the write (``outbox.enqueue``), so it exists if and only if
    the write does; relayed to the broker after commit and by the relay loop, retried with backoff
    while the broker is down. The relay marks it ``sent``; the task side stamps ``delivered_at``
    when the task ran to the end, so a message published twice runs once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    task_name = models.CharField(max_length=200, verbose_name=_("task name"))
    kwargs = models.JSONField(default=dict, blank=True, verbose_name=_("arguments"))
    key = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Optional: a second message with the same key is not written."),
        verbose_name=_("key"),
    )
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING, verbose_name=_("status")
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt at"))
    last_error = models.CharField(max_length=500, blank=True, verbose_name=_("last error"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    # The task side (``core.outbox.OutboxTask``): a claim while the task runs, then delivered.
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed at"))
    claim_retries = models.PositiveIntegerField(default=0, verbose_name=_("claim retries"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))

    class Meta:
        verbose_name_plural = _("outbox messages")
        verbose_name = _("outbox message")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending_due",
            ),
            models.Index(fields=["status", "sent_at"], name="outbox_status_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} [{self.status}] {self.pk}"
