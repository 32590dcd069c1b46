"""What every kind of import shares: a row, a rejection, a chunk's outcome and the handler protocol."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .values import BadValue


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()


@dataclass(frozen=True)
class Reject:
    line: int
    column: str
    reason: str
    value: str = ""


class RowError(Exception):
    """A row cannot be applied: ``column`` says where, the message why."""

    def __init__(self, column: str, reason: str, value: str = "") -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason
        self.value = value


@dataclass
class ChunkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)

    def reject(self, row: Row, error: RowError) -> None:
        self.rejects.append(Reject(row.line, error.column, error.reason, error.value[:200]))

    def add(self, other: ChunkResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejects.extend(other.rejects)


def field_value(row: Row, name: str, parse: Callable[[str], Any], *, required: bool = False) -> Any:
    """``parse`` the row's ``name`` field; ``None`` when empty and not required; RowError otherwise."""
    raw = row.get(name)
    if not raw:
        if required:
            raise RowError(name, f"{name} is missing")
        return None
    try:
        return parse(raw)
    except BadValue as exc:
        raise RowError(name, str(exc), raw) from exc


@dataclass(frozen=True)
class Context:
    """Who runs the import and under which reference the ledger and documents name it."""

    run_id: int
    user_id: int | None = None

    @property
    def reference(self) -> str:
        return f"erp-import:{self.run_id}"


class Handler:
    """One kind of import. ``apply`` gets the valid-looking rows of one chunk and returns what became
    of each one (every row counted exactly once: created, updated, unchanged or rejected). It owns its
    transactions: a chunk, or a row, at a time."""

    kind: ClassVar[str]
    required_columns: ClassVar[tuple[str, ...]]
    chunk_size: ClassVar[int] = 2000

    def __init__(self, context: Context) -> None:
        self.context = context

    def apply(self, rows: list[Row]) -> ChunkResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def finish(self) -> ChunkResult:
        """After the last chunk: rows held back (an order continuing past a chunk), a run's events."""
        return ChunkResult()
