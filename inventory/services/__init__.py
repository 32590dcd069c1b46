"""Every write to stock goes through this package, and every stock lock.

How a change is made, whatever the operation (details in ``levels``):

1. The levels it touches are locked at once with ``lock_levels`` (``locking``): one global order,
   location id then variant id, whoever the writer (a web checkout, a POS sale or exchange, a
   click & collect hand-over, a transfer), so two writers never wait on each other crosswise.
   Reservations are locked before their levels, in primary-key order.
2. Every line is checked against the locked figures; ``InsufficientStock`` names the first line that
   cannot be served and nothing is written. Then one conditional UPDATE per line (``... WHERE on_hand
   + d >= reserved + r``): the database refuses a level that would break a rule, whatever happens.
3. One ledger row (``StockMovement``) per line, per lot for lot-tracked variants (FEFO), in the same
   transaction. The ledger sums to the level; nothing else writes either table.
4. After commit, never before, the new figures go to every socket watching the location
   (``inventory.realtime``), and a crossed low-stock threshold e-mails the store manager.

Callers with several lines use the batch services: ``reserve_many``, ``commit_many``,
``release_many``, ``extend_many`` (``reservations``), ``sell_many``, ``return_many`` (``batch``).
The single-line functions are the same code with one line.

These are building blocks that checkout, the POS and the ERP import compose, so they use
``transaction.atomic`` (nestable, not durable): inside a caller's transaction they join it and their
after-commit work waits for the caller's commit. Reads (availability, ledger audit) are in
``inventory.selectors``.
"""

from .alerts import acknowledge_stock_alerts, notify_low_stock, set_low_stock_threshold
from .availability import on_products_changed, rebuild_availability
from .batch import (
    CountLine,
    adjust_stock,
    count_many,
    receive_stock,
    record_loss,
    return_many,
    return_to_stock,
    sell_many,
    sell_stock,
)
from .bins import BIN_MAX_LENGTH, clean_bin_location, set_bin_location
from .initial_load import InitialLoadResult, InitialStock, bulk_receive_initial_stock
from .levels import LotInput, StockChange, StockLine, _after_change
from .locking import lock_levels, lock_reservations
from .reservations import (
    commit_many,
    commit_reservation,
    extend_many,
    extend_reservation,
    release_expired_reservations,
    release_many,
    release_reservation,
    release_units_many,
    reserve_many,
    reserve_stock,
)
from .transfers import TransferResult, transfer_stock

__all__ = [
    "on_products_changed",
    "rebuild_availability",
    "CountLine",
    "count_many",
    "BIN_MAX_LENGTH",
    "clean_bin_location",
    "set_bin_location",
    "InitialLoadResult",
    "InitialStock",
    "LotInput",
    "StockChange",
    "StockLine",
    "TransferResult",
    "_after_change",
    "acknowledge_stock_alerts",
    "adjust_stock",
    "bulk_receive_initial_stock",
    "commit_many",
    "commit_reservation",
    "extend_many",
    "extend_reservation",
    "lock_levels",
    "lock_reservations",
    "notify_low_stock",
    "receive_stock",
    "record_loss",
    "release_expired_reservations",
    "release_many",
    "release_reservation",
    "release_units_many",
    "reserve_many",
    "reserve_stock",
    "return_many",
    "return_to_stock",
    "sell_many",
    "sell_stock",
    "set_low_stock_threshold",
    "transfer_stock",
]
