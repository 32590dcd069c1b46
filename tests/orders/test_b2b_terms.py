"""Company orders on payment terms, the credit limit and approvals (issue 17)."""

import calendar
import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone, translation

from accounts.models import Company, CompanyMember, CompanyRole, CustomerGroup, PaymentTerms
from core.errors import PermissionDenied
from inventory import services as inventory
from inventory.models import StockLevel
from orders.models import Approval, CartLine, Order, OrderStatus
from orders.services import b2b_terms, checkout
from payments.models import Payment
from tests.concurrency import run_in_threads
from tests.factories import UserFactory
from tests.logistics.shop import ADDRESS, make_cart, make_shop

pytestmark = pytest.mark.django_db
URL = "/en/checkout/done/{number}/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def pro():
    """Rossi SAS pays 30 days end of month, credit 500 €, approval above 100 €. A TEE costs 12.50 TTC."""
    shop = make_shop()
    inventory.receive_stock(variant=shop.tee, location=shop.warehouse, quantity=200, reference="PO-2")
    company = Company.objects.create(
        name="Rossi SAS",
        group=CustomerGroup.objects.create(code="pro", name="Pro", is_b2b=True),
        payment_terms=PaymentTerms.NET_30_EOM,
        credit_limit=Decimal("500.00"),
        approval_limit=Decimal("100.00"),
    )
    people = {}
    for role in (CompanyRole.BUYER, CompanyRole.APPROVER, CompanyRole.ADMIN):
        people[role] = UserFactory(email=f"{role}@rossi.example")
        CompanyMember.objects.create(company=company, user=people[role], role=role)
    return shop, company, people


def start(user, units, shop, provider="terms"):
    cart = make_cart((shop.tee, units), user=user)
    return checkout.start_checkout(
        cart=cart, user=user, email=user.email, phone="+33 6 12 34 56 78", language="en",
        delivery_method="home", shipping_address=ADDRESS, carrier="colissimo", provider=provider,
        return_url=URL, cancel_url=URL,
    )  # fmt: skip


def end_of_month(day):
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def test_an_order_on_terms_is_accepted_without_payment_and_gets_its_due_date(pro):
    shop, company, people = pro
    order, payment = start(people[CompanyRole.BUYER], 6, shop)  # 75 € + shipping, under 100
    order.refresh_from_db()
    assert payment is None and not Payment.objects.exists()
    assert (order.status, order.company, order.payment_terms) == (OrderStatus.PAID, company, "net30eom")
    assert order.due_date == end_of_month(timezone.localdate() + dt.timedelta(days=30))
    assert b2b_terms.outstanding(company.pk) == order.total_gross_eur


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        ("net30", dt.date(2026, 3, 2)),  # 31 Jan + 30 days (February has 28)
        ("net30eom", dt.date(2026, 3, 31)),
        ("net45eom", dt.date(2026, 3, 31)),
        ("net60", dt.date(2026, 4, 1)),
    ],
)
def test_due_dates(terms, expected):
    assert b2b_terms.due_date_for(terms, dt.date(2026, 1, 31)) == expected


def test_a_company_paying_online_cannot_order_on_terms_and_nothing_is_written(pro):
    shop, company, people = pro
    Company.objects.filter(pk=company.pk).update(payment_terms=PaymentTerms.ONLINE)
    with pytest.raises(b2b_terms.TermsNotOffered):
        start(people[CompanyRole.BUYER], 6, shop)
    assert Order.objects.count() == 0
    assert StockLevel.objects.get(variant=shop.tee, location=shop.warehouse).reserved == 0


def test_a_shopper_cannot_choose_terms(pro):
    shop, _company, _people = pro
    with pytest.raises(b2b_terms.TermsNotOffered):
        start(UserFactory(), 1, shop)
    assert Order.objects.count() == 0


def test_the_credit_limit_refuses_an_order_with_the_figures(pro):
    shop, _company, people = pro
    with pytest.raises(b2b_terms.CreditLimitReached) as refused:
        start(people[CompanyRole.ADMIN], 48, shop)  # 600 € > 500 €
    assert "credit limit of 500.00 €" in str(refused.value.message)
    assert Order.objects.count() == 0


def test_an_overdue_invoice_blocks_terms_until_it_is_paid(pro):
    shop, _company, people = pro
    late, _ = start(people[CompanyRole.ADMIN], 6, shop)
    Order.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(b2b_terms.TermsBlocked) as refused:
        start(people[CompanyRole.ADMIN], 6, shop)
    assert late.number in str(refused.value.message)
    b2b_terms.record_terms_payment(order=late)
    b2b_terms.record_terms_payment(order=late)  # twice: the same
    order, _ = start(people[CompanyRole.ADMIN], 6, shop)
    assert order.status == OrderStatus.PAID


