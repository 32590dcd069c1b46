"""Real threads racing through the HTTP API on PostgreSQL: no oversell, one execution per key."""

import json
import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.idempotency import request_fingerprint, user_scope
from core.models import IdempotencyRecord
from inventory import services
from inventory.models import StockMovement
from inventory.selectors import check_ledger
from tests.concurrency import in_threads
from tests.core.api_helpers import api_client, ledger_sum, stock
from tests.factories import staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MOVEMENTS = "/api/v1/stock/movements/"
SALE = {"sku": "TSHIRT-M-RED", "location": "AJA", "quantity": 1, "reason": "sale", "reference": "RACE"}


def test_twenty_threads_race_for_five_units(store, variant):
    # given 5 units and 20 cashiers' tablets (one staff user per thread, one client each)
    services.receive_stock(variant=variant, location=store, quantity=5, reference="PO-1")
    users = [staff() for _ in range(20)]

    # when every thread sells one unit at the same moment
    def sell(i):
        response = api_client(users[i]).post(MOVEMENTS, SALE, format="json")
        return response.status_code, response.json()

    results = in_threads(20, sell)

    # then exactly 5 sales, 15 clean refusals, nothing oversold, the ledger explains the level
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 5 + [409] * 15
    assert {body["code"] for status, body in results if status == 409} == {"insufficient_stock"}
    assert sorted(body["level"]["on_hand"] for status, body in results if status == 201) == [0, 1, 2, 3, 4]
    assert stock(variant, store) == (0, 0)
    assert ledger_sum(variant, store) == (0, 0)
    assert StockMovement.objects.filter(reason="sale").count() == 5
    assert check_ledger().ok


def test_same_key_sent_concurrently_executes_once(store, variant):
    # given 10 units and one client that sends each request twice at once (a retry racing the original)
    services.receive_stock(variant=variant, location=store, quantity=10, reference="PO-1")
    user = staff()

    for round_ in range(5):
        key = f"race-{round_}"

        def send(i, key=key):
            response = api_client(user).post(MOVEMENTS, SALE, format="json", HTTP_IDEMPOTENCY_KEY=key)
            return response.status_code, response.content

        (status_a, body_a), (status_b, body_b) = in_threads(2, send)

        # then both get the one answer, and the sale happened once
        assert (status_a, status_b) == (201, 201)
        assert body_a == body_b

    assert StockMovement.objects.filter(reason="sale").count() == 5
    assert IdempotencyRecord.objects.filter(user=user).count() == 5
    assert stock(variant, store) == (5, 0)
    assert check_ledger().ok


def test_a_request_waits_for_an_in_flight_twin_and_replays_its_answer(store, variant):
    # given a request with key "k" in flight in another transaction (its record inserted, not committed)
    services.receive_stock(variant=variant, location=store, quantity=10, reference="PO-1")
    user = staff()
    raw = factory_request(SALE)
    fingerprint = request_fingerprint(raw)
    inserted, outcome = threading.Event(), {}

    def in_flight():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=user_scope(user),
                    user=user,
                    key="k",
                    method="POST",
                    path=MOVEMENTS,
                    fingerprint=fingerprint,
                )
                inserted.set()
                time.sleep(1.0)  # the twin below is now blocked on the unique index
                record.status_code = 201
                record.response_json = json.dumps({"answered_by": "the first request"})
                record.save()
        finally:
            connection.close()

    first = threading.Thread(target=in_flight)
    first.start()
    assert inserted.wait(timeout=10)

    # when the retry arrives while the first is still running
    def retry():
        try:
            response = api_client(user).post(MOVEMENTS, SALE, format="json", HTTP_IDEMPOTENCY_KEY="k")
            outcome["response"] = (response.status_code, response.json(), response["Idempotent-Replayed"])
            outcome["elapsed"] = time.monotonic() - started
        finally:
            connection.close()

    started = time.monotonic()
    second = threading.Thread(target=retry)
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)

    # then it waited for the first to commit and returned the first's answer without selling
    assert outcome["response"] == (201, {"answered_by": "the first request"}, "true")
    assert outcome["elapsed"] >= 0.5
    assert StockMovement.objects.filter(reason="sale").count() == 0
    assert stock(variant, store) == (10, 0)


def factory_request(body):
    request = APIRequestFactory().post(MOVEMENTS, body, format="json")
    return Request(request, parsers=[JSONParser()])
