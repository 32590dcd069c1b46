"""Picking waves: built from shipments TO_PICK (oldest first, bin order), scanned, short picks, PDF."""

import pytest

from inventory import services as inventory
from inventory.errors import InvalidBinLocation
from inventory.models import StockLevel
from logistics import services_fulfilment as fulfilment
from logistics.errors_fulfilment import (
    AlreadyComplete,
    InvalidShortPick,
    NothingToPick,
    WrongBarcode,
    WrongStatus,
)
from logistics.fulfilment_models import PickDiscrepancy, PickLine, Shipment, ShipmentStatus, WaveStatus
from logistics.picking_pdf import render_wave_pdf
from logistics.services_fulfilment import natural_key
from tests.factories import VariantFactory, staff
from tests.logistics.fulfil_support import paid_order, receive
from tests.logistics.shop import make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_shop()


@pytest.fixture
def user():
    return staff()


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the staff screens default to French


def test_bins_sort_naturally_and_blank_last():
    bins = ["A-10", "", "B-1", "A-2", "A-2-3", "a-3"]
    assert sorted(bins, key=natural_key) == ["A-2", "A-2-3", "a-3", "A-10", "B-1", ""]


def test_set_bin_location_cleans_and_refuses_garbage(shop):
    level = inventory.set_bin_location(location=shop.warehouse, variant=shop.tee, bin_location="  a-03-2 ")
    assert level.bin_location == "A-03-2" and level.on_hand == 5
    new = VariantFactory(sku="NEW")
    assert inventory.set_bin_location(location=shop.warehouse, variant=new, bin_location="C-1").on_hand == 0
    for bad in ("X" * 33, "A\u202e1"):
        with pytest.raises(InvalidBinLocation):
            inventory.set_bin_location(location=shop.warehouse, variant=shop.tee, bin_location=bad)
    assert StockLevel.objects.get(location=shop.warehouse, variant=shop.tee).bin_location == "A-03-2"


def two_orders(shop, capture):
    """W1: TEE 2 + MUG 1, W2: TEE 1, both at the warehouse; MUG sits in A-2, TEE in A-10."""
    inventory.set_bin_location(location=shop.warehouse, variant=shop.tee, bin_location="A-10")
    inventory.set_bin_location(location=shop.warehouse, variant=shop.mug, bin_location="A-2")
    first = paid_order(capture, (shop.tee, 2), (shop.mug, 1))
    second = paid_order(capture, (shop.tee, 1), email="bo@example.com")
    return first, second


