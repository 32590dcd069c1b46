"""The carrier fakes answer as the carriers do (the clients' tests rely on these shapes)."""

import requests

from . import carrier_fakes as cf


def test_fixtures_aim_settings_at_the_fakes(colissimo_fake, dpd_fake, laposte_fake, settings):
    assert settings.CARRIER_MODE == "live"
    assert settings.CARRIERS["colissimo"]["label_url"].startswith(colissimo_fake.url)
    assert settings.CARRIERS["dpd"]["userid"] == cf.DPD_USERID
    assert settings.CARRIERS["laposte"]["okapi_key"] == cf.OKAPI_KEY


def test_suivi_fake_reports_added_events_newest_first(laposte_fake):
    laposte_fake.add_event("1K00000000001", "PC1", "Pris en charge")
    laposte_fake.add_event("1K00000000001", "DI1", "Distribué")

    answer = requests.get(
        f"{laposte_fake.url}/suivi/v2/idships/1K00000000001",
        params={"lang": "fr_FR"},
        headers={"X-Okapi-Key": cf.OKAPI_KEY},
        timeout=2,
    )

    assert answer.status_code == 200
    assert [e["code"] for e in answer.json()["shipment"]["event"]] == ["DI1", "PC1"]
    assert laposte_fake.last.query == {"lang": ["fr_FR"]}


def test_500_mode_answers_an_outage(laposte_fake):
    laposte_fake.mode = "500"

    answer = requests.get(f"{laposte_fake.url}/suivi/v2/idships/X", timeout=2)

    assert answer.status_code == 500 and "text/html" in answer.headers["Content-Type"]
