"""Acknowledgements: the API (integration permission) and ack files in the inbox."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from integrations.exports import services
from integrations.exports.models import BatchStatus, OrderBatch
from tests.factories import UserFactory, staff

from .conftest import till_sale

pytestmark = pytest.mark.django_db

URL = "/api/v1/erp/batches/{}/ack/"


def integration_user():
    user = UserFactory(email="erp@integration.example")
    user.user_permissions.add(
        Permission.objects.get(codename="ack_orderbatch", content_type__app_label="integrations")
    )
    return user


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def sent(shop, erp_dirs) -> OrderBatch:
    till_sale(shop, [("TEE", 1)], [("cash", "12.50")])
    return OrderBatch.objects.get(pk=services.export_orders().built[0])


def test_the_erp_acknowledges_a_batch_once_and_again_changes_nothing(sent):
    client = client_for(integration_user())

    first = client.post(URL.format(sent.pk), {"content_hash": sent.content_hash}, format="json")

    assert first.status_code == 200, first.content
    assert first.json()["status"] == "acknowledged" and first.json()["file_name"] == sent.file_name
    sent.refresh_from_db()
    assert (sent.status, sent.acknowledged_via) == (BatchStatus.ACKNOWLEDGED, "api")
    acknowledged_at = sent.acknowledged_at

    again = client.post(URL.format(sent.pk), {}, format="json")

    assert again.status_code == 200 and again.json() == first.json()
    sent.refresh_from_db()
    assert sent.acknowledged_at == acknowledged_at
    assert services.export_orders().resent == []


def test_unknown_batch_is_404_and_wrong_role_403_nothing_changed(sent):
    client = client_for(integration_user())
    missing = client.post(URL.format(sent.pk + 1000), {}, format="json")
    assert missing.status_code == 404 and missing.json()["code"] == "batch_not_found"
    assert client.post(URL.format(2**40), {}, format="json").status_code == 404

    for user in (staff(email="staff@example.com"), UserFactory(email="shopper@example.com")):
        refused = client_for(user).post(URL.format(sent.pk), {}, format="json")
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert APIClient().post(URL.format(sent.pk), {}, format="json").status_code in (401, 403)
    sent.refresh_from_db()
    assert sent.status == BatchStatus.SENT


def test_a_hash_that_is_not_the_batchs_is_refused(sent):
    client = client_for(integration_user())
    bad = client.post(URL.format(sent.pk), {"content_hash": "0" * 64}, format="json")
    assert bad.status_code == 409 and bad.json()["code"] == "batch_hash_mismatch"
    malformed = client.post(URL.format(sent.pk), {"content_hash": "nope"}, format="json")
    assert malformed.status_code == 400 and "content_hash" in malformed.json()["detail"]
    sent.refresh_from_db()
    assert sent.status == BatchStatus.SENT


def test_a_batch_never_sent_cannot_be_acknowledged(shop, erp_dirs):
    till_sale(shop, [("TEE", 1)], [("cash", "12.50")])
    batch = services.build_order_batch()
    response = client_for(integration_user()).post(URL.format(batch.pk), {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "batch_not_sent"


def test_ack_files_in_the_inbox(sent, erp_dirs, shop):
    till_sale(shop, [("MUG", 1)], [("cash", "6.00")])
    other = OrderBatch.objects.get(pk=services.export_orders().built[0])
    inbox = erp_dirs.inbox
    (inbox / f"ACK_{sent.pk}.txt").write_text(f"{sent.content_hash}\r\n", encoding="utf-8")
    (inbox / f"ACK_{other.pk}.txt").write_text("0" * 64, encoding="utf-8")  # not its hash
    (inbox / "ACK_999999.txt").write_text("", encoding="utf-8")
    (inbox / "ACK_x.txt").write_text("", encoding="utf-8")
    (inbox / "products.csv").write_text("sku\n", encoding="utf-8")  # an import file: not ours

    assert services.process_ack_inbox() == [sent.pk]

    sent.refresh_from_db()
    other.refresh_from_db()
    assert (sent.status, sent.acknowledged_via) == (BatchStatus.ACKNOWLEDGED, "file")
    assert other.status == BatchStatus.SENT
    assert sorted(p.name for p in (inbox / "done").iterdir()) == [f"ACK_{sent.pk}.txt"]
    failed = sorted(p.name for p in (inbox / "failed").iterdir())
    assert failed == sorted(
        [
            f"ACK_{other.pk}.txt",
            f"ACK_{other.pk}.txt.reason",
            "ACK_999999.txt",
            "ACK_999999.txt.reason",
            "ACK_x.txt",
            "ACK_x.txt.reason",
        ]
    )
    assert (inbox / "failed" / f"ACK_{other.pk}.txt.reason").read_text().startswith("batch_hash_mismatch")
    assert (inbox / "products.csv").exists()
    assert services.process_ack_inbox() == []  # nothing left to read


def test_staff_read_a_batch_and_download_its_file_in_the_admin(sent, client):
    from django.contrib.auth.models import Permission

    viewer = staff(email="ops@example.com")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_orderbatch"))
    client.force_login(viewer)

    page = client.get(f"/admin/integrations/orderbatch/{sent.pk}/change/")
    assert page.status_code == 200 and sent.file_name in page.content.decode()
    download = client.get(f"/admin/integrations/orderbatch/{sent.pk}/file/")
    assert download.status_code == 200 and download.content == bytes(sent.content)
    assert client.get(f"/admin/integrations/orderbatch/{sent.pk + 99}/file/").status_code == 404
