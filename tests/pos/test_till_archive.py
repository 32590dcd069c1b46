"""The signed archive of a period of the till journal: exported, verified, and a tampered copy
refused (a changed entry, a changed file, a forged manifest, another key, an added file)."""

import datetime as dt
import json
import zipfile
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.utils import timezone

from pos.services import till_archive
from pos.services.sessions import close_register_session
from tests.pos.journal_support import chain

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(tmp_path, session, cashier_user, tshirt, mug, sell):
    sell(session, cashier_user, [("TSHIRT-M-RED", 2)], [("card", "24.00")])
    sell(session, cashier_user, [("MUG-1", 1)], [("cash", "10.00")])
    close_register_session(session=session, user=cashier_user, counts={"50": 2, "5": 1, "2": 1, "0.5": 1})
    today = timezone.localdate()
    path = tmp_path / "till.zip"
    call_command("export_till_archive", "--from", str(today), "--to", str(today), "--out", str(path))
    return path


def read(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def write(path, files):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)


def sha(data):
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_the_archive_holds_the_period_and_verifies(archive, session, capsys):
    files = read(archive)
    assert sorted(files) == [
        "closings.csv",
        "journal.csv",
        "journal.json",
        "manifest.json",
        "manifest.sig.json",
    ]
    entries = json.loads(files["journal.json"])
    assert [(e["journal"], e["sequence"], e["kind"]) for e in entries] == [
        ("closings", 1, "z"),
        ("sales", 1, "sale"),
        ("sales", 2, "sale"),
        ("technical", 1, "session_open"),
        ("technical", 2, "session_close"),
    ]
    sale = entries[1]
    assert (sale["total_gross"], sale["grand_total_perpetual"], sale["vat"]) == (
        "24.00",
        "24.00",
        {"0.2000": {"net": "20.00", "vat": "4.00", "gross": "24.00"}},
    )
    assert sale["hash"] == chain(session.register)[0].hash
    manifest = json.loads(files["manifest.json"])
    assert manifest["files"]["journal.json"]["sha256"] == sha(files["journal.json"])
    assert manifest["registers"][str(session.register_id)]["code"] == "aja-1"
    z = files["closings.csv"].decode().splitlines()
    assert len(z) == 2 and z[1].startswith(
        f"{session.register_id},z,session-{session.pk},1,2,0,31.50,0.00,31.50,"
    )
    assert len(files["journal.csv"].decode().splitlines()) == 6
    signature = json.loads(files["manifest.sig.json"])
    assert (signature["algorithm"], signature["public_key"]) == ("Ed25519", till_archive.archive_public_key())

    call_command("verify_till_archive", str(archive))

    assert "Till archive OK: signature valid, 5 entries in 3 chain(s) verified." in capsys.readouterr().out


def test_a_changed_amount_in_the_archive_is_caught(archive):
    files = read(archive)
    entries = json.loads(files["journal.json"])
    entries[1]["total_gross"] = "2.40"
    files["journal.json"] = json.dumps(entries).encode()
    write(archive, files)

    with pytest.raises(CommandError) as refused:
        call_command("verify_till_archive", str(archive))

    message = str(refused.value)
    assert "journal.json does not match its SHA-256 in the manifest" in message
    assert "entry #1: its content does not match its hash" in message


def test_a_manifest_updated_to_match_is_caught_by_the_signature(archive):
    files = read(archive)
    entries = json.loads(files["journal.json"])
    del entries[2]  # the second sale disappears
    files["journal.json"] = json.dumps(entries).encode()
    manifest = json.loads(files["manifest.json"])
    manifest["files"]["journal.json"]["sha256"] = sha(files["journal.json"])
    files["manifest.json"] = json.dumps(manifest).encode()
    write(archive, files)

    check = till_archive.verify_till_archive(path=archive)

    assert not check.ok
    assert check.problems[0].startswith("the manifest's signature is not valid")
    assert "its last entry is not the manifest's" in check.problems[-1]


def test_an_archive_re_signed_with_another_key_is_refused(archive):
    files = read(archive)
    other = Ed25519PrivateKey.generate()
    signature = json.loads(files["manifest.sig.json"])
    signature["signature"] = other.sign(files["manifest.json"]).hex()
    signature["public_key"] = other.public_key().public_bytes_raw().hex()
    files["manifest.sig.json"] = json.dumps(signature).encode()
    write(archive, files)

    check = till_archive.verify_till_archive(path=archive)

    assert check.problems[:2] == [
        "signed with another key than the expected public key",
        "the manifest's signature is not valid (manifest changed or not signed by this key)",
    ]
    # With the other key given, as an inspector holding the wrong key would: it verifies.
    assert till_archive.verify_till_archive(path=archive, public_key=signature["public_key"]).ok


def test_an_added_file_and_a_broken_zip_are_refused(archive, tmp_path):
    files = read(archive)
    files["extra.csv"] = b"a,b\n"
    write(archive, files)
    assert till_archive.verify_till_archive(path=archive).problems == ["extra.csv is not in the manifest"]

    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    assert till_archive.verify_till_archive(path=broken).problems[0].startswith("not a readable zip file")


def test_export_refuses_a_period_backwards_and_an_unknown_register(db, tmp_path):
    with pytest.raises(CommandError, match="ends before it starts"):
        call_command(
            "export_till_archive",
            "--from",
            "2026-11-30",
            "--to",
            "2026-11-01",
            "--out",
            str(tmp_path / "a.zip"),
        )
    with pytest.raises(CommandError, match="No register nope"):
        call_command(
            "export_till_archive",
            *(
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-30",
                "--register",
                "nope",
                "--out",
                str(tmp_path / "a.zip"),
            ),
        )
    with pytest.raises(CommandError, match="is not a date"):
        call_command(
            "export_till_archive", "--from", "1/11", "--to", "2026-11-30", "--out", str(tmp_path / "a.zip")
        )
    assert not (tmp_path / "a.zip").exists()


def test_a_period_without_entries_gives_an_empty_archive_that_verifies(db, tmp_path):
    path = tmp_path / "empty.zip"
    summary = till_archive.export_till_archive(
        date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 1, 31), out=path
    )
    assert (summary.entries, summary.chains) == (0, 0)
    assert till_archive.verify_till_archive(path=path).ok
