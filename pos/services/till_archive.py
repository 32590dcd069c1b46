"""The till journal's archive for a tax inspector: a signed zip of a period, and its verification.

``export_till_archive`` writes, for the journal entries the server recorded from ``date_from`` to
``date_to`` (Europe/Paris calendar days, every register or one):

- ``journal.json``: every entry with all its hashed fields (the canonical form) and its hash, so
  anyone can recompute each SHA-256 (``pos.journal_models.canonical_bytes``) and follow the chains;
- ``journal.csv``: the same, one row per entry (UTF-8, comma separated, JSON in the vat and payload
  columns);
- ``closings.csv``: the Z, monthly and yearly closings of the period, their totals flattened;
- ``manifest.json``: the period, the seller, the registers, each file's SHA-256 and size, and each
  chain's first and last entry in the archive (the hash before the first: where the chain comes
  from) plus its head in the database at export time;
- ``manifest.sig.json``: an Ed25519 signature of ``manifest.json`` (the ``cryptography`` library)
  and the public key. The private key is derived from ``settings.TILL_ARCHIVE_SIGNING_KEY``
  (default: derived from ``SECRET_KEY``); ``archive_public_key()`` is the key to hand an inspector.

``verify_till_archive`` checks the signature (against the expected public key), every file's hash,
that no file was added, and every chain in ``journal.json``: sequences without gaps, each previous
hash, each recomputed hash, the manifest's first and last hashes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from core.errors import ValidationFailed

from ..journal_models import EntryKind, Journal, JournalEntry, JournalHead, entry_hash
from ..models import Register
from .journal import entry_fields

FORMAT = "till-journal-archive/1"
SIGNED = "manifest.json"
SIGNATURE = "manifest.sig.json"
CSV_COLUMNS = [
    "register_id",
    "journal",
    "sequence",
    "kind",
    "session_id",
    "created_at",
    "occurred_at",
    "user_id",
    "reference",
    "period",
    "total_gross",
    "vat",
    "grand_total_perpetual",
    "grand_total_perpetual_abs",
    "payload",
    "previous_hash",
    "hash",
]


@dataclass
class ArchiveSummary:
    path: Path
    entries: int
    chains: int
    public_key: str
    manifest_sha256: str


@dataclass
class ArchiveCheck:
    entries: int = 0
    chains: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _private_key() -> Ed25519PrivateKey:
    secret = getattr(settings, "TILL_ARCHIVE_SIGNING_KEY", "") or f"till-archive:{settings.SECRET_KEY}"
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(secret.encode()).digest())


def archive_public_key() -> str:
    """The hex public key archives are signed with (to give the inspector, out of band)."""
    raw = _private_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()


def export_till_archive(
    *, date_from: dt.date, date_to: dt.date, out: Path | str, register_code: str | None = None
) -> ArchiveSummary:
    """Write the signed archive of ``date_from``..``date_to`` (inclusive) to ``out`` (read-only)."""
    if date_to < date_from:
        raise ValidationFailed(
            "The period ends before it starts.", detail={"from": str(date_from), "to": str(date_to)}
        )
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    registers = Register.objects.select_related("store").order_by("code")
    if register_code:
        registers = registers.filter(code=register_code)
        if not registers.exists():
            raise ValidationFailed(f"No register {register_code}.", detail={"register": register_code})
    register_ids = [r.pk for r in registers]
    entries = (
        JournalEntry.objects.filter(register_id__in=register_ids, created_at__gte=start, created_at__lt=end)
        .order_by("register_id", "journal", "sequence")
        .iterator(chunk_size=2000)
    )
    rows: list[dict[str, Any]] = []
    chains: dict[str, dict[str, Any]] = {}
    csv_buffer = io.StringIO()
    writer = csv.writer(csv_buffer)
    writer.writerow(CSV_COLUMNS)
    closings_buffer = io.StringIO()
    closings = csv.writer(closings_buffer)
    closings.writerow(
        [
            "register_id",
            "kind",
            "period",
            "sequence",
            "sales_count",
            "returns_count",
            "sales_total",
            "returns_total",
            "net_total",
            "vat",
            "tenders",
            "grand_total_perpetual",
            "grand_total_perpetual_abs",
            "hash",
        ]
    )
    for entry in entries:
        fields = entry_fields(entry)
        rows.append(fields)
        writer.writerow(
            [
                json.dumps(fields[c], sort_keys=True) if c in ("vat", "payload") else fields[c]
                for c in CSV_COLUMNS
            ]
        )
        key = f"{entry.register_id}/{entry.journal}"
        chain = chains.setdefault(
            key,
            {
                "register_id": entry.register_id,
                "journal": entry.journal,
                "first_sequence": entry.sequence,
                "previous_hash": entry.previous_hash,
                "entries": 0,
            },
        )
        chain["entries"] += 1
        chain["last_sequence"] = entry.sequence
        chain["last_hash"] = entry.hash
        if entry.journal == Journal.CLOSINGS and entry.kind in (EntryKind.Z, EntryKind.MONTH, EntryKind.YEAR):
            p = entry.payload
            closings.writerow(
                [
                    entry.register_id,
                    entry.kind,
                    entry.period,
                    entry.sequence,
                    p.get("sales_count"),
                    p.get("returns_count"),
                    p.get("sales_total"),
                    p.get("returns_total"),
                    p.get("net_total"),
                    json.dumps(p.get("vat", {}), sort_keys=True),
                    json.dumps(p.get("tenders", {}), sort_keys=True),
                    fields["grand_total_perpetual"],
                    fields["grand_total_perpetual_abs"],
                    entry.hash,
                ]
            )
    heads = {
        f"{h.register_id}/{h.journal}": {"last_sequence": h.last_sequence, "last_hash": h.last_hash}
        for h in JournalHead.objects.filter(register_id__in=register_ids)
    }
    for key, chain in chains.items():
        chain["head_at_export"] = heads.get(key)
    files = {
        "journal.json": _json_bytes(rows),
        "journal.csv": csv_buffer.getvalue().encode(),
        "closings.csv": closings_buffer.getvalue().encode(),
    }
    manifest = {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(),
        "period": {"from": str(date_from), "to": str(date_to), "timezone": str(tz)},
        "seller": _seller(),
        "registers": {
            str(r.pk): {"code": r.code, "name": r.name, "store": r.store.code, "store_name": r.store.name}
            for r in registers
        },
        "hash": "SHA-256 over canonical JSON (sorted keys, no spaces, UTF-8) of an entry's fields but 'hash'",
        "files": {name: {"sha256": _sha256(data), "size": len(data)} for name, data in files.items()},
        "chains": [chains[k] for k in sorted(chains)],
    }
    manifest_bytes = _json_bytes(manifest)
    signing_key = _private_key()
    signature = {
        "algorithm": "Ed25519",
        "signed_file": SIGNED,
        "public_key": archive_public_key(),
        "signature": signing_key.sign(manifest_bytes).hex(),
    }
    path = Path(out)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(SIGNED, manifest_bytes)
        archive.writestr(SIGNATURE, _json_bytes(signature))
    return ArchiveSummary(
        path=path,
        entries=len(rows),
        chains=len(chains),
        public_key=signature["public_key"],
        manifest_sha256=_sha256(manifest_bytes),
    )


def _seller() -> dict[str, Any]:
    from core.legal import seller

    try:
        return seller().as_snapshot()
    except (KeyError, TypeError, AttributeError):
        return {}


def verify_till_archive(*, path: Path | str, public_key: str | None = None) -> ArchiveCheck:
    """Check an archive (see the module docstring). ``public_key``: hex; default: this server's."""
    check = ArchiveCheck()
    problems = check.problems
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        problems.append(f"not a readable zip file: {exc}")
        return check
    with archive:
        names = set(archive.namelist())
        if SIGNED not in names or SIGNATURE not in names:
            problems.append(f"{SIGNED} or {SIGNATURE} is missing")
            return check
        manifest_bytes = archive.read(SIGNED)
        try:
            signature = json.loads(archive.read(SIGNATURE))
            manifest = json.loads(manifest_bytes)
        except ValueError as exc:
            problems.append(f"the manifest or its signature is not JSON: {exc}")
            return check
        expected_key = (public_key or archive_public_key()).lower()
        if signature.get("public_key", "").lower() != expected_key:
            problems.append("signed with another key than the expected public key")
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(expected_key)).verify(
                bytes.fromhex(signature.get("signature", "")), manifest_bytes
            )
        except (InvalidSignature, ValueError):
            problems.append(
                "the manifest's signature is not valid (manifest changed or not signed by this key)"
            )
        listed = manifest.get("files", {})
        for name in sorted(names - {SIGNED, SIGNATURE} - set(listed)):
            problems.append(f"{name} is not in the manifest")
        for name, meta in sorted(listed.items()):
            if name not in names:
                problems.append(f"{name} is missing")
            elif _sha256(archive.read(name)) != meta.get("sha256"):
                problems.append(f"{name} does not match its SHA-256 in the manifest")
        if "journal.json" in names:
            _check_chains(json.loads(archive.read("journal.json")), manifest.get("chains", []), check)
    return check


