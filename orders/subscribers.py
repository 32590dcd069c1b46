"""What the orders app does when a lower app reports a change (``core.events``).

- ``account.email_verified``: the web orders placed as a guest under that address join the account
  (``services.guest_orders.attach_guest_orders``), in the verification's transaction.
"""

from __future__ import annotations

from accounts import events as account_events
from core import events

from .services.guest_orders import attach_guest_orders


def on_email_verified(event: account_events.AccountEmailVerified) -> None:
    attach_guest_orders(user_id=event.user_id, email=event.email)


def subscribe() -> None:
    events.subscribe(account_events.AccountEmailVerified, on_email_verified, phase=events.IN_TRANSACTION)
