"""/api/schema/, /api/docs/ and /api/redoc/: public while API_DOCS_PUBLIC is on (development),
staff only when it is off (production's default: tests/config/test_production_profile.py)."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DOC_PAGES = ["/api/docs/", "/api/redoc/"]


@pytest.fixture
def docs_private(settings):
    settings.API_DOCS_PUBLIC = False


def test_with_docs_private_an_anonymous_schema_request_is_a_401_in_json(client, docs_private):
    response = client.get("/api/schema/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_authenticated"
    assert b"openapi" not in response.content


@pytest.mark.parametrize("path", DOC_PAGES)
def test_with_docs_private_an_anonymous_visitor_is_sent_to_the_admin_login(client, docs_private, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={path}"


@pytest.mark.parametrize("path", ["/api/schema/", *DOC_PAGES])
def test_with_docs_private_a_signed_in_shopper_gets_a_403(client, docs_private, path):
    client.force_login(UserFactory())

    response = client.get(path)

    assert response.status_code == 403
    assert b"openapi" not in response.content and b"swagger" not in response.content.lower()


def test_with_docs_private_a_token_holding_cashier_gets_a_403_on_the_schema(client, docs_private):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=UserFactory())
    response = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("path", ["/api/schema/", *DOC_PAGES])
def test_with_docs_private_staff_get_them(client, docs_private, path):
    client.force_login(UserFactory(is_staff=True))

    response = client.get(path)

    assert response.status_code == 200


def test_the_schema_served_to_staff_is_the_openapi_document(client, docs_private):
    client.force_login(UserFactory(is_staff=True))

    response = client.get("/api/schema/?format=json")

    assert response.json()["info"]["title"] == "Omnichannel retail platform API"


@pytest.mark.parametrize("path", ["/api/schema/", *DOC_PAGES])
def test_with_docs_public_anybody_gets_them(client, settings, path):
    settings.API_DOCS_PUBLIC = True

    assert client.get(path).status_code == 200
