"""The seller's legal identity (core.legal): valid numbers pass, a wrong one stops ``manage.py check``."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from core.legal import seller, seller_problems


def test_the_configured_seller_is_valid_and_compact(settings):
    settings.SELLER = {**settings.SELLER, "siren": "832 047 153", "vat_number": "FR 22 832047153"}
    who = seller()
    assert (who.siren, who.siret, who.vat_number) == ("832047153", "83204715300016", "FR22832047153")
    assert seller_problems() == []
    assert who.as_snapshot()["address_lines"] == ["12 cours Napoléon"]


def test_a_store_prints_its_own_siret_else_the_head_office(settings):
    settings.SELLER = {**settings.SELLER, "store_sirets": {"aja": "832 047 153 00024"}}
    assert seller().siret_for("aja") == "83204715300024"
    assert seller().siret_for("bas") == "83204715300016"
    assert seller().siret_for(None) == "83204715300016"


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("siren", "832047154", "not a valid SIREN"),
        ("siret", "83204715300017", "not a valid SIRET"),
        ("siret", "73282932000074", "not a valid SIRET of SIREN 832047153"),  # valid, another company's
        ("vat_number", "FR23832047153", "vat_number"),
        ("legal_name", " ", "no legal name"),
    ],
)
def test_a_wrong_number_is_named(settings, field, value, says):
    settings.SELLER = {**settings.SELLER, field: value}
    problems = seller_problems()
    assert problems and any(says in problem for problem in problems), problems


def test_a_wrong_seller_stops_the_system_check(settings):
    settings.SELLER = {**settings.SELLER, "vat_number": "FR00832047153"}
    with pytest.raises(SystemCheckError, match="core.E001"):
        call_command("check")


def test_a_missing_key_is_a_problem_not_a_crash(settings):
    settings.SELLER = {"legal_name": "X"}
    assert seller_problems() == ["settings.SELLER is missing 'siren'."]
