"""What the content app tells the layers above it (``core.events``)."""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class ContentChanged(Event):
    """An article or a page was saved or deleted: the footer's links (on every page) may have changed."""

    name = "content.changed"
