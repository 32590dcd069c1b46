"""Admin base classes for models with modeltranslation fields: FR / EN / IT tabs that work offline.

modeltranslation's ``TabbedTranslationAdmin`` loads jQuery UI from a CDN (``MODELTRANSLATION_JQUERY_UI_URL``);
without the network the tabs never form and the form shows three identical "Nom" fields. These
classes load our own script and style instead (``static/admin/js/translation_tabs.js``: vanilla JS,
accessible tabs), so no request leaves the machine.
"""

from __future__ import annotations

from typing import Any

from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline

TABS_JS = "admin/js/translation_tabs.js"
TABS_CSS = "admin/css/translation_tabs.css"


class TranslationTabsMedia:
    """The tabs' script and style, for an admin or inline that shows translated fields."""

    class Media:
        js = (TABS_JS,)
        css = {"all": (TABS_CSS,)}


class TabbedTranslationAdmin(TranslationTabsMedia, TranslationAdmin[Any]):
    """A ModelAdmin whose translated fields show as one field with a tab per language."""


class TabbedTranslationTabularInline(TranslationTabsMedia, TranslationTabularInline[Any, Any]):
    """A tabular inline whose translated columns show as one column with a tab per language."""


class TabbedTranslationStackedInline(TranslationTabsMedia, TranslationStackedInline[Any, Any]):
    """A stacked inline whose translated fields show as one field with a tab per language."""


__all__ = [
    "TabbedTranslationAdmin",
    "TabbedTranslationStackedInline",
    "TabbedTranslationTabularInline",
]
