"""What accounts tell the apps above them (``core.events``): ids and the
few values subscribers need, no models.

| event            | when                                                                        |
|------------------|-----------------------------------------------------------------------------|
| account.closed   | a shopper closed their account (``services.close_account``), before the    |
|                  | e-mail and phone are anonymised: subscribers still see the real addresses   |
| customer.updated | a customer account was created or its details changed (profile page, ERP    |
|                  | webservice): the outgoing webhooks tell the ERP                             |
| account.email_verified | the shopper opened the link sent to the account's e-mail address      |
|                  | (``services.verify_email``): orders attaches the guest orders of that address |

Subscribers that must change with the closing subscribe ``IN_TRANSACTION`` (``core.events``).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class AccountClosed(Event):
    name = "account.closed"

    user_id: int
    email: str  # the addresses as they were, so consents kept by address can be withdrawn
    phone: str


@dataclass(frozen=True)
class CustomerUpdated(Event):
    """A customer account was created or its details changed (profile page, ERP webservice)."""

    name = "customer.updated"

    user_id: int
    created: bool = False


@dataclass(frozen=True)
class AccountEmailVerified(Event):
    """The shopper proved the account's e-mail address is theirs (``services.verify_email``); published
    on every successful verification (subscribers are idempotent)."""

    name = "account.email_verified"

    user_id: int
    email: str  # the verified address, as the account holds it
