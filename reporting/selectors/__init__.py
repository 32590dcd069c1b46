"""Read-side queries of the dashboard, one module per page (overview, sales, stock, customers,
conversion). Every read goes to ``reporting.db.read_alias()`` and is limited by the caller's
``access.Scope``."""
