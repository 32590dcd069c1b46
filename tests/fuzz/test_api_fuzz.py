"""Schemathesis against the whole API, as staff, cashier, shopper and anonymous, every check on.

Every operation of ``/api/schema/`` is called in-process (WSGI) with schema-valid and schema-invalid
requests, for each role, on the seeded test database (``conftest.py``). A failure is a 5xx, an
undocumented status, content type or header, a body that does not match its serializer, a request
the schema forbids that is accepted, or a request it allows that is refused by input validation.

``make test`` runs it with ``FUZZ_EXAMPLES`` (default 3) examples per operation and role,
``make fuzz`` with 100. Hypothesis is derandomized: the same run every time.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.failures import Failure

from config.wsgi import application

from .conftest import FUZZ_EXAMPLES, FUZZ_PHASES

pytestmark = pytest.mark.django_db

ROLES = ["staff", "cashier", "shopper", "anonymous", "integration"]
# Codes that mean "your input does not parse": a request the schema allows never gets them.
INPUT_CODES = {"invalid", "parse_error"}


class RefusedSchemaValidInput(Failure):
    """A schema-valid request refused by input validation: the schema lacks a constraint of the code."""

    def __init__(self, *, operation: str, message: str) -> None:
        self.operation = operation
        self.title = "Schema-valid request refused as invalid input"
        self.message = message
        self.case_id = None
        self.severity = None

    @property
    def _unique_key(self) -> str:
        return self.message


@schemathesis.check
def schema_valid_input_parses(ctx, response, case):
    """A schema-valid request may be refused only for a domain reason: 400 with a domain code
    (``tenders_insufficient``, ``invalid_coupon``, ...), never ``invalid``/``parse_error``."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    try:
        code = json.loads(response.content).get("code")
    except (ValueError, AttributeError):
        code = None
    if code in INPUT_CODES:
        raise RefusedSchemaValidInput(
            operation=case.operation.label,
            message=f"The schema allows this request but the code refused it as `{code}`: "
            f"{response.content[:300]!r}",
        )
    return None


schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# No NUL characters in generated values: the API refuses them everywhere (documented in the text
# fields' patterns; core middleware also refuses them in keys of free-form objects, which no schema
# can say), and the hostile-input corpus sends them on purpose.
schema.config.generation.update(max_examples=FUZZ_EXAMPLES, deterministic=True, allow_x00=False)
schema.config.phases.update(phases=FUZZ_PHASES)
schema.config.checks.update(included_check_names=["all"])
# Refusing a schema-valid request for a domain reason (stock, tenders, coupon) is a documented 400 or
# 422; `schema_valid_input_parses` holds the line that matters: never as invalid input.
schema.config.checks.positive_data_acceptance.expected_statuses = [
    "2XX",
    "400",
    "401",
    "403",
    "404",
    "409",
    "422",
    "429",
]


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@schema.parametrize()
@settings(derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_api(case, role, fuzz_savepoint):
    # Schemathesis' WSGI transport asks for gzip but does not decompress what it gets: the compression
    # itself is tested in tests/config/test_compression.py.
    headers = {"Accept-Encoding": "identity"}
    if role != "anonymous":
        headers["Authorization"] = f"Token {fuzz_savepoint['tokens'][role]}"
    case.call_and_validate(headers=headers)
