"""The portal's "My invoices": the account's invoices and credit notes, and their stored PDFs.

Only one's own (``invoicing.selectors``): another customer's number is a 404, for the list's links
and for the download alike. A document's PDF is rendered by a Celery task after it was issued; until
its ``InvoicePdf`` row exists the list says "PDF being prepared" and the download is a 404.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from invoicing import selectors as invoice_selectors
from invoicing.models import Invoice, InvoicePdf

from .account import portal_login_required

INVOICES_PER_PAGE = 20


@portal_login_required
def invoices(request):
    page = Paginator(invoice_selectors.documents_for_customer(request.user), INVOICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [(document, _stored_pdf(document)) for document in page.object_list]
    return render(
        request,
        "storefront/account/invoices.html",
        {"page": page, "rows": rows, "active_tab": "invoices"},
    )


def _stored_pdf(document: Invoice) -> InvoicePdf | None:
    """The document's PDF row if it was rendered (loaded with the list: no query)."""
    try:
        return document.pdf
    except InvoicePdf.DoesNotExist:
        return None


@portal_login_required
def invoice_pdf(request, number: str):
    document = invoice_selectors.document_for_customer(request.user, number)
    if document is None:
        raise Http404(_("No invoice %(number)s in your account.") % {"number": number})
    try:
        pdf = document.pdf
    except InvoicePdf.DoesNotExist:
        raise Http404(_("The PDF of %(number)s is being prepared.") % {"number": number}) from None
    return FileResponse(
        pdf.file.open("rb"),
        as_attachment=True,
        filename=f"{document.number}.pdf",
        content_type="application/pdf",
    )
