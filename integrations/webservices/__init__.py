"""The ERP's real-time webservices under /api/v1/erp/ (integration role only): upsert products,
group prices and customers by their codes, read orders since a cursor. Views in ``views``, the
order reads in ``selectors``; the writes are catalog's, pricing's and accounts' services."""
