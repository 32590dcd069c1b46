from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an ``Idempotency-Key``, replayed for any retry.

    Written in the same transaction as the operation it answers (``core.idempotency``), so the
    record exists if and only if the operation's effects do. Unique per user and key: a concurrent
    request with the same key waits on the unique index, then replays this answer.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    fingerprint = models.CharField(
        max_length=64,
        help_text=_("SHA-256 of the method, path and body: another body with this key is a 422."),
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_json = models.TextField(
        blank=True, help_text=_("The response body exactly as first sent, key order included.")
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}] -> {self.status_code}"
