"""The cashier's register in the browser (``/pos/``): thin page views around a plain-JS app.

The app itself (native ES modules under ``static/pos/js/``, booted by ``main.js``) talks only to
the POS JSON API (``/api/v1/pos/``) and to the live stock socket (``/ws/stock/``). These views serve
its shell, the sign-in page and the service worker that keeps the shell available offline.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from core.look import design_token
from inventory.models import Location, LocationKind

from .language import activate_user_language
from .permissions import is_pos_user

DENOMINATIONS = ["500.00", "200.00", "100.00", "50.00", "20.00", "10.00", "5.00",
                 "2.00", "1.00", "0.50", "0.20", "0.10", "0.05", "0.02", "0.01"]  # fmt: skip
APP_MAIN = "pos/js/main.js"


def app_modules() -> list[str]:
    """Static names of every module of the register app (``static/pos/js/*.js``), sorted.

    The service worker caches them all at install: the register boots offline only if every module
    ``main.js`` imports, directly or not, is in its cache.
    """
    main = finders.find(APP_MAIN)
    if not main:
        return []
    return sorted(f"pos/js/{path.name}" for path in Path(main).parent.glob("*.js"))


def ui_strings() -> dict[str, str]:
    """Every sentence the register's JavaScript shows, translated for the cashier's language.

    ``{n}``-style placeholders are filled in by the app (``t("n_here", {n: 3})``); a sentence that
    depends on a count comes as ``<key>_one`` and ``<key>_other`` (``tn("n_items", 3)``), the form
    picked by ``Intl.PluralRules`` in the cashier's language.
    """
    return {
        "online": _("Online"),
        "waiting": _("Waiting for the network"),
        "offline_waiting_one": ngettext("Offline — {n} sale waiting", "Offline — {n} sales waiting", 1),
        "offline_waiting_other": ngettext("Offline — {n} sale waiting", "Offline — {n} sales waiting", 2),
        "online_waiting_one": ngettext("{n} sale waiting to sync", "{n} sales waiting to sync", 1),
        "online_waiting_other": ngettext("{n} sale waiting to sync", "{n} sales waiting to sync", 2),
        "syncing_one": ngettext("Syncing {n} sale…", "Syncing {n} sales…", 1),
        "syncing_other": ngettext("Syncing {n} sale…", "Syncing {n} sales…", 2),
        "sync_errors_one": ngettext(
            "{n} sale could not sync: see the details", "{n} sales could not sync: see the details", 1
        ),
        "sync_errors_other": ngettext(
            "{n} sale could not sync: see the details", "{n} sales could not sync: see the details", 2
        ),
        "synced_one": ngettext("{n} offline sale synced", "{n} offline sales synced", 1),
        "synced_other": ngettext("{n} offline sale synced", "{n} offline sales synced", 2),
        "close_failed_stay_one": ngettext(
            "{n} sale the server refused stays on this tablet (see the queue).",
            "{n} sales the server refused stay on this tablet (see the queue).",
            1,
        ),
        "close_failed_stay_other": ngettext(
            "{n} sale the server refused stays on this tablet (see the queue).",
            "{n} sales the server refused stay on this tablet (see the queue).",
            2,
        ),
        "n_items_one": ngettext("{n} item", "{n} items", 1),
        "n_items_other": ngettext("{n} item", "{n} items", 2),
        "close_queue_one": ngettext(
            "{n} offline sale has not synced yet: reconnect before closing.",
            "{n} offline sales have not synced yet: reconnect before closing.",
            1,
        ),
        "close_queue_other": ngettext(
            "{n} offline sale has not synced yet: reconnect before closing.",
            "{n} offline sales have not synced yet: reconnect before closing.",
            2,
        ),
        "sync_failed": _("The sync failed:"),
        "network_error": _("No connection to the server."),
        "server_error": _("The server could not do this. Try again."),
        "storage_error": _("This tablet could not save the sale locally:"),
        "catalog_failed": _("The catalog could not be refreshed:"),
        "catalog_loading": _("Catalog loading {n}%"),
        "catalog_loading_count_one": ngettext("Catalog loading… {n} item", "Catalog loading… {n} items", 1),
        "catalog_loading_count_other": ngettext("Catalog loading… {n} item", "Catalog loading… {n} items", 2),
        "catalog_updating": _("Catalog updating…"),
        "live_idle": _("Live stock"),
        "live_connecting": _("Connecting…"),
        "live_live": _("Live stock"),
        "live_reconnecting": _("Reconnecting…"),
        "live_offline": _("Stock not live"),
        "live_denied": _("Live stock not allowed"),
        "loading": _("Loading…"),
        "no_registers": _("This store has no active register. Ask your manager."),
        "register_open": _("Open — {who}"),
        "register_closed": _("Closed — tap to open"),
        "register_in_use": _("Open — tap to continue"),
        "promotion": _("Promotion"),
        "promotions_in_force": _("Promotions today: {names}"),
        "coupon_named": _("Coupon {code}"),
        "open_register": _("Open {name}"),
        "register_opened": _("Register opened"),
        "offline_no_session": _("No connection and no open register on this tablet: reconnect to open one."),
        "bad_amount": _("Enter an amount such as 12.50."),
        "stock_unknown": _("stock ?"),
        "n_here": _("{n} here"),
        "no_match": _("Nothing matches “{q}”."),
        "unknown_barcode": _("Unknown barcode {code}"),
        "less": _("One less {name}"),
        "more": _("One more {name}"),
        "discount": _("Discount"),
        "discount_for": _("Discount on {name}"),
        "remove_line": _("Remove {name}"),
        "pricing": _("Applying promotions…"),
        "offline_prices": _("Offline: list prices; promotions are applied when the sale syncs."),
        "coupon_applied": _("Coupon {code} applied"),
        "customer_offline": _("Customers can be looked up only online."),
        "customer_short": _("Type at least 3 characters."),
        "customer_none": _("No customer found."),
        "customer_identified": _("Customer: {name}"),
        "bad_discount": _("The discount must be more than 0 and at most {max}."),
        "reason_required": _("Give a reason."),
        "exact": _("Exact"),
        "remove_tender": _("Remove this payment"),
        "tender_cash": _("Cash"),
        "tender_card": _("Card"),
        "tender_mobile": _("Mobile"),
        "tender_store_credit": _("Store credit"),
        "tender": _("Payment"),
        "not_offline": _("Not available offline"),
        "only_cash_change": _("Only cash can exceed the amount left to pay."),
        "card_ref_required": _("Enter the authorisation reference printed by the card terminal."),
        "credit_code_required": _("Type or scan the store credit's code (SC-…)."),
        "sale_done": _("Sale {number} complete"),
        "sale_saved_offline": _("Sale saved on this tablet"),
        "offline_note": _("It will be sent to the server as soon as the network is back."),
        "discrepancy_note": _("Stock did not cover every item: the store manager has been told."),
        "finish_payment": _("Finish or cancel the payment first."),
        "needs_network": _("This needs the network."),
        "cancel_confirm": _("Cancel this sale and empty the cart?"),
        # the app's own dialog (ui.js ask(), never window.confirm)
        "cancel": _("Cancel"),
        "cancel_title": _("Cancel the sale"),
        "cancel_ok": _("Empty the cart"),
        "cancel_keep": _("Keep the sale"),
        "close_title": _("Close the register"),
        "close_ok": _("Close the register"),
        # e-mailing a receipt
        "email_receipt_title": _("E-mail receipt {number}"),
        "email_receipt_label": _("Customer's e-mail address"),
        "email_receipt_send": _("Send"),
        "email_receipt_missing": _("Enter an e-mail address."),
        "email_receipt_queued": _("The receipt is on its way to {email}"),
        # favourites (tiles) and exchanges
        "favourite_missing": _("This item is not in the register's catalog yet."),
        "qty_for": _("Quantity of {name}"),
        "print_receipt": _("Print receipt"),
        "exchange_back_from": _("Back from sale {number}"),
        "exchange_customer_pays": _("Customer pays"),
        "exchange_refund": _("To refund"),
        "exchange_even": _("Nothing to pay"),
        "exchange_done": _("Exchange complete: return {ret}, sale {sale}"),
        "exchange_refunded": _("Refunded ({tender}): {amount}"),
        "exchange_next": _("Next exchange"),
        "change_due_amount": _("Change due: {amount}"),
        "cash_in_done": _("Cash in of {amount} recorded"),
        "cash_out_done": _("Cash out of {amount} recorded"),
        "sale_of": _("Sale {number}"),
        "sale_not_found": _("No sale {number} in this store."),
        "return_qty_for": _("Quantity of {name} to return"),
        "condition": _("Condition"),
        "resellable": _("Resellable"),
        "damaged": _("Damaged"),
        "bad_return_qty": _("A quantity is more than can be returned."),
        "nothing_to_return": _("Choose at least one item to return."),
        "return_done": _("Return {number} recorded"),
        "refund_amount": _("Refund: {amount}"),
        "store_credit_code": _("Store credit code: {code}"),
        "print_return_receipt": _("Print return receipt"),
        "print_credit_note": _("Print store credit note"),
        # portal returns (RMA) received at the till: logistics' API, online only
        "rma_of": _("Return {number} · order {order}"),
        "rma_needs_network": _("Receiving a web return (RMA-…) needs the network: try again once online."),
        "rma_not_found": _("No return {number}."),
        "rma_not_receivable": _("Return {number} is {status}: nothing to receive."),
        "rma_done": _("Return {number} received"),
        "rma_nothing": _("Enter the units received, resellable or damaged."),
        "rma_bad_qty": _("More units than the return asks."),
        "rma_refund_original": _("Refunded to the customer's original payment."),
        "rma_qty_for": _("{kind} units of {name}"),
        "hand_over": _("Hand over"),
        "verification_required": _("Say how you checked the customer."),
        # the loyalty panel of the sale screen: loyalty's API (/api/v1/loyalty/customers/), online only
        "loyalty_offline": _(
            "Loyalty is unavailable offline. Sales made now earn their points when they reach the server."
        ),
        "loyalty_no_tier": _("Member"),
        "loyalty_points_one": ngettext("{n} point", "{n} points", 1),
        "loyalty_points_other": ngettext("{n} point", "{n} points", 2),
        "reward_rate": _("{points} pts = {amount}"),
        "rewards_available_one": ngettext(
            "{n} reward available ({rate})", "{n} rewards available ({rate})", 1
        ),
        "rewards_available_other": ngettext(
            "{n} reward available ({rate})", "{n} rewards available ({rate})", 2
        ),
        "no_reward_yet": _("No reward yet ({rate})"),
        "apply_reward": _("Apply reward"),
        "reward_applied": _("Reward voucher {code} applied"),
        "vouchers_held": _("Vouchers and coupons: tap to apply"),
        "voucher_until": _("until {date}"),
        "voucher_applied": _("Applied"),
        "member_discount": _("Member discount"),
        "handed_over": _("Order {number} handed over"),
        # e-reservations (pos.api.ereservations): try in store, sell or release
        "ereserve_until": _("Held until {when}"),
        "ereserve_expired": _("Expired {when}: cannot be sold"),
        "ereserve_sell": _("Sell"),
        "ereserve_release": _("Release"),
        "ereserve_keep": _("Keep {name}"),
        "ereserve_keep_one": _("Tick at least one item the customer keeps."),
        "ereserve_total": _("To pay at the till price: {amount}"),
        "ereserve_sold": _("Reservation {number} sold: {sale}"),
        "ereserve_released": _("Reservation {number} released"),
        "ereserve_reason_required": _("Say why the reservation is released."),
        "ereserve_no_session": _("Open the register to sell a reservation."),
        "ereserve_change": _("Change due: {amount}"),
        "count_of": _("Number of {value}"),
        "bad_count": _("Counts must be whole numbers, amounts like 12.50."),
        "close_confirm": _("Close the register with {amount} cash counted? This cannot be undone."),
        "expected": _("Expected"),
        "counted": _("Counted"),
        "difference": _("Difference"),
        "difference_total": _("Total difference"),
        "sales_count": _("Sales"),
        "sales_total": _("Sales total"),
        "returns_count": _("Returns"),
        "returns_total": _("Returns total"),
        "net_sales": _("Net sales"),
        "vat_breakdown": _("VAT breakdown"),
        "vat_rate": _("VAT rate"),
        "net": _("Net"),
        "vat": _("VAT"),
        "gross": _("Gross"),
    }


def store_names() -> dict[str, str]:
    """Active stores by code, so the register can say "2 at Bastia" rather than "BAS 2". One query."""
    stores = Location.objects.filter(kind=LocationKind.STORE, is_active=True).order_by("code")
    return dict(stores.values_list("code", "name"))


def can_use_register(user) -> bool:
    """A register user (``pos.use_register``) who belongs to a store: a cashier or a store manager."""
    return bool(is_pos_user(user) and user.store_id)


@never_cache
@ensure_csrf_cookie
@require_GET
def register_app(request: HttpRequest) -> HttpResponse:
    """The register app shell. Everything after this page is JSON and websocket."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('pos:login')}?next={request.path}")
    activate_user_language(request)
    user = request.user
    if not can_use_register(user):
        return render(request, "pos/no_store.html", status=403)
    store = user.store
    assert store is not None  # can_use_register() checked it
    config = {
        "user": {"id": user.pk, "name": user.get_full_name() or user.email, "email": user.email},
        "store": {"id": store.pk, "code": store.code, "name": store.name},
        "perms": {"give_discount": user.has_perm("pos.give_discount")},
        "currency": "EUR",
        "language": translation.get_language(),
        "denominations": DENOMINATIONS,
        "stores": store_names(),
        "urls": {
            "api": "/api/v1/pos/",
            "returns_api": "/api/v1/returns/",
            "loyalty_api": "/api/v1/loyalty/",
            "ws": "/ws/stock/",
            "receipt": "/pos/receipt/",
            "returns": "/pos/returns/",
            "z_report": "/pos/sessions/",
            "sw": reverse("pos:service-worker"),
            "logout": reverse("pos:logout"),
        },
    }
    return render(request, "pos/app.html", {"pos_config": config, "pos_strings": ui_strings()})


class PosLoginView(auth_views.LoginView):
    template_name = "pos/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("pos:app")  # type: ignore[assignment]  # Django takes lazy URLs; the stubs not

    def get_default_redirect_url(self):
        return str(reverse_lazy("pos:app"))


class PosLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("pos:login")  # type: ignore[assignment]  # Django takes lazy URLs; the stubs not


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``static/pos/sw.js`` served under ``/pos/`` so that its scope covers the register app."""
    modules = app_modules()
    assets = [*modules, "css/tokens.css", "pos/pos.css"]
    paths = [finders.find(name) for name in ["pos/sw.js", *assets]]
    if not modules or not all(paths):
        raise Http404
    contents = [Path(path).read_bytes() for path in paths if path]  # all found (checked above)
    # A new version of any shell file changes the worker's bytes: the browser installs it, and it
    # caches the new shell under a new name (the old cache is dropped on activation).
    version = "pos-shell-" + hashlib.sha256(b"".join(contents)).hexdigest()[:12]
    shell = [reverse("pos:app"), *[static(name) for name in assets], reverse("pos:manifest")]
    header = f"const SHELL_VERSION = {json.dumps(version)};\nconst SHELL_URLS = {json.dumps(shell)};\n"
    response = HttpResponse(
        header + contents[0].decode("utf-8"), content_type="application/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/pos/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """A web app manifest, so a store tablet can pin the register full screen on its home screen."""
    return JsonResponse(
        {
            "name": _("Register"),
            "short_name": _("Register"),
            "start_url": reverse("pos:app"),
            "scope": "/pos/",
            "display": "standalone",
            "background_color": design_token("bg"),
            "theme_color": design_token("brand"),
            "icons": [
                {"src": static("core/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("core/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("core/icons/icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        },
        content_type="application/manifest+json",
    )
