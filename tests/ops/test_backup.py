"""deploy/backup.sh and deploy/restore.sh against the real test database: back up, restore into a
fresh database, and the restored stock passes ``manage.py check_stock`` (the ledger explains every
level), with the media files back."""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from inventory import services
from inventory.models import StockLevel
from tests.factories import LocationFactory, VariantFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_tools():
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES is set but pg_dump / pg_restore / psql are not on PATH")
        pytest.skip("needs pg_dump, pg_restore and psql on PATH")


def server_url(database: str | None = None) -> str:
    """The test database's server as a URL, naming ``database`` (default: the test database)."""
    s = connection.settings_dict
    database = database or s["NAME"]
    auth = quote(s["USER"] or "postgres") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{database}"


def run(args, **env):
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER",)}
    environ.update(env)
    return subprocess.run(args, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300)


@pytest.fixture
def restored_name():
    name = f"{connection.settings_dict['NAME']}_restored_{os.getpid()}"[:63]
    yield name
    run(["psql", server_url("postgres"), "-Xqc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


def test_a_backup_restores_into_a_fresh_database_whose_stock_checks_out(pg_tools, tmp_path, restored_name):
    aja, bas = LocationFactory(code="AJA"), LocationFactory(code="BAS")
    tee, mug = VariantFactory(sku="TEE-1"), VariantFactory(sku="MUG-1")
    for variant, location, quantity in ((tee, aja, 7), (tee, bas, 2), (mug, aja, 5)):
        services.receive_stock(variant=variant, location=location, quantity=quantity, reference="PO-1")
    services.sell_stock(variant=tee, location=aja, quantity=3, reference="SALE-1")
    media = tmp_path / "media"
    (media / "products").mkdir(parents=True)
    (media / "products" / "tee.jpg").write_bytes(b"\xff\xd8 not really a jpeg")

    backup = run(
        ["bash", "deploy/backup.sh", str(tmp_path / "backups")],
        DATABASE_URL=server_url(connection.settings_dict["NAME"]),
        MEDIA_ROOT=str(media),
    )
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert folder.parent == tmp_path / "backups"
    assert sorted(p.name for p in folder.iterdir()) == ["SHA256SUMS", "db.dump", "media.tar.gz"]

    restored_media = tmp_path / "restored-media"
    restore = run(
        ["bash", "deploy/restore.sh", str(folder), restored_name],
        DATABASE_URL=server_url("postgres"),
        MEDIA_ROOT=str(restored_media),
    )
    assert restore.returncode == 0, restore.stderr

    check = run(
        [sys.executable, "manage.py", "check_stock"],
        DATABASE_URL=server_url(restored_name),
        REDIS_URL="",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.strip().endswith(f"OK: {StockLevel.objects.count()} levels checked")
    assert StockLevel.objects.count() == 3
    levels = run(
        [
            "psql",
            server_url(restored_name),
            "-XtAc",
            "SELECT v.sku, l.code, s.on_hand FROM inventory_stocklevel s"
            " JOIN catalog_variant v ON v.id = s.variant_id"
            " JOIN inventory_location l ON l.id = s.location_id ORDER BY 1, 2",
        ],
    )
    assert levels.stdout.split() == ["MUG-1|AJA|5", "TEE-1|AJA|4", "TEE-1|BAS|2"]
    assert (restored_media / "products" / "tee.jpg").read_bytes() == b"\xff\xd8 not really a jpeg"

    again = run(
        ["bash", "deploy/restore.sh", str(folder), restored_name],
        DATABASE_URL=server_url("postgres"),
        MEDIA_ROOT=str(tmp_path / "other-media"),
    )
    assert again.returncode == 2
    assert f"database {restored_name} already exists" in again.stderr


def test_restore_refuses_a_damaged_backup(pg_tools, tmp_path, restored_name):
    folder = tmp_path / "20260101T000000Z"
    folder.mkdir()
    (folder / "db.dump").write_bytes(b"PGDMP truncated")
    (folder / "SHA256SUMS").write_text("0" * 64 + "  db.dump\n")

    restore = run(
        ["bash", "deploy/restore.sh", str(folder), restored_name],
        DATABASE_URL=server_url("postgres"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )

    assert restore.returncode != 0
    exists = run(
        [
            "psql",
            server_url("postgres"),
            "-XtAc",
            f"SELECT count(*) FROM pg_database WHERE datname = '{restored_name}'",
        ]
    )
    assert exists.stdout.strip() == "0"  # nothing created