def test_an_order_above_the_approval_limit_waits_then_the_approver_accepts_it(
    pro, eager_celery, django_capture_on_commit_callbacks
):
    shop, company, people = pro
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order, payment = start(people[CompanyRole.BUYER], 12, shop)  # 150 € > 100 €
    order.refresh_from_db()
    assert payment is None
    assert (order.status, order.approval) == (OrderStatus.PENDING_PAYMENT, Approval.PENDING)
    line = order.lines.select_related("reservation").get()
    assert line.reservation.expires_at > timezone.now() + dt.timedelta(hours=47)  # held for the approver
    request = [m for m in mail.outbox if "awaits your approval" in m.subject]
    assert len(request) == 1 and sorted(request[0].to) == ["admin@rossi.example", "approver@rossi.example"]
    assert b2b_terms.pending_approvals(people[CompanyRole.APPROVER]) == [order]
    assert b2b_terms.outstanding(company.pk) == order.total_gross_eur  # the credit is already taken

    with pytest.raises(PermissionDenied):
        b2b_terms.approve_order(order=order, approver=people[CompanyRole.BUYER])
    with django_capture_on_commit_callbacks(execute=True):
        approved = b2b_terms.approve_order(order=order, approver=people[CompanyRole.APPROVER])
    assert (approved.status, approved.approval, approved.approved_by) == (
        OrderStatus.PAID, Approval.APPROVED, people[CompanyRole.APPROVER]
    )  # fmt: skip
    assert approved.due_date is not None
    decision = [m for m in mail.outbox if "is approved" in m.subject]
    assert len(decision) == 1 and decision[0].to == ["buyer@rossi.example"]
    with pytest.raises(b2b_terms.NotAwaitingApproval):
        b2b_terms.approve_order(order=order, approver=people[CompanyRole.APPROVER])


def test_an_approvers_own_order_needs_no_approval(pro):
    shop, _company, people = pro
    order, _ = start(people[CompanyRole.APPROVER], 12, shop)
    assert (order.status, order.approval) == (OrderStatus.PAID, "")


def test_a_rejected_order_is_cancelled_and_its_units_go_back(pro):
    shop, _company, people = pro
    order, _ = start(people[CompanyRole.BUYER], 12, shop)
    assert StockLevel.objects.get(variant=shop.tee, location=shop.warehouse).reserved == 12
    rejected = b2b_terms.reject_order(order=order, approver=people[CompanyRole.ADMIN], reason="too many")
    assert (rejected.status, rejected.approval) == (OrderStatus.CANCELLED, Approval.REJECTED)
    assert StockLevel.objects.get(variant=shop.tee, location=shop.warehouse).reserved == 0


def test_another_companys_approver_cannot_decide(pro):
    shop, _company, people = pro
    order, _ = start(people[CompanyRole.BUYER], 12, shop)
    other = Company.objects.create(name="Other")
    stranger = UserFactory()
    CompanyMember.objects.create(company=other, user=stranger, role=CompanyRole.ADMIN)
    with pytest.raises(PermissionDenied):
        b2b_terms.approve_order(order=order, approver=stranger)
    assert b2b_terms.pending_approvals(stranger) == []


def test_an_online_order_approved_is_then_paid_by_the_buyer(
    pro, client, eager_celery, django_capture_on_commit_callbacks
):
    shop, _company, people = pro
    order, payment = start(people[CompanyRole.BUYER], 12, shop, provider="test")
    assert payment is None and order.approval == Approval.PENDING  # no payment before the approval
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approved = b2b_terms.approve_order(order=order, approver=people[CompanyRole.APPROVER])
    assert (approved.status, approved.payment_terms) == (OrderStatus.PENDING_PAYMENT, "")
    decision = next(m for m in mail.outbox if "is approved" in m.subject)
    assert f"/checkout/done/{order.number}/" in decision.body  # the link to pay
    client.force_login(people[CompanyRole.BUYER])
    page = client.get(f"/en/checkout/done/{order.number}/").content.decode()
    assert "Approved: you can pay now" in page and f"/checkout/done/{order.number}/pay/" in page
    pay = client.get(f"/en/checkout/done/{order.number}/pay/")
    assert pay.status_code == 200 and 'name="provider"' in pay.content.decode()


def test_overdue_reminders_go_to_the_admins_once_a_week(
    pro, eager_celery, django_capture_on_commit_callbacks
):
    shop, _company, people = pro
    late, _ = start(people[CompanyRole.ADMIN], 6, shop)
    Order.objects.filter(pk=late.pk).update(due_date=dt.date(2026, 1, 10))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert b2b_terms.remind_overdue(today=dt.date(2026, 2, 2)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert b2b_terms.remind_overdue(today=dt.date(2026, 2, 3)) == 0  # the same week
    reminders = [m for m in mail.outbox if "overdue" in m.subject]
    assert len(reminders) == 1 and reminders[0].to == ["admin@rossi.example"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_buyers_at_once_cannot_exceed_the_credit_limit(pro):
    shop, company, people = pro
    Company.objects.filter(pk=company.pk).update(approval_limit=None)
    buyers = [people[CompanyRole.BUYER], people[CompanyRole.APPROVER]]
    carts = [make_cart((shop.tee, 24), user=u) for u in buyers]  # 300 € each, 500 € of credit

    def buy(i):
        return checkout.start_checkout(
            cart=carts[i], user=buyers[i], email=buyers[i].email, phone="+33 6 12 34 56 78", language="en",
            delivery_method="home", shipping_address=ADDRESS, carrier="colissimo", provider="terms",
            return_url=URL, cancel_url=URL,
        )  # fmt: skip

    results = run_in_threads(2, buy)
    assert connection.vendor == "postgresql"
    refused = [r for r in results if isinstance(r, b2b_terms.CreditLimitReached)]
    placed = [r for r in results if isinstance(r, tuple)]
    assert len(refused) == 1 and len(placed) == 1, results
    assert b2b_terms.outstanding(company.pk) <= Decimal("500.00")
    assert Order.objects.filter(company=company).count() == 1
    assert CartLine.objects.count() == 2  # the refused cart is untouched
