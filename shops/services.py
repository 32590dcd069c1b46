"""Writes of shops: create and change shops and their domains, then tell every process (the version).

Staff edit shops in the admin (``shops.admin``), which validates with the models' validators and
calls ``shops_changed`` after saving; the demo and tests create them with ``create_shop``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction

from core import degradation, events

from . import selectors
from .events import ShopsChanged
from .models import Shop, ShopDomain, StaffShopAccess, normalise_host


def shops_changed() -> None:
    """After a shop, its domains or its assortment changed: every process reloads its snapshot, and
    the pages built for it are dropped (``ShopsChanged``), after the transaction commits."""
    reload_snapshots()
    events.publish(ShopsChanged())


def reload_snapshots() -> None:
    """Every process reloads the shops (this one at once, the others within ``SHOPS_CACHE_SECONDS``),
    after the transaction commits. Also after the categories change (a shop's subcategories)."""

    def bump() -> None:
        selectors.forget()
        try:
            try:
                cache.incr(selectors.VERSION_KEY)
            except ValueError:
                if not cache.add(selectors.VERSION_KEY, 1, None):
                    cache.incr(selectors.VERSION_KEY)
        except Exception as exc:  # the others reload when the cache is back, or at their next restart
            degradation.record("cache")
            degradation.warn("cache", "shops: could not bump the version (%r)", exc)

    selectors.forget()  # this process at once (its own later reads see the uncommitted rows)
    transaction.on_commit(bump)


@transaction.atomic
def create_shop(
    *,
    code: str,
    name: str,
    hosts: Iterable[str] = (),
    category_ids: Iterable[int] = (),
    excluded_product_ids: Iterable[int] = (),
    is_default: bool = False,
    **fields: Any,
) -> Shop:
    """A new shop, validated like the admin's form; its first host is the primary one."""
    if is_default:
        Shop.objects.filter(is_default=True).update(is_default=False)
    shop = Shop(code=code, name=name, is_default=is_default, **fields)
    shop.full_clean()
    shop.save()
    shop.categories.set(list(category_ids))
    shop.excluded_products.set(list(excluded_product_ids))
    for position, host in enumerate(hosts):
        domain = ShopDomain(shop=shop, host=normalise_host(host), is_primary=position == 0)
        domain.full_clean()
        domain.save()
    shops_changed()
    return shop


@transaction.atomic
def make_default(*, shop: Shop) -> Shop:
    """``shop`` becomes the default one, the previous default stops being it (always exactly one)."""
    Shop.objects.filter(is_default=True).exclude(pk=shop.pk).update(is_default=False)
    Shop.objects.filter(pk=shop.pk).update(is_default=True)
    shop.is_default = True
    shops_changed()
    return shop


@transaction.atomic
def limit_staff_to_shops(*, user: Any, shops: Iterable[Shop]) -> None:
    """``user`` sees only these shops from now on (none: every shop)."""
    StaffShopAccess.objects.filter(user=user).delete()
    StaffShopAccess.objects.bulk_create([StaffShopAccess(user=user, shop=shop) for shop in shops])
