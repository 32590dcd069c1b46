"""manage.py create_api_token <email>."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue()


def test_creates_and_prints_the_token():
    user = UserFactory(email="erp@example.com")

    output = run("erp@example.com")

    assert output == f"{Token.objects.get(user=user).key}\n"


def test_prints_the_existing_token_again_and_ignores_case():
    user = UserFactory(email="erp@example.com")
    token = Token.objects.create(user=user)

    output = run("  ERP@Example.com ")

    assert output == f"{token.key}\n"
    assert Token.objects.count() == 1


def test_the_printed_token_authenticates_api_calls(client):
    UserFactory(email="erp@example.com", role="staff")
    key = run("erp@example.com").strip()

    response = client.get("/api/v1/stock/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200


def test_unknown_email_is_a_clear_error():
    with pytest.raises(CommandError, match="No user has the e-mail address 'nobody@example.com'."):
        run("nobody@example.com")
    assert Token.objects.count() == 0


def test_inactive_user_is_refused():
    UserFactory(email="gone@example.com", is_active=False)

    with pytest.raises(CommandError, match="inactive"):
        run("gone@example.com")
    assert Token.objects.count() == 0
