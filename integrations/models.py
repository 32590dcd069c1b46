"""ERP exchange: import runs and their reports, order export batches and their acknowledgements,
outgoing webhook endpoints and deliveries."""
