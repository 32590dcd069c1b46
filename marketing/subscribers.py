"""What marketing does when lower apps report a change.

Subscribed in ``MarketingConfig.ready()`` (``subscribe()``); each handler calls one service.
"""

from __future__ import annotations

from accounts import events as account_events
from core import events

from . import services

# --- account closed: withdraw every marketing consent (helper E, issue 12) --------------------------


def on_account_closed(event: account_events.AccountClosed) -> None:
    services.withdraw_closed_account(user_id=event.user_id, email=event.email, phone=event.phone)


def subscribe_account_closed() -> None:
    # In the transaction: the account is never closed with its consents still granted.
    events.subscribe(account_events.AccountClosed, on_account_closed, phase=events.IN_TRANSACTION)


# --- end: account closed ------------------------------------------------------------------------------


def subscribe() -> None:
    subscribe_account_closed()
