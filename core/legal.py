"""Who sells: the legal identity printed on invoices, credit notes, receipts and the till's archives.

French law asks an invoice and a till receipt to name the seller: legal name and form, address,
SIREN/SIRET, RCS registration and intra-community VAT number. They come from settings
(``SELLER_*``), are checked with python-stdnum at start-up (``core.checks``: a wrong SIREN, SIRET or
VAT number stops ``manage.py check``) and are snapshotted into each document when it is issued, so a
later change of address never alters a document already given.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva


@dataclass(frozen=True)
class Seller:
    legal_name: str
    legal_form: str  # "SAS au capital de 50 000 EUR"
    address_lines: tuple[str, ...]
    postal_code: str
    city: str
    country: str  # ISO 3166 alpha-2
    siren: str
    siret: str  # the head office's; a store may print its own (``store_siret``)
    rcs: str  # "RCS Ajaccio 832 047 153"
    vat_number: str  # "FR22832047153"
    email: str
    phone: str
    website: str
    store_sirets: dict[str, str]  # Location.code -> the store's own SIRET (an establishment)

    def siret_for(self, store_code: str | None) -> str:
        """The SIRET of the establishment that sold: the store's own, else the head office's."""
        return self.store_sirets.get(store_code or "", self.siret)

    def as_snapshot(self) -> dict[str, Any]:
        """What a document keeps of the seller when it is issued (JSON)."""
        data = asdict(self)
        data["address_lines"] = list(self.address_lines)
        return data


def seller() -> Seller:
    """The seller named in ``settings.SELLER`` (compact numbers: no spaces)."""
    conf: dict[str, Any] = settings.SELLER
    return Seller(
        legal_name=str(conf["legal_name"]),
        legal_form=str(conf.get("legal_form", "")),
        address_lines=tuple(conf.get("address_lines", ())),
        postal_code=str(conf.get("postal_code", "")),
        city=str(conf.get("city", "")),
        country=str(conf.get("country", "FR")),
        siren=stdnum_siren.compact(str(conf["siren"])),
        siret=stdnum_siret.compact(str(conf["siret"])),
        rcs=str(conf.get("rcs", "")),
        vat_number="".join(str(conf["vat_number"]).split()).upper(),  # "FR22832047153"
        email=str(conf.get("email", "")),
        phone=str(conf.get("phone", "")),
        website=str(conf.get("website", "")),
        store_sirets={k: stdnum_siret.compact(str(v)) for k, v in conf.get("store_sirets", {}).items()},
    )


def seller_problems() -> list[str]:
    """What is wrong with ``settings.SELLER`` (empty: nothing), for the system check and the tests."""
    try:
        who = seller()
    except (KeyError, TypeError) as exc:
        return [f"settings.SELLER is missing {exc}."]
    problems = []
    if not who.legal_name.strip():
        problems.append("settings.SELLER has no legal name.")
    if not stdnum_siren.is_valid(who.siren):
        problems.append(f"settings.SELLER siren {who.siren!r} is not a valid SIREN.")
    if not stdnum_siret.is_valid(who.siret) or not who.siret.startswith(who.siren):
        problems.append(f"settings.SELLER siret {who.siret!r} is not a valid SIRET of SIREN {who.siren}.")
    if not stdnum_tva.is_valid(who.vat_number) or who.vat_number[-9:] != who.siren:
        problems.append(
            f"settings.SELLER vat_number {who.vat_number!r} is not the VAT number of {who.siren}."
        )
    for code, number in who.store_sirets.items():
        if not stdnum_siret.is_valid(number) or not number.startswith(who.siren):
            problems.append(
                f"settings.SELLER store_sirets[{code!r}] {number!r} is not a SIRET of {who.siren}."
            )
    return problems
