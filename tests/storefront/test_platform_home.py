import pytest

from inventory import services
from tests.factories import LocationFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_home_shows_headline_figures_with_a_constant_number_of_queries(client, django_assert_max_num_queries):
    aja = LocationFactory(code="AJA", name="Ajaccio")
    for i in range(5):
        services.receive_stock(variant=VariantFactory(), location=aja, quantity=i + 1)

    with django_assert_max_num_queries(6):
        response = client.get("/platform/")

    assert response.status_code == 200
    overview = response.context["overview"]
    assert (overview["products"], overview["variants"], overview["on_hand"]) == (5, 5, 15)
    assert [(loc.code, loc.skus_in_stock) for loc in overview["locations"]] == [("AJA", 5)]
    assert "Ajaccio" in response.content.decode()


def test_demo_logins_are_shown_only_in_development(client, settings):
    settings.DEBUG = False
    assert "demo1234" not in client.get("/platform/").content.decode()
    settings.DEBUG = True
    assert "demo1234" in client.get("/platform/").content.decode()


def test_unknown_api_path_is_a_json_404_and_a_page_elsewhere(client, settings):
    settings.DEBUG = False
    api = client.get("/api/v1/nope/")
    assert api.status_code == 404
    assert api.json() == {"code": "not_found", "message": "No such API endpoint.", "detail": {}}
    page = client.get("/nope/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
