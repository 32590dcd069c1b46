"""B2B company accounts (issue 17): identifiers validated with python-stdnum, the VIES register asked
through its real client against a local fake of its REST API, members and their roles."""

import contextlib
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts import services_companies as companies
from accounts.models import Company, CompanyMember, CompanyRole, PaymentTerms
from accounts.vat_check import VatRegisterUnavailable, check_vat
from core.errors import PermissionDenied
from tests.concurrency import run_in_threads
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
VALID_VAT = "FR 40 303 265 045"  # a real, valid French VAT number (check digits)
VALID_SIRET = "732 829 320 00074"


def data(**kw):
    return companies.CompanyData(
        **{"name": "Épicerie Rossi", "vat_number": VALID_VAT, "siret": VALID_SIRET, **kw}
    )


def test_a_company_is_stored_with_compact_identifiers_and_its_first_admin():
    admin = UserFactory()
    terms = data(credit_limit="5000.00", payment_terms=PaymentTerms.NET_30_EOM)
    company = companies.create_company(data=terms, admin=admin)
    company.refresh_from_db()
    assert (company.vat_number, company.siret, company.credit_limit) == (
        "FR40303265045",
        "73282932000074",
        Decimal("5000.00"),
    )
    assert company.vat_checked_at is None  # VAT_CHECKER = "none": the format only
    assert CompanyMember.objects.get(user=admin).role == CompanyRole.ADMIN


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"vat_number": "FR 40 303 265 046"}, "vat_number"),  # a wrong check digit
        ({"vat_number": "XX123"}, "vat_number"),
        ({"siret": "73282932000075"}, "siret"),  # Luhn fails
        ({"name": "   "}, "name"),
        ({"credit_limit": "-1"}, "credit_limit"),
        ({"credit_limit": "12.345"}, "credit_limit"),
        ({"approval_limit": "NaN"}, "approval_limit"),
        ({"payment_terms": "net999"}, "payment_terms"),
    ],
)
def test_bad_company_data_is_refused_field_by_field_and_nothing_is_written(fields, field):
    with pytest.raises(companies.InvalidCompany) as refused:
        companies.create_company(data=data(**fields), admin=UserFactory())
    assert field in refused.value.detail
    assert Company.objects.count() == 0 and CompanyMember.objects.count() == 0


def test_the_same_vat_number_twice_is_a_conflict():
    companies.create_company(data=data())
    with pytest.raises(companies.CompanyTaken):
        companies.create_company(data=data(name="Autre", siret=""))
    assert Company.objects.count() == 1


def test_a_user_buys_for_one_company_only():
    user = UserFactory()
    first = companies.create_company(data=data(), admin=user)
    second = companies.create_company(data=data(name="B", vat_number="", siret=""))
    with pytest.raises(companies.AlreadyInACompany):
        companies.add_member(company=second, user=user, actor=UserFactory(is_staff=True))
    assert CompanyMember.objects.get(user=user).company == first


def test_only_an_admin_manages_members_and_the_last_admin_stays():
    admin, buyer = UserFactory(), UserFactory()
    company = companies.create_company(data=data(), admin=admin)
    companies.add_member(company=company, user=buyer, actor=admin)
    with pytest.raises(PermissionDenied):
        companies.set_member_role(company=company, user=buyer, role=CompanyRole.ADMIN, actor=buyer)
    with pytest.raises(companies.LastCompanyAdmin):
        companies.set_member_role(company=company, user=admin, role=CompanyRole.BUYER, actor=admin)
    with pytest.raises(companies.LastCompanyAdmin):
        companies.remove_member(company=company, user=admin, actor=admin)
    companies.set_member_role(company=company, user=buyer, role=CompanyRole.APPROVER, actor=admin)
    assert CompanyMember.objects.get(user=buyer).role == CompanyRole.APPROVER


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    first, second = UserFactory(), UserFactory()
    company = companies.create_company(data=data(), admin=first)
    companies.add_member(company=company, user=second, role=CompanyRole.ADMIN, actor=first)
    pairs = [(first, second), (second, first)]

    def demote(i):
        actor, target = pairs[i]
        companies.set_member_role(company=company, user=target, role=CompanyRole.BUYER, actor=actor)

    results = run_in_threads(2, demote)
    assert CompanyMember.objects.filter(company=company, role=CompanyRole.ADMIN).count() == 1, results
    # the second one waited for the first: it is no longer an admin, or would remove the last one
    refused = [r for r in results if isinstance(r, companies.LastCompanyAdmin | PermissionDenied)]
    assert len(refused) == 1 and results.count(None) == 1, results


