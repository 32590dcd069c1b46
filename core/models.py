from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """Gapless counters (order, sale, invoice and credit note numbers), used through
    ``core.numbering``. Taken under a row lock inside the transaction that uses the number, so a
    rollback gives the number back and no number is ever used twice."""

    name = models.CharField(max_length=40, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
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

    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=2000, blank=True)
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of what was asked: the same key with another request is refused."),
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_json = models.TextField(
        blank=True, help_text=_("The outcome exactly as first given (JSON, key order included).")
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")]

    def __str__(self) -> str:
        return f"{self.scope} [{self.key}] -> {self.status_code}"
