"""The admin speaks the staff's language (issue 16): every model, field, column, filter and action
of our apps has a translated name, so a French admin shows no English word ('Pos sales',
'TOTAL GROSS').

The admin is outside ``i18n_patterns``: LocaleMiddleware picks its language from the language
cookie, else the browser's Accept-Language, else LANGUAGE_CODE (French).
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from tests.factories import ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {
    "accounts",
    "catalog",
    "core",
    "integrations",
    "inventory",
    "invoicing",
    "logistics",
    "loyalty",
    "marketing",
    "orders",
    "payments",
    "pos",
    "pricing",
    "reporting",
}

# Words spelt the same in English and French (compared without case). Kept small on purpose: a
# word is added here only when French really uses the English word.
SAME_IN_FRENCH = {
    "%",
    "",
    "b2b",
    "code",
    "coupon",
    "coupons",
    "arguments",
    "date",
    "dates",
    "description",
    "dimension",
    "e-mail",
    "ean-13",
    "id",
    "image",
    "journal",
    "lot",
    "marketing",
    "note",
    "notes",
    "options",
    "parent",
    "pdf",
    "siret",
    "points",
    "position",
    "promotion",
    "promotions",
    "secret",
    "segment",
    "segments",
    "session",
    "sessions",
    "sha-256",
    "siren",
    "sku",
    "source",
    "type",
    "url",
    "uuid",
    "version",
    "zone",
}

# Column headers and titles that issue 16 found in English inside the French admin.
KNOWN_ENGLISH = ["Pos sales", "Pos sale", "Total gross", "TOTAL GROSS", "Price and tax", "Stock state"]


def registered() -> list[tuple[type, admin.ModelAdmin]]:
    return sorted(
        (
            (model, model_admin)
            for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in OUR_APPS
        ),
        key=lambda pair: pair[0]._meta.label,
    )


def in_both(fn) -> tuple[str, str]:
    with translation.override("en"):
        english = str(fn())
    with translation.override("fr"):
        french = str(fn())
    return english, french


def _bare(text: str) -> str:
    """Lower case, without modeltranslation's language suffix ("description [fr]")."""
    return re.sub(r" \[[a-z]{2}\]$", "", text.strip()).lower()


def untranslated(pairs: dict[str, tuple[str, str]]) -> list[str]:
    return [
        f"{where}: {english!r}"
        for where, (english, french) in pairs.items()
        if _bare(english) == _bare(french) and _bare(english) not in SAME_IN_FRENCH
    ]


def test_every_admin_model_and_field_has_a_french_name():
    pairs: dict[str, tuple[str, str]] = {}
    for model, _model_admin in registered():
        opts = model._meta
        pairs[f"{opts.label} verbose_name"] = in_both(lambda opts=opts: opts.verbose_name)
        pairs[f"{opts.label} verbose_name_plural"] = in_both(lambda opts=opts: opts.verbose_name_plural)
        for field in opts.get_fields():
            if field.concrete:
                pairs[f"{opts.label}.{field.name}"] = in_both(lambda field=field: field.verbose_name)
    assert len(pairs) > 500
    assert untranslated(pairs) == []


def test_every_app_has_a_french_name():
    from django.apps import apps

    pairs = {
        config.label: in_both(lambda config=config: config.verbose_name)
        for config in apps.get_app_configs()
        if config.label in OUR_APPS | {"demo", "storefront"}
    }
    assert untranslated(pairs) == []


def test_every_admin_column_filter_fieldset_and_action_has_a_french_name():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    pairs: dict[str, tuple[str, str]] = {}
    for model, model_admin in registered():
        request = RequestFactory().get("/admin/")
        request.user = superuser
        label = model._meta.label
        for name in model_admin.get_list_display(request):
            if name == "action_checkbox":
                continue
            pairs[f"{label} column {name}"] = in_both(
                lambda name=name, model=model, model_admin=model_admin: label_for_field(
                    name, model, model_admin
                )
            )
        for entry in model_admin.get_list_filter(request):
            title = getattr(entry, "title", None)
            if isinstance(entry, str):
                title_of = _field_title(model, entry)
                pairs[f"{label} filter {entry}"] = in_both(title_of)
            elif title is not None:
                pairs[f"{label} filter {entry.__name__}"] = in_both(lambda title=title: title)
        for name, _fieldset in model_admin.get_fieldsets(request):
            if name:
                pairs[f"{label} fieldset {name}"] = in_both(lambda name=name: name)
        for action_name, (_fn, _name, description) in model_admin.get_actions(request).items():
            pairs[f"{label} action {action_name}"] = in_both(lambda description=description: description)
        for inline in model_admin.get_inline_instances(request):
            pairs[f"{label} inline {type(inline).__name__}"] = in_both(
                lambda inline=inline: inline.verbose_name_plural
            )
    assert len(pairs) > 300
    assert untranslated(pairs) == []


def _field_title(model, path: str):
    """The title Django's field filter shows for a list_filter path: the last field's verbose name."""
    from django.contrib.admin.utils import get_fields_from_path

    field = get_fields_from_path(model, path)[-1]
    return lambda: field.verbose_name


def _headers(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, flags=re.S)
    ]


def test_every_changelist_renders_in_french(client):
    """Every changelist of our apps answers in French for a French browser; the product list (with
    a row, so the column headers render) shows French headers only."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    VariantFactory(product=ProductFactory(name="Chemise lin"))
    for model, _model_admin in registered():
        opts = model._meta
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert response.status_code == 200, opts.label
        html = response.content.decode()
        assert '<html lang="fr"' in html, opts.label
        with translation.override("fr"):
            name = escape(str(opts.verbose_name))  # the title: "Sélectionnez l'objet <name> à changer"
        assert name in html, opts.label
        for english in KNOWN_ENGLISH:
            assert english not in html, (opts.label, english)
    headers = _headers(client.get(reverse("admin:catalog_product_changelist")).content.decode())
    assert {"Catégorie", "Prix TTC (1 unité)", "Publié", "Variantes"} <= set(headers)
    assert not {"Category", "Variants", "Published", "Name"} & set(headers)


def test_the_language_cookie_wins_over_the_browser(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.cookies["django_language"] = "it"
    VariantFactory(product=ProductFactory(name="Camicia"))
    headers = _headers(client.get(reverse("admin:catalog_product_changelist")).content.decode())
    assert {"Categoria", "Pubblicato", "Varianti"} <= set(headers)
    client.cookies["django_language"] = "fr"
    headers = _headers(client.get(reverse("admin:catalog_product_changelist")).content.decode())
    assert {"Catégorie", "Publié", "Variantes"} <= set(headers)


def test_pos_sales_are_till_sales_in_french(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    html = client.get(reverse("admin:index")).content.decode()
    assert "Ventes en caisse" in html
    assert "Pos sales" not in html
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "it"
    html = client.get(reverse("admin:index")).content.decode()
    assert "Vendite in cassa" in html
