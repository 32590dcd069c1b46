"""Domain events: how a lower layer tells a higher one what happened, without importing it.

The layers (docs/architecture.md) let an app import only the apps below it. When something in a
lower app matters to a higher one (a stock level changed and the storefront's page cache must
forget it; an order was paid and loyalty, invoicing and logistics each have work to do), the lower
app *publishes an event* and the higher app *subscribes* to it in its ``AppConfig.ready()``.

- An event is a frozen dataclass subclassing ``Event``, declared in the publishing app's
  ``events.py`` with a dotted ``name`` ("order.paid"). It carries ids and plain values, never model
  instances: subscribers load what they need.
- ``publish(event)`` is called by a service, inside its transaction. Subscribers run:

  * ``AFTER_COMMIT`` (the default): once the outermost transaction commits, through
    ``transaction.on_commit(..., robust=True)``: a failing subscriber is logged by Django and does
    not stop the others; a rollback runs none of them. Use it for anything that talks to the outside world or
    can be redone (cache bumps, websocket pushes, queueing a Celery task).
  * ``IN_TRANSACTION``: at once, inside the publisher's transaction: the subscriber's writes commit
    or roll back with the publisher's, and an exception from it aborts the publisher's operation.
    Use it only for writes that must be atomic with the event (an order line must be recorded as
    owed to the invoice run in the transaction that makes it owed).

- Nothing here uses Django model signals: a reader of a service sees every ``publish`` it makes, and
  ``subscribers_of(EventClass)`` / ``registry()`` say who listens (``manage.py events`` lists them).

Tests: ``django_capture_on_commit_callbacks(execute=True)`` runs the after-commit subscribers;
``recorded()`` collects the events published inside a ``with`` block.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, TypeVar

from django.db import transaction


class Phase(enum.Enum):
    AFTER_COMMIT = "after_commit"
    IN_TRANSACTION = "in_transaction"


AFTER_COMMIT = Phase.AFTER_COMMIT
IN_TRANSACTION = Phase.IN_TRANSACTION


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of every domain event. Subclasses are frozen dataclasses with a class-level ``name``."""

    name: ClassVar[str] = ""

    def __init_subclass__(cls, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if abstract:  # a base that shares fields between events (``class OrderEvent(Event, abstract=True)``)
            return
        if not cls.name or "." not in cls.name:
            raise TypeError(f"{cls.__qualname__} needs a dotted name, e.g. name = 'order.paid'.")
        if cls.name in _EVENT_TYPES and _EVENT_TYPES[cls.name] is not cls:
            other = _EVENT_TYPES[cls.name]
            raise TypeError(f"Event name {cls.name!r} is taken by {other.__module__}.{other.__qualname__}.")
        _EVENT_TYPES[cls.name] = cls

    def as_dict(self) -> dict[str, Any]:
        return {"event": self.name, **dataclasses.asdict(self)}


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]


@dataclasses.dataclass(frozen=True)
class Subscription:
    event_type: type[Event]
    handler: Handler
    phase: Phase

    @property
    def handler_name(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


_EVENT_TYPES: dict[str, type[Event]] = {}
_SUBSCRIPTIONS: dict[type[Event], list[Subscription]] = defaultdict(list)
_recorders: list[list[Event]] = []


def subscribe(event_type: type[E], handler: Callable[[E], None], *, phase: Phase = AFTER_COMMIT) -> None:
    """Call ``handler(event)`` for every published ``event_type``; idempotent (call it in ``ready()``)."""
    if not (isinstance(event_type, type) and issubclass(event_type, Event)) or event_type is Event:
        raise TypeError(f"subscribe() takes an Event subclass, not {event_type!r}.")
    subscription = Subscription(event_type, handler, phase)
    if subscription not in _SUBSCRIPTIONS[event_type]:
        _SUBSCRIPTIONS[event_type].append(subscription)


def unsubscribe(event_type: type[Event], handler: Handler) -> None:
    _SUBSCRIPTIONS[event_type] = [s for s in _SUBSCRIPTIONS[event_type] if s.handler != handler]


def publish(event: Event) -> None:
    """Tell the subscribers: in-transaction ones now, the others after the outermost commit."""
    if not isinstance(event, Event):
        raise TypeError(f"publish() takes an Event, not {event!r}.")
    for recorder in _recorders:
        recorder.append(event)
    for subscription in list(_SUBSCRIPTIONS.get(type(event), ())):
        if subscription.phase is IN_TRANSACTION:
            subscription.handler(event)
        else:
            transaction.on_commit(functools.partial(subscription.handler, event), robust=True)


def subscribers_of(event_type: type[Event]) -> list[Subscription]:
    return list(_SUBSCRIPTIONS.get(event_type, ()))


def registry() -> dict[str, list[Subscription]]:
    """Every declared event (imported so far) by name, with its subscriptions, for docs and checks."""
    return {name: subscribers_of(cls) for name, cls in sorted(_EVENT_TYPES.items())}


def event_types() -> dict[str, type[Event]]:
    return dict(sorted(_EVENT_TYPES.items()))


@contextlib.contextmanager
def recorded() -> Iterator[list[Event]]:
    """``with events.recorded() as seen: ...`` collects what was published in the block (tests)."""
    seen: list[Event] = []
    _recorders.append(seen)
    try:
        yield seen
    finally:
        _recorders.remove(seen)
