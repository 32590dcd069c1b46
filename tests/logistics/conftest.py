"""Fixtures for the logistics tests: the local carrier fakes (``carrier_fakes.py``).

``colissimo_fake``, ``dpd_fake`` and ``laposte_fake`` each reset the shared fake server, switch
``CARRIER_MODE`` to "live" and aim that carrier's entry of ``settings.CARRIERS`` at the fake (with
the fake's credentials and webhook secret, and a 0.3 s timeout so the "timeout" mode is quick).
Use several in one test to configure several carriers. ``view.mode = "500"`` etc. switches modes;
``view.requests`` are the recorded requests; ``view.add_event(number, "DI1", "Livré")`` makes the
carrier report a tracking event.
"""

from __future__ import annotations

import copy

import pytest

from . import carrier_fakes as cf

TEST_TIMEOUT = 0.3


@pytest.fixture(scope="session")
def carrier_server():
    server = cf.CarrierFakes(delay=TEST_TIMEOUT + 0.5).start()
    yield server
    server.stop()


def _aim(settings, carrier: str, values: dict[str, object]) -> None:
    carriers = copy.deepcopy(settings.CARRIERS)  # never mutate the settings' own dicts in place
    carriers[carrier] = {**carriers[carrier], **values, "timeout": TEST_TIMEOUT}
    settings.CARRIERS = carriers
    settings.CARRIER_MODE = "live"


@pytest.fixture
def carrier_fakes(carrier_server):
    """The shared server, reset once per test whichever carrier fixtures the test asks for."""
    carrier_server.reset()
    return carrier_server


@pytest.fixture
def colissimo_fake(carrier_fakes, settings) -> cf.FakeApi:
    _aim(
        settings,
        "colissimo",
        {
            "label_url": f"{carrier_fakes.url}/sls-ws/SlsServiceWSRest/2.0",
            "contract_number": cf.COLISSIMO_CONTRACT,
            "password": cf.COLISSIMO_PASSWORD,
            "suivi_url": f"{carrier_fakes.url}/suivi/v2",
            "okapi_key": cf.OKAPI_KEY,
            "webhook_secret": cf.WEBHOOK_SECRETS["colissimo"],
        },
    )
    return cf.FakeApi(carrier_fakes, "colissimo", ("colissimo", "suivi"))


@pytest.fixture
def dpd_fake(carrier_fakes, settings) -> cf.FakeApi:
    _aim(
        settings,
        "dpd",
        {
            "label_url": f"{carrier_fakes.url}/eprintwebservice/eprintwebservice.asmx",
            "trace_url": f"{carrier_fakes.url}/trace-service/Webtrace_Service.asmx",
            "userid": cf.DPD_USERID,
            "password": cf.DPD_PASSWORD,
            "customer_countrycode": "250",
            "customer_centernumber": cf.DPD_CENTER,
            "customer_number": cf.DPD_CUSTOMER,
            "webhook_secret": cf.WEBHOOK_SECRETS["dpd"],
        },
    )
    return cf.FakeApi(carrier_fakes, "dpd", ("dpd", "dpd_trace"))


@pytest.fixture
def laposte_fake(carrier_fakes, settings) -> cf.FakeApi:
    _aim(
        settings,
        "laposte",
        {
            "suivi_url": f"{carrier_fakes.url}/suivi/v2",
            "okapi_key": cf.OKAPI_KEY,
            "webhook_secret": cf.WEBHOOK_SECRETS["laposte"],
        },
    )
    return cf.FakeApi(carrier_fakes, "laposte", ("suivi",))
