"""ERP exports: catalogue, stock and customer files, and the order flow in acknowledged batches.

``models`` (``OrderBatch``, ``ExportedDocument``, ``ExportStream``), ``documents`` (what an order
flow document says, read from orders, payments, pricing and pos), ``formats`` (CSV/XML in a
profile), ``services`` (build, deliver, acknowledge, re-send), ``catalogue`` (products, stock,
customers), ``api`` (the ack endpoint), ``tasks`` (beat).
"""
