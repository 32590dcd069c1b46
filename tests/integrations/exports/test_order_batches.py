"""The nightly order flow: what a batch says, built once, sent until acknowledged, re-sent as the
same bytes, capped, and never half written."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from integrations.exports import services
from integrations.exports.models import BatchStatus, ExportedDocument, OrderBatch
from orders import services as order_services
from orders.models import OrderStatus
from orders.services import LineQuantity
from tests.factories import UserFactory
from tests.logistics.shop import make_coupon

from .conftest import till_return, till_sale, web_order
from .support import csv_rows, summary

pytestmark = pytest.mark.django_db

D = Decimal


def batch_orders(batch: OrderBatch) -> list[str]:
    return list(batch.documents.order_by("position").values_list("document_key", flat=True))


def test_a_web_order_with_a_coupon_then_its_cancellation_and_till_return_in_later_batches(shop, erp_dirs):
    make_coupon("TEN", "10")
    ana = UserFactory(email="ana@example.com")
    order = web_order((shop.tee, 2), (shop.mug, 1), user=ana, coupon_code="TEN")
    sale = till_sale(shop, [("TEE", 1)], [("card", "5.00"), ("cash", "10.00")])  # 2.50 change
    web_order((shop.tee, 1), pay=False)  # placed, never paid: never exported

    first = services.build_order_batch()

    assert first.status == BatchStatus.BUILT and first.file_name == f"ORDERS_{first.pk:08d}.csv"
    assert batch_orders(first) == [f"order:{order.pk}", f"order:{sale.pk}"]
    assert (first.order_count, first.document_count) == (2, 2)
    assert first.content_hash == hashlib.sha256(bytes(first.content)).hexdigest()
    w, s = order.number, sale.number
    ok, sk = f"order:{order.pk}", f"order:{sale.pk}"
    payment = order.payments.get()
    assert summary(bytes(first.content)) == [
        ("ORDER", ok, w, "", "", "3.10", "TEN", "35.80", "", "paid"),
        ("LINE", ok, w, "TEE", "2", "2.50", "TEN", "22.50", "", ""),
        ("LINE", ok, w, "MUG", "1", "0.60", "TEN", "5.40", "", ""),
        ("SHIPPING", ok, w, "", "", "", "", "7.90", "", ""),
        ("PAYMENT", ok, w, "", "", "", "", "35.80", "test", "captured"),
        ("ORDER", sk, s, "", "", "0.00", "", "12.50", "", "completed"),
        ("LINE", sk, s, "TEE", "1", "0.00", "", "12.50", "", ""),
        ("PAYMENT", sk, s, "", "", "", "", "5.00", "card", "captured"),
        ("PAYMENT", sk, s, "", "", "", "", "7.50", "cash", "captured"),
    ]
    rows = csv_rows(bytes(first.content))
    assert rows[1]["unit_price_ht"] == "10.4150" and rows[1]["unit_price_ttc"] == "12.50"
    assert rows[1]["vat_rate"] == "0.2000" and rows[0]["customer_code"] == f"C{ana.pk}"
    assert rows[4]["reference"] == payment.capture_reference and rows[3]["reference"] == "colissimo"
    assert rows[5]["store"] == "AJA" and rows[0]["store"] == "WEB"
    services.send_batch(batch_id=first.pk)

    # later: one tee cancelled before shipping, then the mug brought back to the Ajaccio till
    tee = order.lines.get(sku="TEE")
    action = order_services.cancel_order(
        order=order, lines=[LineQuantity(tee.pk, 1)], user=None, reason="late"
    )
    order = order_services.transition_order(order=order, to_status=OrderStatus.SHIPPED)
    order = order_services.transition_order(order=order, to_status=OrderStatus.COMPLETED)
    ret = till_return(shop, order, [("MUG", 1)])

    second = services.build_order_batch()

    assert batch_orders(second) == [f"action:{action.pk}", f"return:{ret.pk}"]
    assert (second.order_count, second.document_count) == (0, 2)
    ak, rk = f"action:{action.pk}", f"return:{ret.pk}"
    assert summary(bytes(second.content)) == [
        ("CANCEL", ak, w, "", "", "", "", "11.25", "original", ""),
        ("CANCEL_LINE", ak, w, "TEE", "1", "", "", "11.25", "", ""),
        ("REFUND_PAYMENT", ak, w, "", "", "", "", "11.25", "test", "pending"),
        ("TILL_RETURN", rk, w, "", "", "", "", "5.40", "original", ""),
        ("TILL_RETURN_LINE", rk, w, "MUG", "1", "", "", "5.40", "", "resellable"),
        ("TILL_RETURN_REFUND", rk, w, "", "", "", "", "5.40", "online", ""),
    ]
    # the return's own after-sales rows (goods back, online refund) are inside the till return
    assert order.actions.count() == 3
    assert services.build_order_batch() is None
    assert OrderBatch.objects.count() == 2


def test_sage100_and_xml_speak_the_erp_columns_with_a_decimal_comma(shop, erp_dirs):
    till_sale(shop, [("TEE", 1)], [("card", "12.50")])

    batch = services.build_order_batch(profile="sage100")
    rows = csv_rows(bytes(batch.content))
    assert [(r["DO_Type"], r["AR_Ref"], r["DL_MontantTTC"], r["DL_Taxe1"]) for r in rows] == [
        ("ORDER", "", "12,50", ""),
        ("LINE", "TEE", "12,50", "0,2000"),
        ("PAYMENT", "", "12,50", ""),
    ]
    assert rows[0]["DO_Date"][2] == "/"  # dd/mm/yyyy

    till_sale(shop, [("MUG", 1)], [("cash", "6.00")])
    xml = bytes(services.build_order_batch(profile="cegid", file_format="xml").content).decode()
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<orders batch="')
    assert '<document key="order:' in xml and '<record type="LINE">' in xml
    assert "<GL_CODEARTICLE>MUG</GL_CODEARTICLE>" in xml and "<GL_MONTANTTTC>6,00</GL_MONTANTTTC>" in xml


def test_an_unacknowledged_batch_is_sent_again_as_the_same_bytes_never_rebuilt(shop, erp_dirs):
    sale = till_sale(shop, [("TEE", 2)], [("card", "25.00")])
    result = services.export_orders()
    batch = OrderBatch.objects.get(pk=result.built[0])
    path = erp_dirs.outbox / batch.file_name
    sent = path.read_bytes()
    assert sent == bytes(batch.content) and (batch.status, batch.attempts) == (BatchStatus.SENT, 1)

    # the ERP lost the file; meanwhile the sale was partly returned and a new sale came
    path.unlink()
    ret = till_return(shop, sale, [("TEE", 1)])
    other = till_sale(shop, [("MUG", 1)], [("cash", "6.00")])

    again = services.export_orders()

    assert again.resent == [batch.pk]
    batch.refresh_from_db()
    assert path.read_bytes() == sent and hashlib.sha256(sent).hexdigest() == batch.content_hash
    assert (batch.status, batch.attempts) == (BatchStatus.SENT, 2)
    assert batch_orders(batch) == [f"order:{sale.pk}"]
    newer = OrderBatch.objects.get(pk=again.built[0])
    assert batch_orders(newer) == [f"order:{other.pk}", f"return:{ret.pk}"]
    assert not list(erp_dirs.outbox.glob(".tmp-*"))

    services.acknowledge_batch(batch_id=batch.pk, via="api")
    assert services.export_orders().resent == [newer.pk]  # acknowledged: not sent again


def test_a_peak_becomes_several_capped_batches(shop, erp_dirs, settings):
    settings.ERP_EXPORT_BATCH_SIZE = 2
    sales = [till_sale(shop, [("TEE", 1)], [("cash", "12.50")]) for _ in range(5)]

    result = services.export_orders()

    batches = list(OrderBatch.objects.order_by("id"))
    assert [b.pk for b in batches] == result.built
    assert [b.order_count for b in batches] == [2, 2, 1]
    assert [key for b in batches for key in batch_orders(b)] == [f"order:{s.pk}" for s in sales]
    assert sorted(p.name for p in erp_dirs.outbox.iterdir()) == [b.file_name for b in batches]
    cursors = [(b.cursor_from, b.cursor_to) for b in batches]
    assert cursors == sorted(cursors) and all(a <= b for a, b in cursors)


def test_the_builder_skips_settled_sales_and_never_settles_a_young_one(shop, erp_dirs, settings):
    """After a batch, the stream's settled mark sits just below the first sale still waiting, never
    above a sale younger than ERP_EXPORT_SETTLE_SECONDS (while a transaction may still commit a lower
    event id); the next build reads only what lies above the mark."""
    from datetime import timedelta

    from django.utils import timezone

    from integrations.exports.models import ExportStream
    from orders.models import OrderStatusChange

    settings.ERP_EXPORT_BATCH_SIZE = 2
    sales = [till_sale(shop, [("TEE", 1)], [("cash", "12.50")]) for _ in range(3)]
    event = {s.pk: OrderStatusChange.objects.filter(order=s).order_by("id").first() for s in sales}
    OrderStatusChange.objects.filter(pk__in=[e.pk for e in event.values()]).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    first = services.build_order_batch()
    stream = ExportStream.objects.get()
    assert batch_orders(first) == [f"order:{sales[0].pk}", f"order:{sales[1].pk}"]
    assert stream.settled == event[sales[2].pk].pk - 1  # below the sale still waiting

    services.build_order_batch()
    assert ExportStream.objects.get().settled == event[sales[2].pk].pk  # all three exported

    settings.ERP_EXPORT_SETTLE_SECONDS = 3600
    young = till_sale(shop, [("TEE", 1)], [("cash", "12.50")])  # minutes old: never settled past
    batch = services.build_order_batch()
    assert batch_orders(batch) == [f"order:{young.pk}"]
    assert ExportStream.objects.get().settled == event[sales[2].pk].pk
    assert services.build_order_batch() is None


def test_a_crash_while_building_leaves_no_half_batch_and_a_rerun_builds_it(shop, erp_dirs, monkeypatch):
    sale = till_sale(shop, [("TEE", 1)], [("cash", "12.50")])

    def crash(**kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(services, "render", crash)
        with pytest.raises(RuntimeError):
            services.export_orders()

    assert OrderBatch.objects.count() == 0 and ExportedDocument.objects.count() == 0
    assert not erp_dirs.outbox.exists() or not list(erp_dirs.outbox.iterdir())

    result = services.export_orders()
    batch = OrderBatch.objects.get()
    assert result.built == [batch.pk] and batch_orders(batch) == [f"order:{sale.pk}"]


def test_a_crash_while_writing_the_file_leaves_the_batch_built_and_the_next_run_sends_it(
    shop, erp_dirs, monkeypatch
):
    till_sale(shop, [("TEE", 1)], [("cash", "12.50")])

    def crash(fd, *args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(services.os, "fsync", crash)
        with pytest.raises(OSError):
            services.export_orders()

    batch = OrderBatch.objects.get()
    assert (batch.status, batch.attempts) == (BatchStatus.BUILT, 0)
    assert list(erp_dirs.outbox.iterdir()) == []  # no file, no temporary left behind

    result = services.export_orders()

    assert (result.resent, result.built) == ([batch.pk], [])
    assert (erp_dirs.outbox / batch.file_name).read_bytes() == bytes(batch.content)
