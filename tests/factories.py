"""factory_boy factories shared by every test module. Append new ones at the end."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from accounts.roles import assign_role
from catalog.models import Category, Product, Variant, VatRate
from catalog.services import refresh_search_text
from catalog.validators import ean13_check_digit
from inventory.models import Location, LocationKind


def make_ean13(n: int) -> str:
    first12 = f"200{n:09d}"  # GS1 prefix 200-299: in-store numbering
    return first12 + str(ean13_check_digit(first12))


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"loc{n}")
    name = factory.LazyAttribute(lambda o: f"Store {o.code}")
    kind = LocationKind.STORE
    city = "Ajaccio"


class VatRateFactory(DjangoModelFactory):
    class Meta:
        model = VatRate
        django_get_or_create = ("code",)

    code = "standard"
    name = "Standard"
    rate = Decimal("0.2000")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    category = factory.SubFactory(CategoryFactory)
    vat_rate = factory.SubFactory(VatRateFactory)
    base_price_ht = Decimal("10.0000")

    @factory.post_generation
    def search_text(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy's hook signature
        """What the catalog's writers do: the folded search text (names, category, SKUs) written."""
        if create:
            refresh_search_text(product_ids=[obj.pk])
            obj.refresh_from_db(fields=["search_text"])


class VariantFactory(DjangoModelFactory):
    class Meta:
        model = Variant
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    ean13 = factory.Sequence(make_ean13)

    @factory.post_generation
    def search_text(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy's hook signature
        if create:
            refresh_search_text(product_ids=[obj.product_id])


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pass-1234-word")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            assign_role(self, extracted)
        self.save()


def cashier(store: Location, **kwargs) -> User:
    return UserFactory(role=Role.CASHIER, store=store, **kwargs)


def store_manager(store: Location, **kwargs) -> User:
    return UserFactory(role=Role.STORE_MANAGER, store=store, **kwargs)


def staff(**kwargs) -> User:
    return UserFactory(role=Role.STAFF, **kwargs)


def manager(**kwargs) -> User:
    return UserFactory(role=Role.MANAGER, **kwargs)
