from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Variant
from core.models import OutboxMessage
from integrations.imports.models import ImportRun, ImportSource, ImportStatus
from integrations.imports.services import process_inbox
from integrations.imports.tasks import run_erp_import
from tests.factories import CategoryFactory, UserFactory, VatRateFactory

from .helpers import ean, write

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _admin_in_english(settings):
    """The messages below are asserted in English; the back office's default language is French."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def catalog_setup():
    VatRateFactory(rate=Decimal("0.2000"))
    CategoryFactory(slug="shirts")


def test_upload_previews_then_runs_in_celery_with_progress(client, catalog_setup):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    text = f"sku;ean;name_fr;category;price_ttc\nU1;{ean(50)};Un;shirts;10,00\nU2;123;Deux;shirts;10\n"
    response = client.post(
        reverse("admin:integrations_importrun_upload"),
        {"kind": "products", "profile": "", "file": SimpleUploadedFile("articles.csv", text.encode())},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "created=1 updated=0 unchanged=0 rejected=1" in page and "U1" in page and "EAN-13" in page
    assert not Variant.objects.exists()
    dry = ImportRun.objects.get(dry_run=True)
    response = client.post(reverse("admin:integrations_importrun_start", args=[dry.pk]))
    run = ImportRun.objects.get(dry_run=False)
    assert response.url == reverse("admin:integrations_importrun_progress", args=[run.pk])
    assert OutboxMessage.objects.filter(task_name="integrations.imports.tasks.run_erp_import").count() == 1
    assert client.get(response.url).status_code == 200
    progress = reverse("admin:integrations_importrun_progress_json", args=[run.pk])
    assert client.get(progress).json()["status"] == "queued"
    run_erp_import(run_id=run.pk)  # what the worker does with the outbox message
    assert client.get(progress).json() | {"url": ""} == {
        "id": run.pk, "status": "rejects", "status_display": "Done, rows rejected", "percent": 100,
        "created": 1, "updated": 0, "unchanged": 0, "rejected": 1,
        "summary": "created=1 updated=0 unchanged=0 rejected=1", "finished": True, "url": "",
    }  # fmt: skip
    assert Variant.objects.get().sku == "U1"
    assert run_erp_import(run_id=run.pk) == ImportStatus.DONE_WITH_REJECTS  # a second delivery: nothing


def test_upload_refuses_other_files(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:integrations_importrun_upload"),
        {"kind": "products", "file": SimpleUploadedFile("a.pdf", b"%PDF")},
    )
    assert "Send a .csv or .xml file." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_inbox_files_move_to_done_or_failed_with_their_report(tmp_path, catalog_setup):
    inbox = tmp_path / "inbox"
    (inbox / "products").mkdir(parents=True)
    write(inbox / "products" / "ok.csv", f"sku;ean;name_fr;category;price_ttc\nI1;{ean(60)};Un;shirts;10\n")
    write(inbox / "products" / "broken.csv", "no;header;we;know\n1;2;3;4\n")
    runs = process_inbox(inbox=inbox, settle_seconds=0)
    assert sorted((r.file_name, r.status, r.source) for r in runs) == [
        ("broken.csv", ImportStatus.FAILED, ImportSource.INBOX),
        ("ok.csv", ImportStatus.DONE, ImportSource.INBOX),
    ]
    assert list((inbox / "products").iterdir()) == []
    done = sorted(p.name.split("-", 2)[-1] for p in (inbox / "done" / "products").iterdir())
    assert done == ["ok.csv", "ok.csv.report.txt", "ok.csv.rejects.csv"] or set(done) == {
        "ok.csv", "ok.csv.report.txt", "ok.csv.rejects.csv"
    }  # fmt: skip
    failed = [p.name for p in (inbox / "failed" / "products").iterdir() if p.name.endswith(".report.txt")]
    assert len(failed) == 1
    assert Variant.objects.get().sku == "I1"