def _check_chains(rows: list[dict[str, Any]], chains: list[dict[str, Any]], check: ArchiveCheck) -> None:
    expected = {f"{c['register_id']}/{c['journal']}": c for c in chains}
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        check.entries += 1
        key = f"{row['register_id']}/{row['journal']}"
        where = f"register {row['register_id']}, {row['journal']} journal, entry #{row['sequence']}"
        last = seen.get(key)
        if last is None:
            chain = expected.get(key)
            if chain is None:
                check.problems.append(f"{where}: its chain is not in the manifest")
                return
            if row["sequence"] != chain["first_sequence"] or row["previous_hash"] != chain["previous_hash"]:
                check.problems.append(f"{where}: the chain does not start where the manifest says")
                return
        elif row["sequence"] != last["sequence"] + 1 or row["previous_hash"] != last["hash"]:
            check.problems.append(f"{where}: not linked to entry #{last['sequence']} (gap or reordering)")
            return
        if entry_hash({k: v for k, v in row.items() if k != "hash"}) != row["hash"]:
            check.problems.append(f"{where}: its content does not match its hash")
            return
        seen[key] = row
    for key, chain in expected.items():
        last = seen.get(key)
        if last is None or last["hash"] != chain.get("last_hash"):
            check.problems.append(f"chain {key}: its last entry is not the manifest's")
    check.chains = len(seen)


__all__ = ["archive_public_key", "export_till_archive", "verify_till_archive"]
