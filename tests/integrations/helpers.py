"""Write small ERP files the way the ERPs do, and run the import command on them."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from catalog.validators import ean13_check_digit


def ean(n: int) -> str:
    first12 = f"300{n:09d}"
    return first12 + str(ean13_check_digit(first12))


def write(path: Path, text: str, *, encoding: str = "utf-8", crlf: bool = False) -> Path:
    data = text.replace("\n", "\r\n") if crlf else text
    path.write_bytes(data.encode(encoding))
    return path


def erp_import(kind: str, path: Path, *args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("erp_import", kind, str(path), *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1]
