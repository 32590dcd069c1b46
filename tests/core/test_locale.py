"""Every UI string is translated in FR and IT, the compiled catalogs match their sources, and the
storefront speaks the language of its URL prefix."""

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def po_entries(language: str) -> dict[tuple[str, str], str]:
    """(msgctxt, msgid) -> msgstr of a .po file's singular entries, continuation lines joined."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()
    entries = {}
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if match := re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?)\s+"(.*)"$', line):
                current = match.group(1).replace("[0]", "")
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
            elif line.startswith("msgstr["):
                current = None
        if fields.get("msgid") and "msgid_plural" not in fields:
            entries[(fields.get("msgctxt", ""), fields["msgid"])] = fields.get("msgstr", "")
    return entries


@pytest.mark.parametrize("language", ["fr", "it"])
def test_every_string_is_translated_and_compiled(language):
    entries = po_entries(language)
    assert len(entries) > 500
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []

    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    stale = [
        (context, msgid)
        for (context, msgid), msgstr in entries.items()
        if "\\" not in msgid + msgstr
        and (catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)) != msgstr
    ]
    assert stale == []  # the .mo was compiled from this .po (run compilemessages)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "cart", "search"),
    [("fr", "Panier", "Rechercher"), ("it", "Carrello", "Cerca"), ("en", "Cart", "Search")],
)
def test_the_storefront_speaks_the_language_of_its_prefix(client, prefix, cart, search):
    body = client.get(f"/{prefix}/").content.decode()

    assert f'<html lang="{prefix}">' in body
    assert f"{cart} <span" in body
    assert f">{search}</button>" in body
    assert 'hreflang="it"' in body and 'hreflang="fr"' in body
