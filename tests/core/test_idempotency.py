"""core.idempotency on small views of its own: what is stored, what is rolled back, what expires."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from core import tasks
from core.errors import Conflict
from core.idempotency import idempotent, purge_expired_idempotency_records, request_fingerprint
from core.models import IdempotencyRecord
from inventory.models import Location
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

factory = APIRequestFactory()


@pytest.fixture
def user(db):
    return UserFactory()


class CreateLocationView(APIView):
    """Writes a row, then answers as the body asks: 201, a 409 refusal, a 503 or a crash."""

    permission_classes = [AllowAny]

    @idempotent
    def post(self, request):
        Location.objects.create(code=request.data["code"], name="Test")
        outcome = request.data.get("outcome", "ok")
        if outcome == "refuse":
            raise Conflict("Refused.", detail={"code": request.data["code"]})
        if outcome == "crash":
            raise RuntimeError("bug")
        if outcome == "unavailable":
            return Response({"code": "unavailable"}, status=503)
        return Response({"created": request.data["code"], "at": timezone.now()}, status=201)


def call(user, body, key="k-1", path="/test/locations/"):
    request = factory.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    if user is not None:
        force_authenticate(request, user=user)
    return CreateLocationView.as_view()(request)


def test_success_is_stored_with_its_exact_body(user):
    response = call(user, {"code": "L1"})

    record = IdempotencyRecord.objects.get()
    assert (record.user, record.key, record.method, record.path, record.status_code) == (
        user,
        "k-1",
        "POST",
        "/test/locations/",
        201,
    )
    assert json.loads(record.response_json) == json.loads(response.render().content)


def test_replay_does_not_run_the_view_again(user):
    first = call(user, {"code": "L1"}).render()

    second = call(user, {"code": "L1"}).render()

    assert second.content == first.content
    assert Location.objects.filter(code="L1").count() == 1


def test_a_refusal_is_stored_and_its_writes_undone(user):
    response = call(user, {"code": "L1", "outcome": "refuse"})

    assert response.status_code == 409
    assert response.data == {"code": "conflict", "message": "Refused.", "detail": {"code": "L1"}}
    assert not Location.objects.filter(code="L1").exists()
    assert IdempotencyRecord.objects.get().status_code == 409


def test_a_crash_stores_nothing_and_a_retry_runs(user):
    with pytest.raises(RuntimeError):
        call(user, {"code": "L1", "outcome": "crash"})

    assert IdempotencyRecord.objects.count() == 0
    assert not Location.objects.filter(code="L1").exists()

    # the client fixed nothing but the server did: the same key with a new body is not a reuse
    assert call(user, {"code": "L1"}, key="k-2").status_code == 201


def test_a_5xx_response_stores_nothing_and_keeps_nothing(user):
    response = call(user, {"code": "L1", "outcome": "unavailable"})

    assert response.status_code == 503
    assert IdempotencyRecord.objects.count() == 0
    assert not Location.objects.filter(code="L1").exists()
    assert call(user, {"code": "L1"}).status_code == 201


def test_same_key_other_path_is_422(user):
    call(user, {"code": "L1"})

    response = call(user, {"code": "L1"}, path="/test/elsewhere/")

    assert response.status_code == 422
    assert response.data["code"] == "idempotency_key_reused"


def test_anonymous_request_with_a_key_is_401():
    response = call(None, {"code": "L1"})

    assert response.status_code == 401
    assert not Location.objects.exists()


def test_an_expired_record_is_not_replayed(user, settings):
    call(user, {"code": "L1"})
    IdempotencyRecord.objects.update(
        created_at=timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS, minutes=1)
    )

    response = call(user, {"code": "L2"})

    assert response.status_code == 201
    assert set(Location.objects.values_list("code", flat=True)) == {"L1", "L2"}
    assert IdempotencyRecord.objects.count() == 1


def test_purge_deletes_only_expired_records(user, settings):
    call(user, {"code": "L1"}, key="old")
    call(user, {"code": "L2"}, key="new")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS + 1)
    )

    assert purge_expired_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_purge_task_calls_the_service(user, settings):
    call(user, {"code": "L1"})
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(days=365))

    assert tasks.purge_idempotency_records() == 1
    assert IdempotencyRecord.objects.count() == 0


def test_fingerprint_ignores_key_order_but_not_values():
    from rest_framework.parsers import JSONParser
    from rest_framework.request import Request

    def fp(raw, path="/x/"):
        request = factory.post(path, raw, content_type="application/json")
        return request_fingerprint(Request(request, parsers=[JSONParser()]))

    assert fp('{"a": 1, "b": [1, 2]}') == fp('{"b":[1,2],"a":1}')
    assert fp('{"a": 1}') != fp('{"a": 2}')
    assert fp('{"a": 1}') != fp('{"a": 1}', path="/y/")


# --- run_once: the same guarantee for writers from outside that are not HTTP requests -------------


def test_run_once_runs_once_and_replays_the_first_result():
    from core.idempotency import run_once

    calls = []

    def operation():
        calls.append(1)
        Location.objects.create(code="R1", name="Once")
        return {"location": "R1", "n": len(calls)}

    first = run_once(scope="erp:products", key="row-42", fn=operation, fingerprint="abc")
    again = run_once(scope="erp:products", key="row-42", fn=operation, fingerprint="abc")
    assert (first.value, first.replayed) == ({"location": "R1", "n": 1}, False)
    assert (again.value, again.replayed) == ({"location": "R1", "n": 1}, True)
    assert calls == [1]
    assert Location.objects.filter(code="R1").count() == 1
    # Another scope is another key space.
    other = run_once(scope="erp:prices", key="row-42", fn=lambda: "other")
    assert (other.value, other.replayed) == ("other", False)


def test_run_once_with_another_fingerprint_is_refused_and_runs_nothing():
    from core.idempotency import IdempotencyKeyReused, run_once

    run_once(scope="webhook:test", key="evt_1", fn=lambda: 1, fingerprint="body-a")
    with pytest.raises(IdempotencyKeyReused):
        run_once(
            scope="webhook:test", key="evt_1", fn=lambda: Location.objects.create(code="NO"), fingerprint="b"
        )
    assert not Location.objects.filter(code="NO").exists()


def test_run_once_remembers_nothing_when_the_operation_fails():
    from core.idempotency import run_once

    def failing():
        Location.objects.create(code="F1", name="Half")
        raise Conflict("Refused.")

    with pytest.raises(Conflict):
        run_once(scope="pos:sync", key="uuid-1", fn=failing)
    assert not Location.objects.filter(code="F1").exists()
    assert not IdempotencyRecord.objects.filter(scope="pos:sync").exists()
    assert run_once(scope="pos:sync", key="uuid-1", fn=lambda: "second try").value == "second try"
