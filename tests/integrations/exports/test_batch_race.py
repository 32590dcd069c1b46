"""Builders racing (a beat run and a manual ``erp_export orders``): every order in exactly one
batch. Real threads, PostgreSQL."""

from __future__ import annotations

import pytest

from integrations.exports import services
from integrations.exports.models import ExportedDocument, OrderBatch
from tests.concurrency import in_threads

from .conftest import till_sale

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_builders_at_once_put_every_order_in_exactly_one_batch(shop, erp_dirs, settings):
    settings.ERP_EXPORT_BATCH_SIZE = 3
    sales = [till_sale(shop, [("TEE", 1)], [("cash", "12.50")]) for _ in range(8)]

    def build_until_empty(i: int) -> list[int]:
        built = []
        while (batch := services.build_order_batch()) is not None:
            built.append(batch.pk)
        return built

    results = in_threads(4, build_until_empty)

    built = sorted(pk for ids in results for pk in ids)
    assert built == list(OrderBatch.objects.order_by("id").values_list("id", flat=True))
    assert len(built) == 3  # 3 + 3 + 2
    keys = list(ExportedDocument.objects.values_list("document_key", flat=True))
    assert sorted(keys) == sorted(f"order:{s.pk}" for s in sales)
    assert len(keys) == len(set(keys))
