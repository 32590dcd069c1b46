"""Invoicing services: ``issuing`` (one document, numbered), ``daily_run`` (the day's invoices and
credit notes), ``rendering`` (PDF + Factur-X), ``delivery`` (e-mail), ``erp_import`` (ERP files)."""
