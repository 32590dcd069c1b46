"""A tolerant reader of the files French ERPs export: everything detected, nothing needs a flag.

- Encoding: UTF-8 with or without BOM, else Windows-1252 (decided by one streaming pass over the
  bytes, which also computes the file's SHA-256).
- CSV separator: ``;``, ``,``, tab or ``|`` (``csv.Sniffer`` on the first lines, then checked: the
  header must split into the same number of fields as the first records).
- Quoted fields with separators, doubled quotes and line breaks inside; CRLF or LF; trailing spaces.
- A quote never closed does not swallow the rest of the file: the record is given up as soon as it
  would hold more fields than the header (or at the end of the file, or after ``MAX_RECORD_LINES``
  lines), reported as a bad row, and reading starts again on the line after it.
- XML: ``<products><product><sku>…</sku>…</product></products>`` and the like (any root, one element
  per record, one child element per field), read with ``lxml.etree.iterparse`` (no entities, no
  network) and cleared as it goes.

Rows are streamed (``Record`` by ``Record``): memory stays flat whatever the file's size.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_RECORD_LINES = 200  # a quoted field longer than this many lines is taken for a quote never closed
SEPARATORS = ";\t,|"
CHUNK = 1 << 16


class UnreadableFile(Exception):
    """The file cannot be read at all (nothing is applied)."""


@dataclass
class Record:
    """One row of the file: its first line number, and its fields by header name (or the problem)."""

    line: int
    values: dict[str, str] = field(default_factory=dict)
    error: str = ""
    column: str = ""


@dataclass
class FileInfo:
    path: Path
    sha256: str
    encoding: str
    format: str  # "csv" or "xml"
    separator: str = ""
    size: int = 0
    lines: int = 0


def inspect_file(path: Path) -> FileInfo:
    """Hash the file and find its encoding and format, in one streaming pass (no full read)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = 0
    lines = 0
    head = b""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                size += len(chunk)
                lines += chunk.count(b"\n")
                digest.update(chunk)
                if len(head) < 4096:
                    head += chunk[: 4096 - len(head)]
                if utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = False
            if utf8:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8 = False
    except OSError as exc:
        raise UnreadableFile(f"cannot open {path.name}: {exc.strerror or exc}") from exc
    if size == 0:
        raise UnreadableFile(f"{path.name} is empty")
    if b"\x00" in head:
        raise UnreadableFile(f"{path.name} is not a text file (UTF-16 or binary)")
    encoding = "utf-8-sig" if utf8 else "cp1252"
    text_head = head.decode(encoding, errors="replace").lstrip("\ufeff").lstrip()
    fmt = "xml" if text_head.startswith("<") else "csv"
    info = FileInfo(
        path=path, sha256=digest.hexdigest(), encoding=encoding, format=fmt, size=size, lines=lines + 1
    )
    if fmt == "csv":
        info.separator = detect_separator(text_head)
    return info


def split_line(line: str, sep: str) -> tuple[list[str], bool]:
    """Split one (possibly multi-line) record; returns the fields and whether a quote is still open.

    A quote opens a field only at the field's start (after spaces); inside, ``""`` is a quote; a
    quote elsewhere is a character like any other (``12" screen``)."""
    if '"' not in line:
        return line.split(sep), False
    fields: list[str] = []
    buf: list[str] = []
    i, n = 0, len(line)
    at_start, quoted = True, False
    while i < n:
        ch = line[i]
        if quoted:
            if ch == '"':
                if i + 1 < n and line[i + 1] == '"':
                    buf.append('"')
                    i += 2
                    continue
                quoted = False
            else:
                buf.append(ch)
        elif ch == sep:
            fields.append("".join(buf))
            buf, at_start = [], True
        elif ch == '"' and at_start:
            quoted, at_start, buf = True, False, []
        else:
            if not ch.isspace():
                at_start = False
            buf.append(ch)
        i += 1
    fields.append("".join(buf))
    return fields, quoted


