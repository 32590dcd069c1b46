"""Stock API v1: every endpoint's happy path and every bad input, which must change nothing."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from inventory import services
from inventory.models import Reservation, ReservationStatus, StockLot, StockMovement
from tests.core.api_helpers import api_client, ledger_count, ledger_sum, stock
from tests.factories import LocationFactory, ProductFactory, VariantFactory, staff

pytestmark = pytest.mark.django_db

STOCK = "/api/v1/stock/"
MOVEMENTS = "/api/v1/stock/movements/"
COUNTS = "/api/v1/stock/counts/"
TRANSFERS = "/api/v1/stock/transfers/"
RESERVATIONS = "/api/v1/stock/reservations/"


@pytest.fixture
def admin_user(db):
    return staff()


@pytest.fixture
def client(admin_user):
    return api_client(admin_user)


@pytest.fixture
def stocked(store, variant):
    """Given 10 units of TSHIRT-M-RED at AJA."""
    services.receive_stock(variant=variant, location=store, quantity=10, reference="PO-0")
    return variant


@pytest.fixture
def lot_variant(db):
    return VariantFactory(sku="HONEY-250", product=ProductFactory(tracks_lots=True))


def movement(**overrides):
    body = {"sku": "TSHIRT-M-RED", "location": "AJA", "quantity": 3, "reason": "sale", "reference": "S-1"}
    body.update(overrides)
    return body


# --- GET /stock/ ----------------------------------------------------------------------------------


def test_list_levels_filtered_by_sku_and_location(client, store, other_store, stocked):
    # given stock of two variants at two stores
    other = VariantFactory(sku="JEANS-32")
    services.receive_stock(variant=other, location=store, quantity=4)
    services.receive_stock(variant=stocked, location=other_store, quantity=2)
    services.reserve_stock(variant=stocked, location=store, quantity=3, reference="C-1")

    # when
    response = client.get(STOCK, {"sku": "TSHIRT-M-RED", "location": "AJA"})

    # then
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "sku": "TSHIRT-M-RED",
                "location": "AJA",
                "on_hand": 10,
                "reserved": 3,
                "available": 7,
                "version": 2,
            }
        ],
    }


def test_list_levels_without_filters_orders_by_location_then_sku(client, store, other_store, stocked):
    services.receive_stock(variant=VariantFactory(sku="A-FIRST"), location=store, quantity=1)
    services.receive_stock(variant=stocked, location=other_store, quantity=2)

    response = client.get(STOCK)

    assert response.status_code == 200
    assert [(r["location"], r["sku"], r["on_hand"]) for r in response.json()["results"]] == [
        ("AJA", "A-FIRST", 1),
        ("AJA", "TSHIRT-M-RED", 10),
        ("BAS", "TSHIRT-M-RED", 2),
    ]


def test_list_levels_accepts_comma_separated_codes_and_paginates(client, store, other_store, stocked):
    services.receive_stock(variant=stocked, location=other_store, quantity=2)

    response = client.get(STOCK, {"sku": "TSHIRT-M-RED", "location": "AJA,BAS", "limit": 1, "offset": 1})

    body = response.json()
    assert body["count"] == 2
    assert body["results"] == [
        {"sku": "TSHIRT-M-RED", "location": "BAS", "on_hand": 2, "reserved": 0, "available": 2, "version": 1}
    ]


def test_list_levels_runs_a_constant_number_of_queries(client, store, django_assert_max_num_queries):
    for n in range(30):
        services.receive_stock(variant=VariantFactory(sku=f"V-{n:03d}"), location=store, quantity=1)

    # token + user perms (2) + groups perms + the locations the user may read + count + page
    with django_assert_max_num_queries(7):
        response = client.get(STOCK, {"location": "AJA"})

    assert len(response.json()["results"]) == 30


@pytest.mark.parametrize(
    ("query", "code", "detail"),
    [
        ({"sku": "NOPE"}, "unknown_sku", {"sku": ["NOPE"]}),
        ({"location": "XXX"}, "unknown_location", {"location": ["XXX"]}),
        ({"sku": "TSHIRT-M-RED,NOPE", "location": "AJA"}, "unknown_sku", {"sku": ["NOPE"]}),
    ],
)
def test_list_levels_unknown_filter_is_404(client, stocked, query, code, detail):
    response = client.get(STOCK, query)

    assert response.status_code == 404
    body = response.json()
    assert (body["code"], body["detail"]) == (code, detail)
    assert body["message"]


def test_list_levels_refuses_a_page_size_beyond_the_documented_maximum(client, store, stocked):
    # It used to be capped silently; the schema says maximum 1000 (issue 8, finding 12).
    largest = client.get(STOCK, {"limit": 1000})
    beyond = client.get(STOCK, {"limit": 5000})

    assert (largest.status_code, largest.json()["count"]) == (200, 1)
    assert (beyond.status_code, beyond.json()["code"], list(beyond.json()["detail"])) == (
        400,
        "invalid",
        ["limit"],
    )


@pytest.mark.parametrize("query", [{"location": "x" * 2001}])
def test_list_levels_bad_filter_is_400(client, stocked, query):
    response = client.get(STOCK, query)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["detail"]) == list(query)


def test_a_nul_in_a_filter_is_refused_at_the_edge(client, stocked):
    """Was ``invalid`` from the serializer; now core.middleware refuses it before any view."""
    response = client.get(STOCK, {"sku": "A\x00B"})

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["detail"]) == ("invalid_input", {"in": "query"})


def test_a_nul_in_a_movement_is_refused_by_the_parser(client, store, stocked):
    response = client.post(MOVEMENTS, movement(location="A\x00B"), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert stock(stocked, store) == (10, 0)
    assert ledger_count() == 1


def test_list_levels_needs_view_permission(store, stocked):
    from tests.factories import UserFactory

    shopper = UserFactory(role="shopper")

    response = api_client(shopper).get(STOCK)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_list_levels_needs_authentication(stocked):
    response = api_client().get(STOCK)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


# --- POST /stock/movements/ -----------------------------------------------------------------------


def test_sale_takes_stock_and_answers_the_level(client, admin_user, store, stocked):
    response = client.post(MOVEMENTS, movement(quantity=3), format="json")

    assert response.status_code == 201
    row = StockMovement.objects.get(reason="sale")
    assert response.json() == {
        "movement_ids": [row.pk],
        "level": {
            "sku": "TSHIRT-M-RED",
            "location": "AJA",
            "on_hand": 7,
            "reserved": 0,
            "available": 7,
            "version": 2,
        },
    }
    assert (row.quantity, row.reference, row.user) == (-3, "S-1", admin_user)
    assert stock(stocked, store) == (7, 0)


@pytest.mark.parametrize(("reason", "on_hand"), [("receipt", 14), ("return", 14), ("loss", 6)])
def test_other_reasons_move_stock_in_their_direction(client, store, stocked, reason, on_hand):
    response = client.post(MOVEMENTS, movement(reason=reason, quantity=4), format="json")

    assert response.status_code == 201
    assert response.json()["level"]["on_hand"] == on_hand
    assert StockMovement.objects.get(reference="S-1").quantity == on_hand - 10
    assert stock(stocked, store) == (on_hand, 0)


def test_receipt_creates_the_level_when_there_was_none(client, store, variant):
    response = client.post(MOVEMENTS, movement(reason="receipt", quantity=5), format="json")

    assert response.status_code == 201
    assert stock(variant, store) == (5, 0)


def test_sale_beyond_available_is_409_and_changes_nothing(client, store, stocked):
    services.reserve_stock(variant=stocked, location=store, quantity=8, reference="C-1")
    before = ledger_count()

    response = client.post(MOVEMENTS, movement(quantity=3), format="json")

    assert response.status_code == 409
    assert response.json() == {
        "code": "insufficient_stock",
        "message": "Only 2 of TSHIRT-M-RED available at AJA, 3 requested.",
        "detail": {"sku": "TSHIRT-M-RED", "location": "AJA", "requested": 3, "available": 2},
    }
    assert stock(stocked, store) == (10, 8)
    assert ledger_count() == before


def test_receipt_of_lot_tracked_product_records_the_lot(client, store, lot_variant):
    body = movement(
        sku="HONEY-250", reason="receipt", quantity=6, lot={"batch": "B-42", "expiry_date": "2027-03-01"}
    )

    response = client.post(MOVEMENTS, body, format="json")

    assert response.status_code == 201
    lot = StockLot.objects.get(variant=lot_variant, location=store)
    assert (lot.batch, lot.expiry_date, lot.quantity) == ("B-42", dt.date(2027, 3, 1), 6)
    assert StockMovement.objects.get(reason="receipt").lot == lot


def test_sale_of_lot_tracked_product_takes_earliest_expiry_first(client, store, lot_variant):
    late = services.LotInput("LATE", dt.date(2027, 6, 1))
    early = services.LotInput("EARLY", dt.date(2027, 1, 1))
    services.receive_stock(variant=lot_variant, location=store, quantity=3, lot=late)
    services.receive_stock(variant=lot_variant, location=store, quantity=2, lot=early)

    response = client.post(MOVEMENTS, movement(sku="HONEY-250", quantity=4), format="json")

    assert response.status_code == 201
    ids = response.json()["movement_ids"]
    rows = [StockMovement.objects.get(pk=pk) for pk in ids]
    assert [(m.lot.batch, m.quantity) for m in rows] == [("EARLY", -2), ("LATE", -2)]


def test_receipt_of_lot_tracked_product_without_lot_is_400(client, store, lot_variant):
    response = client.post(MOVEMENTS, movement(sku="HONEY-250", reason="receipt"), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "lot_required"
    assert stock(lot_variant, store) == (0, 0)
    assert ledger_count() == 0


def test_lot_on_a_sale_is_400(client, store, stocked):
    response = client.post(MOVEMENTS, movement(lot={"batch": "B-1"}), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["detail"]) == ["lot"]
    assert stock(stocked, store) == (10, 0)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -2}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"quantity": "three"}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"quantity": None}, "quantity"),
        ({"quantity": 10**12}, "quantity"),
        ({"reason": "gift"}, "reason"),
        ({"reason": "transfer_in"}, "reason"),
        ({"reference": ""}, "reference"),
        ({"sku": ""}, "sku"),
        ({"sku": "X" * 65}, "sku"),
        ({"sku": ["TSHIRT-M-RED"]}, "sku"),
        ({"lot": {"batch": "B", "expiry_date": "tomorrow"}}, "lot"),
    ],
)
def test_bad_movement_fields_are_400_and_change_nothing(client, store, stocked, overrides, field):
    response = client.post(MOVEMENTS, movement(**overrides), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["detail"]
    assert body["message"].startswith("The request is not valid.")
    assert stock(stocked, store) == (10, 0)
    assert ledger_count() == 1


def test_missing_fields_are_listed(client, stocked):
    response = client.post(MOVEMENTS, {}, format="json")

    assert response.status_code == 400
    assert sorted(response.json()["detail"]) == ["location", "quantity", "reason", "reference", "sku"]
    assert response.json()["detail"]["sku"] == ["This field is required."]


def test_invalid_message_names_the_first_field(client, stocked):
    response = client.post(MOVEMENTS, movement(quantity=0), format="json")

    assert response.json()["message"] == (
        "The request is not valid. quantity: Ensure this value is greater than or equal to 1."
    )


@pytest.mark.parametrize(
    ("overrides", "code", "detail"),
    [
        ({"sku": "NOPE"}, "unknown_sku", {"sku": "NOPE"}),
        ({"location": "XXX"}, "unknown_location", {"location": "XXX"}),
    ],
)
def test_unknown_codes_in_a_movement_are_404_and_change_nothing(
    client, store, stocked, overrides, code, detail
):
    response = client.post(MOVEMENTS, movement(**overrides), format="json")

    assert response.status_code == 404
    assert response.json()["code"] == code
    assert response.json()["detail"] == detail
    assert stock(stocked, store) == (10, 0)
    assert ledger_count() == 1


@pytest.mark.parametrize("payload", ['{"sku": "TSHIRT-M-RED", ', "not json", '{"quantity": NaN}'])
def test_bad_json_is_400_parse_error(client, store, stocked, payload):
    response = client.post(MOVEMENTS, payload, content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["detail"]) == ("parse_error", {})
    assert body["message"].startswith("JSON parse error")
    assert stock(stocked, store) == (10, 0)


def test_a_json_array_is_400(client, stocked):
    response = client.post(MOVEMENTS, [movement()], format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["detail"]) == ["non_field_errors"]


def test_form_encoded_body_is_415(client, store, stocked):
    response = client.post(MOVEMENTS, movement())  # multipart

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert stock(stocked, store) == (10, 0)


def test_get_on_a_post_endpoint_is_405(client):
    response = client.get(MOVEMENTS)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_missing_token_is_401_and_changes_nothing(store, stocked):
    response = api_client().post(MOVEMENTS, movement(), format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert stock(stocked, store) == (10, 0)


def test_bad_token_is_401(store, stocked):
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.post(MOVEMENTS, movement(), format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert stock(stocked, store) == (10, 0)


# --- POST /stock/counts/ --------------------------------------------------------------------------


def test_count_sets_on_hand_and_writes_the_difference(client, store, stocked):
    response = client.post(
        COUNTS, {"sku": "TSHIRT-M-RED", "location": "AJA", "counted": 7, "reference": "INV-1"}, format="json"
    )

    assert response.status_code == 201
    row = StockMovement.objects.get(reason="count_adjustment")
    assert response.json() == {
        "movement_ids": [row.pk],
        "level": {
            "sku": "TSHIRT-M-RED",
            "location": "AJA",
            "on_hand": 7,
            "reserved": 0,
            "available": 7,
            "version": 2,
        },
        "difference": -3,
    }
    assert stock(stocked, store) == (7, 0)


def test_count_that_matches_writes_nothing(client, store, stocked):
    response = client.post(
        COUNTS, {"sku": "TSHIRT-M-RED", "location": "AJA", "counted": 10, "reference": "INV-1"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["movement_ids"] == []
    assert response.json()["difference"] == 0
    assert ledger_count() == 1


def test_count_of_a_lot(client, store, lot_variant):
    services.receive_stock(variant=lot_variant, location=store, quantity=5, lot=services.LotInput("B-1"))
    body = {
        "sku": "HONEY-250",
        "location": "AJA",
        "counted": 3,
        "reference": "INV-2",
        "lot": {"batch": "B-1"},
    }

    response = client.post(COUNTS, body, format="json")

    assert response.status_code == 201
    assert StockLot.objects.get(batch="B-1").quantity == 3
    assert stock(lot_variant, store) == (3, 0)


def test_count_below_reserved_is_409_and_changes_nothing(client, store, stocked):
    services.reserve_stock(variant=stocked, location=store, quantity=6, reference="C-1")
    before = ledger_count()

    response = client.post(
        COUNTS, {"sku": "TSHIRT-M-RED", "location": "AJA", "counted": 4, "reference": "INV-1"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert stock(stocked, store) == (10, 6)
    assert ledger_count() == before


@pytest.mark.parametrize("counted", [-1, 2.5, "x", None])
def test_bad_count_is_400(client, store, stocked, counted):
    response = client.post(
        COUNTS,
        {"sku": "TSHIRT-M-RED", "location": "AJA", "counted": counted, "reference": "I"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["detail"]) == ["counted"]
    assert stock(stocked, store) == (10, 0)


# --- POST /stock/transfers/ -----------------------------------------------------------------------


def test_transfer_moves_units_between_locations(client, store, other_store, stocked):
    body = {"sku": "TSHIRT-M-RED", "from_location": "AJA", "to_location": "BAS", "quantity": 4}

    response = client.post(TRANSFERS, body, format="json")

    assert response.status_code == 201
    data = response.json()
    out_row = StockMovement.objects.get(reason="transfer_out")
    in_row = StockMovement.objects.get(reason="transfer_in")
    assert data["movement_ids"] == [out_row.pk, in_row.pk]
    assert data["transfer_id"] == str(out_row.transfer_id)
    assert data["reference"] == out_row.reference == f"TR-{out_row.transfer_id.hex[:10].upper()}"
    assert data["from_level"] == {
        "sku": "TSHIRT-M-RED",
        "location": "AJA",
        "on_hand": 6,
        "reserved": 0,
        "available": 6,
        "version": 2,
    }
    assert data["to_level"] == {
        "sku": "TSHIRT-M-RED",
        "location": "BAS",
        "on_hand": 4,
        "reserved": 0,
        "available": 4,
        "version": 1,
    }
    assert stock(stocked, store) == (6, 0)
    assert stock(stocked, other_store) == (4, 0)


def test_transfer_keeps_a_given_reference(client, store, other_store, stocked):
    body = {
        "sku": "TSHIRT-M-RED",
        "from_location": "AJA",
        "to_location": "BAS",
        "quantity": 1,
        "reference": "T-9",
    }

    response = client.post(TRANSFERS, body, format="json")

    assert response.json()["reference"] == "T-9"


def test_transfer_beyond_available_is_409_and_changes_nothing(client, store, other_store, stocked):
    body = {"sku": "TSHIRT-M-RED", "from_location": "AJA", "to_location": "BAS", "quantity": 11}

    response = client.post(TRANSFERS, body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert stock(stocked, store) == (10, 0)
    assert stock(stocked, other_store) == (0, 0)
    assert ledger_count() == 1


def test_transfer_to_the_same_location_is_400(client, store, stocked):
    body = {"sku": "TSHIRT-M-RED", "from_location": "AJA", "to_location": "AJA", "quantity": 1}

    response = client.post(TRANSFERS, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "same_location"
    assert stock(stocked, store) == (10, 0)


def test_transfer_to_unknown_location_is_404(client, store, stocked):
    body = {"sku": "TSHIRT-M-RED", "from_location": "AJA", "to_location": "NOWHERE", "quantity": 1}

    response = client.post(TRANSFERS, body, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_location"
    assert response.json()["detail"] == {"to_location": "NOWHERE"}
    assert stock(stocked, store) == (10, 0)


@pytest.mark.parametrize("quantity", [0, -1, 1.5])
def test_transfer_bad_quantity_is_400(client, store, other_store, stocked, quantity):
    body = {"sku": "TSHIRT-M-RED", "from_location": "AJA", "to_location": "BAS", "quantity": quantity}

    response = client.post(TRANSFERS, body, format="json")

    assert response.status_code == 400
    assert list(response.json()["detail"]) == ["quantity"]


# --- reservations ---------------------------------------------------------------------------------


def reserve_body(**overrides):
    body = {
        "sku": "TSHIRT-M-RED",
        "location": "AJA",
        "quantity": 2,
        "ttl_seconds": 600,
        "reference": "CART-1",
    }
    body.update(overrides)
    return body


def test_reserve_holds_units_until_expiry(client, store, stocked):
    before = timezone.now()

    response = client.post(RESERVATIONS, reserve_body(), format="json")

    assert response.status_code == 201
    data = response.json()
    reservation = Reservation.objects.get()
    assert data["id"] == str(reservation.pk)
    assert (data["sku"], data["location"], data["quantity"], data["status"], data["reference"]) == (
        "TSHIRT-M-RED",
        "AJA",
        2,
        "active",
        "CART-1",
    )
    expires_at = dt.datetime.fromisoformat(data["expires_at"])
    assert before + dt.timedelta(seconds=600) <= expires_at <= timezone.now() + dt.timedelta(seconds=600)
    assert data["closed_at"] is None
    assert stock(stocked, store) == (10, 2)


def test_reserve_without_ttl_uses_the_default(client, settings, store, stocked):
    body = reserve_body()
    del body["ttl_seconds"]

    response = client.post(RESERVATIONS, body, format="json")

    reservation = Reservation.objects.get()
    assert response.status_code == 201
    ttl = (reservation.expires_at - reservation.created_at).total_seconds()
    assert abs(ttl - settings.INVENTORY_DEFAULT_RESERVATION_TTL) < 5


def test_reserve_beyond_available_is_409(client, store, stocked):
    response = client.post(RESERVATIONS, reserve_body(quantity=11), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert Reservation.objects.count() == 0
    assert stock(stocked, store) == (10, 0)
    assert ledger_count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ttl_seconds": 0}, "ttl_seconds"),
        ({"ttl_seconds": 10**9}, "ttl_seconds"),
        ({"quantity": 0}, "quantity"),
    ],
)
def test_reserve_bad_input_is_400(client, store, stocked, overrides, field):
    response = client.post(RESERVATIONS, reserve_body(**overrides), format="json")

    assert response.status_code == 400
    assert list(response.json()["detail"]) == [field]
    assert Reservation.objects.count() == 0


def test_release_gives_units_back(client, store, stocked):
    reservation = services.reserve_stock(variant=stocked, location=store, quantity=3, reference="C-1")

    response = client.post(f"{RESERVATIONS}{reservation.pk}/release/")

    assert response.status_code == 200
    assert response.json()["status"] == "released"
    assert response.json()["closed_at"] is not None
    assert stock(stocked, store) == (10, 0)
    assert ledger_sum(stocked, store) == (10, 0)


def test_commit_sells_the_reserved_units(client, store, stocked):
    reservation = services.reserve_stock(variant=stocked, location=store, quantity=3, reference="C-1")

    response = client.post(f"{RESERVATIONS}{reservation.pk}/commit/")

    assert response.status_code == 200
    assert response.json()["status"] == "committed"
    assert stock(stocked, store) == (7, 0)
    assert ledger_sum(stocked, store) == (7, 0)


@pytest.mark.parametrize("action", ["release", "commit"])
@pytest.mark.parametrize("status", [ReservationStatus.RELEASED, ReservationStatus.COMMITTED])
def test_closed_reservation_is_409_and_changes_nothing(client, store, stocked, action, status):
    reservation = services.reserve_stock(variant=stocked, location=store, quantity=3, reference="C-1")
    if status == ReservationStatus.RELEASED:
        services.release_reservation(reservation=reservation)
    else:
        services.commit_reservation(reservation=reservation)
    before, levels = ledger_count(), stock(stocked, store)

    response = client.post(f"{RESERVATIONS}{reservation.pk}/{action}/")

    assert response.status_code == 409
    assert response.json() == {
        "code": "reservation_not_active",
        "message": f"Reservation {reservation.pk} is {status}.",
        "detail": {"id": str(reservation.pk), "status": str(status)},
    }
    assert (ledger_count(), stock(stocked, store)) == (before, levels)


@pytest.mark.parametrize("action", ["release", "commit"])
@pytest.mark.parametrize("reservation_id", [uuid.UUID(int=7), "not-a-uuid"])
def test_unknown_reservation_is_404(client, stocked, action, reservation_id):
    response = client.post(f"{RESERVATIONS}{reservation_id}/{action}/")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": f"No reservation has the id '{reservation_id}'.",
        "detail": {"id": str(reservation_id)},
    }


def test_other_locations_are_untouched_by_a_movement(client, store, stocked):
    elsewhere = LocationFactory(code="WH", name="Warehouse")
    services.receive_stock(variant=stocked, location=elsewhere, quantity=5)

    client.post(MOVEMENTS, movement(quantity=1), format="json")

    assert stock(stocked, elsewhere) == (5, 0)