# --- the VIES register, through the real client against a local fake of its REST API -------------


class _Vies(BaseHTTPRequestHandler):
    answers: dict[str, tuple[int, dict]] = {}
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append({"path": self.path, **body})
        status, answer = self.answers.get(body["vatNumber"], (200, {"valid": False}))
        raw = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def fake_vies():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Vies)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Vies.seen.clear()
    try:
        yield f"http://127.0.0.1:{server.server_port}/rest-api"
    finally:
        server.shutdown()


@pytest.fixture
def vies(settings):
    with fake_vies() as url:
        settings.VAT_CHECKER, settings.VIES_API_URL, settings.VIES_TIMEOUT = "vies", url, 2
        _Vies.answers = {
            "40303265045": (200, {"valid": True, "name": "ROSSI SAS", "address": "1 RUE X 20000 AJACCIO"}),
            "96552100554": (200, {"valid": False, "name": "---"}),
            "64443061841": (200, {"actionSucceed": False, "errorWrappers": [{"error": "MS_UNAVAILABLE"}]}),
        }
        yield _Vies


def test_vies_confirms_a_number_and_the_company_records_when(vies):
    result = check_vat("FR40303265045")
    assert (result.valid, result.checked, result.name) == (True, True, "ROSSI SAS")
    assert vies.seen[-1] == {
        "path": "/rest-api/check-vat-number",
        "countryCode": "FR",
        "vatNumber": "40303265045",
    }
    company = companies.create_company(data=data())
    assert company.vat_checked_at is not None


def test_a_number_vies_does_not_know_is_refused(vies):
    with pytest.raises(companies.InvalidCompany) as refused:
        companies.create_company(data=data(vat_number="FR96552100554", siret=""))
    assert refused.value.detail == {"vat_number": "not_registered"}
    assert Company.objects.count() == 0


def test_a_register_outage_keeps_the_company_unchecked_and_a_recheck_confirms_later(vies):
    _Vies.answers["40303265045"] = (503, {})
    company = companies.create_company(data=data())
    assert company.vat_checked_at is None
    _Vies.answers["40303265045"] = (200, {"valid": True})
    assert companies.recheck_vat(company=company).vat_checked_at is not None


def test_a_member_state_down_is_an_outage_not_an_invalid_number(vies):
    with pytest.raises(VatRegisterUnavailable):
        check_vat("FR64443061841")


def test_an_unreachable_register_is_an_outage(settings):
    settings.VAT_CHECKER, settings.VIES_API_URL, settings.VIES_TIMEOUT = "vies", "http://127.0.0.1:9/x", 1
    with pytest.raises(VatRegisterUnavailable):
        check_vat("FR40303265045")


def _admin_form(**overrides) -> dict:
    form = {
        "name": "Hôtel Rossi",
        "vat_number": "FR40303265045",
        "siret": "",
        "payment_terms": "online",
        "credit_limit": "0",
        "approval_limit": "",
        "is_active": "on",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    form.update(overrides)
    return form


def test_the_admin_refuses_a_number_vies_does_not_know_as_the_service_does(vies, admin_client):
    response = admin_client.post("/admin/accounts/company/add/", _admin_form(vat_number="FR96552100554"))
    assert response.status_code == 200  # the form again, with the register's answer
    errors = response.context["adminform"].form.errors
    assert errors["vat_number"] == ["Le registre européen de TVA ne connaît pas FR96552100554."], (
        errors
    )  # the admin is French
    assert Company.objects.count() == 0


def test_the_admin_records_when_the_register_confirmed_a_number(vies, admin_client):
    response = admin_client.post("/admin/accounts/company/add/", _admin_form())
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Company.objects.get().vat_checked_at is not None
    vies.seen.clear()
    company = Company.objects.get()
    response = admin_client.post(
        f"/admin/accounts/company/{company.pk}/change/", _admin_form(name="Hôtel Rossi & fils")
    )
    assert response.status_code == 302
    assert vies.seen == []  # the number did not change: the register is not asked again
