"""The roles are groups; this is the one place that says which permissions each holds.

Location scope is separate: cashiers and store managers act at ``user.store`` only; holders of
``inventory.act_on_any_location`` (staff, managers) act anywhere.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Role

_VIEW_CATALOG = [
    "catalog.view_product",
    "catalog.view_variant",
    "catalog.view_category",
    "catalog.view_optiontype",
    "catalog.view_optionvalue",
    "catalog.view_vatrate",
    "catalog.view_productimage",
]
_VIEW_STOCK = [
    "inventory.view_location",
    "inventory.view_stocklevel",
    "inventory.view_stocklot",
    "inventory.view_stockmovement",
    "inventory.view_reservation",
    "inventory.view_stockalert",
]
_CASHIER = [
    *_VIEW_CATALOG,
    *_VIEW_STOCK,
    "inventory.record_sale",
    "inventory.reserve_stock",
    "pos.use_register",
]
_STORE_MANAGER = [
    *_CASHIER,
    "pos.give_discount",
    "inventory.receive_stock",
    "inventory.adjust_stock",
    "inventory.transfer_stock",
    "inventory.change_stocklevel",
    "inventory.change_stockalert",
    # the back office of their store: click & collect orders (mark ready / collected) and the POS trail
    "orders.view_order",
    "pos.view_register",
    "pos.view_registersession",
    "pos.view_possale",
    "pos.view_return",
    "pos.view_storecredit",
    "pos.view_damagedgoods",
    "pos.view_stockdiscrepancy",
    "pos.view_journalentry",  # the till journal, read-only (their store's: StoreScopedAdmin)
]
_STAFF = [
    *_STORE_MANAGER,
    "inventory.act_on_any_location",
    "catalog.add_product",
    "catalog.change_product",
    "catalog.add_variant",
    "catalog.change_variant",
    "catalog.add_category",
    "catalog.change_category",
    "catalog.add_productimage",
    "catalog.change_productimage",
    "catalog.delete_productimage",
    "catalog.add_optionvalue",
    "catalog.change_optionvalue",
    "inventory.add_location",
    "inventory.change_location",
    "accounts.view_user",
    "accounts.view_customerprofile",
    "accounts.view_customergroup",
    # orders, payments, prices, promotions, shipping, reviews and registers, as design.md gives staff
    "payments.view_payment",
    "payments.view_refund",
    "pricing.view_currencyrate",
    "pricing.change_currencyrate",
    "pricing.view_pricelist",
    "pricing.add_pricelist",
    "pricing.change_pricelist",
    "pricing.add_pricelistentry",
    "pricing.change_pricelistentry",
    "pricing.view_promotion",
    "pricing.add_promotion",
    "pricing.change_promotion",
    "pricing.add_coupon",
    "pricing.change_coupon",
    "pricing.view_couponredemption",
    "logistics.view_carrier",
    "logistics.change_carrier",
    "logistics.view_shippingzone",
    "logistics.add_shippingzone",
    "logistics.change_shippingzone",
    "logistics.view_shippingrate",
    "logistics.add_shippingrate",
    "logistics.change_shippingrate",
    "catalog.view_review",
    "catalog.change_review",
    "pos.add_register",
    "pos.change_register",
    # The blog and the shop's simple pages (content): written, published and removed by staff.
    "content.view_article",
    "content.add_article",
    "content.change_article",
    "content.delete_article",
    "content.view_page",
    "content.add_page",
    "content.change_page",
    "content.delete_page",
    # B2B quotes: staff adjust the lines of a requested quote and send it (orders.services.quotes).
    "orders.view_quote",
    "orders.change_quote",
    "orders.view_quoteline",
    "orders.change_quoteline",
    # Invoices: read, send again, import the ERP's (the admin is read-only for everybody).
    "invoicing.view_invoice",
    "invoicing.view_invoicerun",
    "invoicing.resend_invoice",
    "invoicing.add_invoice",
    # Loyalty: rules and tiers edited; the ledger read, adjusted through loyalty.services.adjust.
    "loyalty.view_loyaltyaccount",
    "loyalty.view_pointsentry",
    "loyalty.add_pointsentry",
    "loyalty.view_tier",
    "loyalty.change_tier",
    "loyalty.view_earnrule",
    "loyalty.add_earnrule",
    "loyalty.change_earnrule",
    "loyalty.view_categorymultiplier",
    "loyalty.add_categorymultiplier",
    "loyalty.change_categorymultiplier",
    "loyalty.delete_categorymultiplier",
    # Marketing consents: proof, read-only; suppressions can be added (a complaint by phone).
    "marketing.view_consent",
    "marketing.view_consentevent",
    "marketing.view_suppression",
    "marketing.add_suppression",
    # Segments and campaigns: staff build segments and compose, test, schedule campaigns; the RFM
    # table and the per-recipient log are read-only.
    "marketing.view_segment",
    "marketing.add_segment",
    "marketing.change_segment",
    "marketing.delete_segment",
    "marketing.view_campaign",
    "marketing.add_campaign",
    "marketing.change_campaign",
    "marketing.view_campaignrecipient",
    "marketing.view_customerrfm",
    # Outgoing webhooks: endpoints registered and re-enabled, the delivery log read and replayed.
    "integrations.view_webhookendpoint",
    "integrations.add_webhookendpoint",
    "integrations.change_webhookendpoint",
    "integrations.view_webhookdelivery",
]
_MANAGER = [*_STAFF, "accounts.change_customergroup", "accounts.add_customergroup"]
# The ERP's machine account: the /api/v1/erp/ webservices and nothing else (its token is path-scoped
# by core.auth and settings.API_TOKEN_PATH_SCOPES; no admin, no websocket), and acknowledging the
# nightly order batches (integrations.exports).
_INTEGRATION = [
    "integrations.use_erp_api",
    "integrations.ack_orderbatch",
]  # the ERP webservices; acknowledging order batches

# The KPI dashboard (reporting): a store manager sees their store's figures, a manager the chain's;
# staff and cashiers none (not inherited: the lists above stack, these do not).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SHOPPER: [],
    Role.CASHIER: _CASHIER,
    Role.STORE_MANAGER: [*_STORE_MANAGER, "reporting.view_store_dashboard"],
    Role.STAFF: _STAFF,
    Role.MANAGER: [*_MANAGER, "reporting.view_chain_dashboard"],
    Role.INTEGRATION: _INTEGRATION,
}

# Roles that use the Django admin.
ADMIN_ROLES = {Role.STORE_MANAGER, Role.STAFF, Role.MANAGER}


@transaction.atomic
def ensure_roles() -> dict[str, Group]:
    """Create or update the role groups so they hold exactly ROLE_PERMISSIONS. Re-runnable."""
    groups = {}
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
        groups[role] = group
    return groups


def assign_role(user, role: str) -> None:
    group = Group.objects.filter(name=role).first() or ensure_roles()[role]
    user.groups.add(group)
    if role in ADMIN_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