def detect_separator(sample: str) -> str:
    """The separator of a CSV sample: the Sniffer's guess if the first lines agree with it, else the
    candidate giving the header the most fields, the same number on the first records."""
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may cut the last line
    try:
        guess = csv.Sniffer().sniff("\n".join(lines), delimiters=SEPARATORS).delimiter
    except csv.Error:
        guess = ""
    best, best_score = ";", 0
    for sep in ([guess] if guess else []) + list(SEPARATORS):
        counts = [len(split_line(line, sep)[0]) for line in lines[:5] if not split_line(line, sep)[1]]
        if not counts or counts[0] < 2:
            continue
        agreeing = sum(1 for c in counts if c == counts[0])
        score = counts[0] * 10 + agreeing
        if sep == guess and agreeing == len(counts):
            return sep
        if score > best_score:
            best, best_score = sep, score
    return best


def normalize_header(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().strip('"').strip().lower()


def read_records(info: FileInfo) -> Iterator[Record]:
    """The file's records, in order, each with its line number; headers lower-cased."""
    if info.format == "xml":
        yield from _read_xml(info)
    else:
        yield from _read_csv(info)


def _physical_lines(info: FileInfo) -> Iterator[str]:
    with info.path.open("r", encoding=info.encoding, newline="") as handle:
        for line in handle:
            yield line.rstrip("\r\n")


def _read_csv(info: FileInfo) -> Iterator[Record]:
    sep = info.separator
    lines = _physical_lines(info)
    header: list[str] | None = None
    line_no = 0
    pending: list[tuple[int, str]] = []  # lines taken back after a quote never closed
    while True:
        if pending:
            start, text = pending.pop(0)
        else:
            try:
                text = next(lines)
            except StopIteration:
                return
            line_no += 1
            start = line_no
        if not text.strip():
            continue
        fields, open_quote = split_line(text, sep)
        buffered: list[tuple[int, str]] = []
        while open_quote:
            if header is not None and len(fields) > len(header):
                break
            if len(buffered) >= MAX_RECORD_LINES:
                break
            if pending:
                nxt = pending.pop(0)
            else:
                try:
                    raw = next(lines)
                except StopIteration:
                    break
                line_no += 1
                nxt = (line_no, raw)
            buffered.append(nxt)
            text = text + "\n" + nxt[1]
            fields, open_quote = split_line(text, sep)
        if open_quote:
            # Give the record up: report its first line, read again from the line after it.
            pending = buffered + pending
            yield Record(line=start, error="a quote is never closed", column="")
            continue
        if header is None:
            header = [normalize_header(name) for name in fields]
            continue
        if len(fields) != len(header):
            if len(fields) > len(header) and all(not f.strip() for f in fields[len(header) :]):
                fields = fields[: len(header)]  # trailing separators
            else:
                yield Record(
                    line=start, error=f"{len(fields)} columns, the header has {len(header)}", column=""
                )
                continue
        yield Record(
            line=start, values={name: value.strip() for name, value in zip(header, fields, strict=True)}
        )


def _read_xml(info: FileInfo) -> Iterator[Record]:
    from lxml import etree  # type: ignore[import-untyped]

    count = 0
    try:
        with info.path.open("rb") as handle:
            context = etree.iterparse(
                handle,
                events=("start", "end"),
                resolve_entities=False,
                no_network=True,
                huge_tree=False,
                load_dtd=False,
            )
            depth = 0
            for event, element in context:
                if event == "start":
                    depth += 1
                    continue
                depth -= 1
                if depth == 1:  # a record: a child of the root
                    values = {
                        normalize_header(etree.QName(child).localname): (child.text or "").strip()
                        for child in element
                        if isinstance(child.tag, str)
                    }
                    count += 1
                    yield Record(line=element.sourceline or 0, values=values)
                    element.clear(keep_tail=False)
                    parent = element.getparent()
                    if parent is not None:
                        while element.getprevious() is not None:
                            del parent[0]
    except etree.XMLSyntaxError as exc:
        if count == 0:
            raise UnreadableFile(f"not well-formed XML: {exc.msg}") from exc
        yield Record(line=exc.lineno or 0, error=f"XML: {exc.msg}", column="")


def read_text_sample(info: FileInfo, limit: int = 10) -> list[Record]:
    """The first ``limit`` records (the admin's preview)."""
    out: list[Record] = []
    for record in read_records(info):
        out.append(record)
        if len(out) >= limit:
            break
    return out
