"""Shared givens for the quick order tests (issue 17)."""

from __future__ import annotations

import types

from accounts.models import Company, CompanyMember, CompanyRole
from inventory import services as inventory
from orders.services.placing import LineInput, place_web_order
from tests.factories import LocationFactory, UserFactory, VariantFactory
from tests.orders.cart_support import lines_of as lines_of

EAN_MUG = "3760000000017"


def make_b2b_shop():
    """AJA sells online: 5 TEE, 40 MUG (EAN 3760000000017), 30 BOX sold by packs of 6 from 12 to
    company buyers, and OLD, unpublished. Rossi SAS has two buyers; Verdi SRL one."""
    aja = LocationFactory(code="AJA", name="Ajaccio", sells_online=True)
    tee = VariantFactory(sku="TEE", product__name="Tee")
    mug = VariantFactory(sku="MUG", ean13=EAN_MUG, product__name="Mug")
    box = VariantFactory(
        sku="BOX", product__name="Box", product__b2b_min_quantity=12, product__b2b_pack_size=6
    )
    old = VariantFactory(sku="OLD", product__name="Old", product__is_published=False)
    for variant, quantity in ((tee, 5), (mug, 40), (box, 30), (old, 10)):
        inventory.receive_stock(variant=variant, location=aja, quantity=quantity)
    rossi = Company.objects.create(name="Rossi SAS")
    verdi = Company.objects.create(name="Verdi SRL")
    anna, bruno, carla = (UserFactory(email=f"{n}@example.com") for n in ("anna", "bruno", "carla"))
    CompanyMember.objects.create(company=rossi, user=anna, role=CompanyRole.BUYER)
    CompanyMember.objects.create(company=rossi, user=bruno, role=CompanyRole.BUYER)
    CompanyMember.objects.create(company=verdi, user=carla, role=CompanyRole.BUYER)
    return types.SimpleNamespace(
        aja=aja,
        tee=tee,
        mug=mug,
        box=box,
        old=old,
        rossi=rossi,
        verdi=verdi,
        anna=anna,
        bruno=bruno,
        carla=carla,
    )


def past_order(shop, user, *lines):
    return place_web_order(
        lines=[LineInput(variant=variant, quantity=quantity) for variant, quantity in lines],
        location=shop.aja,
        delivery_method="click_collect",
        email=user.email,
        customer=user,
    )
