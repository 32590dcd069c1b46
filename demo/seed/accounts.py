"""Demo accounts: the roles, one login per role (password ``demo1234``) and the demo shopper's portal.

``login()`` is run for every entry of ``DEMO_USERS`` on each ``seed_demo``: it brings the user, its
role and its API token back to their demo state. ``seed()`` (run after the catalog) gives the demo
shopper (shopper@demo.example) two addresses and, the first time, a short order history placed
through the real services (see ``demo.seed.orders``). Re-runnable: nothing is added twice.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import Address, CustomerGroup, CustomerProfile, Role, User
from accounts.roles import assign_role

from . import orders

DEMO_PASSWORD = "demo1234"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str
    store: str
    token: str


DEMO_USERS = [  # email, role, store code, first name, last name
    ("shopper@demo.example", Role.SHOPPER, None, "Laetitia", "Santoni"),
    ("cashier.aja@demo.example", Role.CASHIER, "AJA", "Ghjuvanni", "Pietri"),
    ("manager.aja@demo.example", Role.STORE_MANAGER, "AJA", "Maria", "Colonna"),
    ("staff@demo.example", Role.STAFF, None, "Paul", "Orsini"),
    ("manager@demo.example", Role.MANAGER, None, "Anna", "Casanova"),
    ("admin@demo.example", None, None, "Admin", "Demo"),
    # B2B (issue 17): Hôtel Rossi's buyer and its approver (ensure_demo_company)
    ("buyer@demo.example", Role.SHOPPER, None, "Petru", "Rossi"),
    ("approver@demo.example", Role.SHOPPER, None, "Ghjulia", "Rossi"),
]
DEMO_COMPANY_MEMBERS = {"buyer@demo.example": "buyer", "approver@demo.example": "approver"}


DEMO_SHOPPER = "shopper@demo.example"
ADDRESSES = [
    services.AddressData(
        label="Maison",
        first_name="Laetitia",
        last_name="Santoni",
        line1="7 rue Fesch",
        postal_code="20000",
        city="Ajaccio",
        phone="+33 6 12 34 56 78",
    ),
    services.AddressData(
        label="Bureau",
        first_name="Laetitia",
        last_name="Santoni",
        line1="2 boulevard Paoli",
        line2="3e étage",
        postal_code="20200",
        city="Bastia",
    ),
]


def ensure_customer_groups() -> None:
    CustomerGroup.objects.get_or_create(code="retail", defaults={"name": "Particuliers"})
    CustomerGroup.objects.get_or_create(
        code="hotels", defaults={"name": "Hôtels et restaurants", "is_b2b": True}
    )


@functools.cache
def _demo_password_hash() -> str:
    """One hash for every demo account: hashing is slow on purpose, the demo shares one password."""
    return make_password(DEMO_PASSWORD)


def ensure_user(email, role, store_code, first_name, last_name, locations) -> User:
    user = User.objects.filter(email=email).first() or User(email=email)
    user.first_name, user.last_name = first_name, last_name
    user.store = locations[store_code] if store_code else None
    user.is_superuser = user.is_staff = role is None  # the one superuser: admin@
    user.is_active = True
    if not user.password or not user.check_password(DEMO_PASSWORD):
        user.password = _demo_password_hash()
    user.save()
    if role is not None:
        assign_role(user, role)
    return user


def login(email, role, store_code, first_name, last_name, locations) -> DemoLogin:
    user = ensure_user(email, role, store_code, first_name, last_name, locations)
    if email == DEMO_SHOPPER:  # the B2B buyers' profiles: ensure_demo_company
        CustomerProfile.objects.get_or_create(
            user=user,
            defaults={"group": CustomerGroup.objects.get(code="retail"), "loyalty_card_number": "DEMO-0001"},
        )
    token, _ = Token.objects.get_or_create(user=user)
    return DemoLogin(
        email=email,
        password=DEMO_PASSWORD,
        role=str(role or "superuser"),
        store=store_code or "",
        token=token.key,
    )


def ensure_demo_company() -> None:
    """Hôtel Rossi: pays 30 days end of month (credit 5,000 €, approval above 300 €), its own prices
    (-20 % on the first 40 variants, -25 % from 12 units) and packs of 6 (at least 12) on those
    products for its buyers. Idempotent."""
    from decimal import Decimal

    from accounts.models import Company, CompanyMember, PaymentTerms
    from catalog.models import Product, Variant
    from pricing.models import PriceList, PriceListEntry

    hotels = CustomerGroup.objects.get(code="hotels")
    company, _ = Company.objects.update_or_create(
        siret="73282932000074",
        defaults={
            "name": "Hôtel Rossi",
            "vat_number": "FR44732829320",
            "group": hotels,
            "payment_terms": PaymentTerms.NET_30_EOM,
            "credit_limit": Decimal("5000.00"),
            "approval_limit": Decimal("300.00"),
        },
    )
    for email, role in DEMO_COMPANY_MEMBERS.items():
        user = User.objects.get(email=email)
        CompanyMember.objects.update_or_create(user=user, defaults={"company": company, "role": role})
        CustomerProfile.objects.update_or_create(
            user=user, defaults={"group": hotels, "company_name": company.name}
        )
    price_list, _ = PriceList.objects.update_or_create(
        code="hotel-rossi", defaults={"name": "Hôtel Rossi", "company": company, "is_active": True}
    )
    variants = list(Variant.objects.select_related("product").filter(is_active=True).order_by("pk")[:40])
    for variant in variants:
        for min_quantity, factor in ((1, Decimal("0.80")), (12, Decimal("0.75"))):
            PriceListEntry.objects.update_or_create(
                price_list=price_list,
                variant=variant,
                min_quantity=min_quantity,
                defaults={"price_ht": (variant.price_ht * factor).quantize(Decimal("0.0001"))},
            )
    Product.objects.filter(pk__in={v.product_id for v in variants}).update(
        b2b_min_quantity=12, b2b_pack_size=6
    )


def current_logins() -> list[DemoLogin]:
    """The demo logins as the database has them now (``make demo`` prints them last, after seeding)."""
    users = {u.email: u for u in User.objects.filter(email__in=[spec[0] for spec in DEMO_USERS])}
    tokens = dict(Token.objects.filter(user__in=users.values()).values_list("user__email", "key"))
    return [
        DemoLogin(
            email=email,
            password=DEMO_PASSWORD,
            role=str(role or "superuser"),
            store=store_code or "",
            token=tokens.get(email, "-"),
        )
        for email, role, store_code, *_names in DEMO_USERS
        if email in users
    ]


# --- the demo shopper's portal ----------------------------------------------------------------------


def seed() -> dict[str, int]:
    """Profile, addresses and orders of the demo shopper; returns what it added."""
    user = User.objects.filter(email=DEMO_SHOPPER).first()
    if user is None:
        return {"addresses": 0, "orders": 0}
    profile, _ = CustomerProfile.objects.get_or_create(user=user, defaults={"marketing_opt_in": True})
    added_addresses = 0
    if not Address.objects.filter(user=user).exists():
        for data in ADDRESSES:
            services.create_address(user=user, data=data)
            added_addresses += 1
    address = {
        key: value
        for key, value in ADDRESSES[0].__dict__.items()
        if key in ("first_name", "last_name", "line1", "line2", "postal_code", "city", "country", "phone")
    }
    added_orders = 0 if user.orders.exists() else orders.seed_history(user=user, address=address)
    if not user.phone:  # after the orders: the demo history has always been placed without a phone
        services.update_profile(
            user=user,
            first_name=user.first_name,
            last_name=user.last_name,
            phone=ADDRESSES[0].phone,
            preferred_language="fr",
            marketing_opt_in=profile.marketing_opt_in,
        )
    return {"addresses": added_addresses, "orders": added_orders}
