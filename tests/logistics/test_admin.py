import pytest
from django.urls import reverse

from demo.seed import logistics as demo
from logistics.models import ShippingRate, ShippingZone
from tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = staff(is_superuser=True)
    client.force_login(user)
    demo.seed()
    return client


@pytest.mark.parametrize("model", ["carrier", "shippingzone", "shippingrate"])
def test_admin_lists_render(admin_client, model, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse(f"admin:logistics_{model}_changelist"))
    assert response.status_code == 200


def test_zone_page_shows_its_rates(admin_client):
    zone = ShippingZone.objects.get(name="France")
    response = admin_client.get(reverse("admin:logistics_shippingzone_change", args=[zone.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('name="rates-') >= ShippingRate.objects.filter(zone=zone).count()
