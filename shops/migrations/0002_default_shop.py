"""The default shop, from the current settings: existing carts, orders and pages keep working, and
every host name no shop claims is served by it."""

from django.conf import settings
from django.db import migrations

CURRENCIES = ["EUR", "GBP", "USD", "CHF"]  # core.money.SUPPORTED_CURRENCIES when this was written


def create_default(apps, schema_editor):
    Shop = apps.get_model("shops", "Shop")
    if Shop.objects.filter(is_default=True).exists():
        return
    languages = [code for code, _name in settings.LANGUAGES]
    Shop.objects.create(
        code="main",
        name=getattr(settings, "SHOP_NAME", "") or "Maison Corsica",
        mode="b2c",
        is_default=True,
        tokens={},
        languages=languages,
        default_language=settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in languages else languages[0],
        currencies=CURRENCIES,
        email_from="",  # the platform's (DEFAULT_FROM_EMAIL), as before shops
    )


def remove_default(apps, schema_editor):
    apps.get_model("shops", "Shop").objects.filter(code="main", is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("shops", "0001_initial")]

    operations = [migrations.RunPython(create_default, remove_default)]