def test_a_wave_has_one_line_per_variant_in_bin_order(shop, user, django_capture_on_commit_callbacks):
    first, second = two_orders(shop, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks() as callbacks:
        wave = fulfilment.build_wave(location=shop.warehouse, user=user)
    assert wave.number.startswith("VAG-") and wave.status == WaveStatus.OPEN and len(callbacks) == 1
    lines = list(wave.lines.all())
    assert [(p.bin_location, p.sku, p.barcode, p.quantity) for p in lines] == [
        ("A-2", "MUG", shop.mug.ean13, 1),
        ("A-10", "TEE", shop.tee.ean13, 3),
    ]
    assert sorted(sl.shipment.order.number for sl in lines[1].shipment_lines.all()) == sorted(
        [first.number, second.number]
    )
    assert set(Shipment.objects.values_list("status", "wave")) == {(ShipmentStatus.PICKING, wave.pk)}
    with pytest.raises(NothingToPick):
        fulfilment.build_wave(location=shop.warehouse, user=user)


def test_max_orders_takes_the_oldest_first(shop, user, django_capture_on_commit_callbacks):
    first, second = two_orders(shop, django_capture_on_commit_callbacks)
    wave = fulfilment.build_wave(location=shop.warehouse, max_orders=1, user=user)
    assert list(wave.shipments.values_list("order__number", flat=True)) == [first.number]
    assert Shipment.objects.get(order=second).status == ShipmentStatus.TO_PICK


def test_scanning_fills_the_oldest_order_first_then_the_wave_is_done(
    shop, user, django_capture_on_commit_callbacks
):
    first, second = two_orders(shop, django_capture_on_commit_callbacks)
    wave = fulfilment.build_wave(location=shop.warehouse, user=user)

    result = fulfilment.scan_pick(wave=wave, barcode=shop.tee.ean13, user=user)
    assert result.wave.status == WaveStatus.PICKING and result.line.quantity_picked == 1
    assert result.filled == [Shipment.objects.get(order=first).number]
    fulfilment.scan_pick(wave=wave, barcode=shop.tee.ean13, user=user)
    fulfilment.scan_pick(wave=wave, barcode=shop.tee.ean13, user=user)
    with pytest.raises(AlreadyComplete):
        fulfilment.scan_pick(wave=wave, barcode=shop.tee.ean13, user=user)
    assert Shipment.objects.get(order=second).lines.get().quantity_picked == 1
    done = fulfilment.scan_pick(wave=wave, barcode=shop.mug.ean13, user=user).wave

    assert done.status == WaveStatus.DONE and done.completed_at is not None
    assert set(Shipment.objects.values_list("status", flat=True)) == {ShipmentStatus.PICKED}
    with pytest.raises(WrongStatus):
        fulfilment.scan_pick(wave=wave, barcode=shop.mug.ean13, user=user)


def test_a_wrong_barcode_is_refused_and_nothing_written(shop, user, django_capture_on_commit_callbacks):
    two_orders(shop, django_capture_on_commit_callbacks)
    wave = fulfilment.build_wave(location=shop.warehouse, user=user)
    other = VariantFactory(sku="SOCK")
    for code in (other.ean13, "", "nonsense"):
        with pytest.raises(WrongBarcode):
            fulfilment.scan_pick(wave=wave, barcode=code, user=user)
    assert list(PickLine.objects.values_list("quantity_picked", flat=True)) == [0, 0]
    wave.refresh_from_db()
    assert wave.status == WaveStatus.OPEN


def test_a_short_pick_records_the_discrepancy_and_leaves_the_shipments_short(
    shop, user, django_capture_on_commit_callbacks
):
    first, second = two_orders(shop, django_capture_on_commit_callbacks)
    wave = fulfilment.build_wave(location=shop.warehouse, user=user)
    tee = wave.lines.get(sku="TEE")
    fulfilment.scan_pick(wave=wave, barcode="TEE", user=user)
    with pytest.raises(InvalidShortPick):
        fulfilment.short_pick(wave=wave, pick_line_id=tee.pk, found=0, user=user)  # below scanned
    with pytest.raises(InvalidShortPick):
        fulfilment.short_pick(wave=wave, pick_line_id=tee.pk, found=3, user=user)  # not short
    discrepancy = fulfilment.short_pick(wave=wave, pick_line_id=tee.pk, found=2, note="torn box", user=user)
    assert (discrepancy.expected, discrepancy.picked, discrepancy.note, discrepancy.reported_by) == (
        3,
        2,
        "torn box",
        user,
    )
    with pytest.raises(AlreadyComplete):
        fulfilment.scan_pick(wave=wave, barcode="TEE", user=user)
    fulfilment.scan_pick(wave=wave, barcode="MUG", user=user)
    wave.refresh_from_db()
    assert wave.status == WaveStatus.DONE
    picked = {
        s.order.number: [(sl.order_line.sku, sl.quantity, sl.quantity_picked) for sl in s.lines.all()]
        for s in Shipment.objects.all()
    }
    assert picked == {first.number: [("TEE", 2, 2), ("MUG", 1, 1)], second.number: [("TEE", 1, 0)]}
    assert PickDiscrepancy.objects.count() == 1


def test_a_store_picks_its_own_ship_from_store_shipments(shop, user, django_capture_on_commit_callbacks):
    receive(shop.mug, shop.bas, 2)  # BAS: TEE 2 MUG 3; the warehouse has 2 mugs only
    order = paid_order(django_capture_on_commit_callbacks, (shop.mug, 3))
    assert order.location == shop.bas
    with pytest.raises(NothingToPick):
        fulfilment.build_wave(location=shop.warehouse, user=user)
    wave = fulfilment.build_wave(location=shop.bas, user=user)
    assert [(p.sku, p.quantity, p.bin_location) for p in wave.lines.all()] == [("MUG", 3, "")]


def test_the_wave_pdf_is_an_a4_page_with_every_line(
    shop, user, django_capture_on_commit_callbacks, eager_celery, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    pypdf = pytest.importorskip("pypdf")
    two_orders(shop, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        wave = fulfilment.build_wave(location=shop.warehouse, user=user)
    wave.refresh_from_db()
    assert wave.pdf.name.endswith(f"{wave.number}.pdf")
    import io

    reader = pypdf.PdfReader(io.BytesIO(wave.pdf.read()))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = page.extract_text()
    for fragment in (wave.number, "A-2", "A-10", "MUG", "TEE", "Mug", "Tee-shirt"):
        assert fragment in text
    first = wave.pdf.name
    render_wave_pdf(wave_id=wave.pk)  # a reprint replaces the file
    wave.refresh_from_db()
    assert wave.pdf.name.endswith(".pdf") and len(list(tmp_path.rglob("*.pdf"))) == 1, first


# --- the screens ------------------------------------------------------------------------------------


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_picking_screen_scans_and_refuses_a_wrong_barcode(
    client, shop, user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    inventory.set_bin_location(location=shop.warehouse, variant=shop.tee, bin_location="A-10")
    paid_order(django_capture_on_commit_callbacks, (shop.tee, 1))
    signed_in(client, user)
    home = client.get("/backoffice/picking/")
    assert home.status_code == 200 and "1 shipment to pick" in home.content.decode()
    response = client.post("/backoffice/picking/new/", {"location": shop.warehouse.pk, "max_orders": "5"})
    wave = PickLine.objects.get().wave
    assert response.status_code == 302 and response["Location"] == f"/backoffice/picking/{wave.number}/"
    with django_assert_max_num_queries(14):
        page = client.get(f"/backoffice/picking/{wave.number}/")
    html = page.content.decode()
    assert 'id="ff-scan"' in html and "A-10" in html and "Tee-shirt" in html and "0 / 1" in html
    assert "style=" not in html  # CSP: no inline styles

    wrong = client.post(f"/backoffice/picking/{wave.number}/scan/", {"barcode": "4006381333931"}, follow=True)
    assert f"4006381333931 is not in wave {wave.number}." in wrong.content.decode()
    assert PickLine.objects.get().quantity_picked == 0

    done = client.post(f"/backoffice/picking/{wave.number}/scan/", {"barcode": shop.tee.ean13}, follow=True)
    text = done.content.decode()
    assert "TEE: 1 of 1" in text and f"Wave {wave.number} is picked." in text
    assert set(Shipment.objects.values_list("status", flat=True)) == {ShipmentStatus.PICKED}
    french = client.get(f"/backoffice/picking/{wave.number}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Emplacement" in french and "Toutes les vagues" in french


def test_the_short_pick_form(client, shop, user, django_capture_on_commit_callbacks):
    paid_order(django_capture_on_commit_callbacks, (shop.tee, 2))
    wave = fulfilment.build_wave(location=shop.warehouse, user=user)
    line = wave.lines.get()
    signed_in(client, user)
    bad = client.post(f"/backoffice/picking/{wave.number}/short/{line.pk}/", {"found": "7"}, follow=True)
    assert bad.status_code == 200 and not PickDiscrepancy.objects.exists()
    client.post(f"/backoffice/picking/{wave.number}/short/{line.pk}/", {"found": "1", "note": "x"})
    assert list(PickDiscrepancy.objects.values_list("expected", "picked", "note")) == [(2, 1, "x")]


def test_who_may_pick_where(client, shop, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory, cashier, manager, store_manager

    receive(shop.mug, shop.bas, 2)
    paid_order(django_capture_on_commit_callbacks, (shop.mug, 3))  # ships from Bastia
    wave = fulfilment.build_wave(location=shop.bas, user=None)
    url = f"/backoffice/picking/{wave.number}/"
    cases = [
        (staff(), 200, 200),
        (manager(), 200, 200),
        (store_manager(shop.bas), 200, 200),
        (cashier(shop.bas), 200, 200),
        (store_manager(shop.aja), 200, 403),  # their store's screen, not Bastia's wave
        (cashier(shop.aja), 200, 403),
        (UserFactory(), 403, 403),  # a shopper
    ]
    for who, home_status, wave_status in cases:
        client.force_login(who)
        assert client.get("/backoffice/picking/").status_code == home_status, who
        assert client.get(url).status_code == wave_status, who
        assert client.post(f"{url}scan/", {"barcode": "MUG"}).status_code in (
            (302,) if wave_status == 200 else (403,)
        ), who
    # the wave needs 3 mugs: staff, manager and the Bastia manager picked them; the cashier's scan was
    # refused as complete, the Ajaccio users' and the shopper's were forbidden
    assert PickLine.objects.get().quantity_picked == 3
    client.logout()
    assert client.get("/backoffice/picking/").status_code == 302  # to the sign-in page
    aja_manager = store_manager(shop.aja)
    client.force_login(aja_manager)
    assert client.post("/backoffice/picking/new/", {"location": shop.bas.pk}).status_code == 403


def test_staff_set_bins_in_the_stock_admin(client, shop):
    from django.urls import reverse

    from tests.factories import store_manager

    url = reverse("admin:inventory_stocklevel_bin")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(staff())
    response = client.post(
        url, {"variant": shop.tee.ean13, "location": shop.warehouse.pk, "bin_location": "b-4"}
    )
    assert response.status_code == 302
    assert StockLevel.objects.get(variant=shop.tee, location=shop.warehouse).bin_location == "B-4"
    listing = client.get(reverse("admin:inventory_stocklevel_changelist") + "?q=B-4").content.decode()
    assert "B-4" in listing and "TEE" in listing

    client.force_login(store_manager(shop.aja))  # their own store only
    response = client.post(url, {"variant": "TEE", "location": shop.warehouse.pk, "bin_location": "Z-9"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    client.post(url, {"variant": "TEE", "location": shop.aja.pk, "bin_location": "R-1"})
    assert dict(
        StockLevel.objects.filter(variant=shop.tee).values_list("location__code", "bin_location")
    ) == {
        "WEB": "B-4",
        "AJA": "R-1",
        "BAS": "",
        "PRO": "",
    }
