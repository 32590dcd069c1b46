"""B2B orders on payment terms, credit limits and approvals (issue 17).

A company buyer (``accounts.CompanyMember``) checks out with ``provider="terms"`` when the company
pays on terms (``Company.payment_terms`` other than online). In the checkout's transaction, after
the order is placed (``settle_company_order``), with the company row locked (``lock_company``) so
two buyers of one company are decided one after the other:

1. terms: refused if the company has an order on terms past its due date and not paid
   (``TermsBlocked``), or if its outstanding amount (orders on terms not paid, not cancelled, those
   awaiting approval included) plus this order would exceed its credit limit (``CreditLimitReached``);
2. approval: an order above the company's ``approval_limit`` placed by a plain buyer waits for an
   approver or an administrator of the company (``Approval.PENDING``): it stays awaiting payment, its
   units held ``B2B_APPROVAL_HOLD_HOURS`` (the abandoned-order task cancels it once they expire), the
   approvers are e-mailed. ``approve_order`` checks the terms again and accepts it; ``reject_order``
   cancels it (units back on the shelf);
3. accepted on terms: the order becomes paid without any provider, ``due_date`` set from the terms
   (``due_date_for``: 30 days, 30 or 45 days end of month, 60 days); the invoice carries it.

Staff record the company's payment (``record_terms_payment``); a daily task e-mails the company's
administrators about orders past due (``remind_overdue``), once per order and week.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CompanyMember, CompanyRole, PaymentTerms
from accounts.services_companies import lock_company
from core.errors import Conflict, PermissionDenied, ValidationFailed
from inventory import services as inventory
from shops.selectors import rows_of_shop

from ..models import Approval, Order, OrderLine, OrderStatus
from .placing import transition_order

if TYPE_CHECKING:
    from accounts.models import Company, User
    from shops.selectors import ShopInfo

TERMS = "terms"  # the checkout's provider for "pay on the invoice, later"
APPROVERS = (CompanyRole.APPROVER, CompanyRole.ADMIN)
ZERO = Decimal("0.00")


class TermsNotOffered(ValidationFailed):
    code = "terms_not_offered"
    default_message = "Your company pays online at checkout."


class TermsBlocked(Conflict):
    code = "terms_blocked"
    default_message = "An invoice of your company is overdue: orders on terms wait until it is paid."


class CreditLimitReached(Conflict):
    code = "credit_limit_reached"
    default_message = "This order would exceed your company's credit limit."


class NotAwaitingApproval(Conflict):
    code = "not_awaiting_approval"
    default_message = "This order is not awaiting approval."


# --- reading ---------------------------------------------------------------------------------------


def _open_on_terms(company_id: int) -> Q:
    return (
        Q(company_id=company_id, terms_paid_at__isnull=True)
        & ~Q(payment_terms="")
        & ~Q(status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED])
    )


def outstanding(company_id: int, *, excluding: int | None = None) -> Decimal:
    """What the company owes or has committed on terms: orders on terms not paid and not cancelled,
    those awaiting approval included (EUR, TTC)."""
    orders = Order.objects.filter(_open_on_terms(company_id))
    if excluding is not None:
        orders = orders.exclude(pk=excluding)
    return orders.aggregate(total=Sum("total_gross_eur"))["total"] or ZERO


def overdue(company_id: int, *, today: dt.date | None = None) -> list[Order]:
    today = today or timezone.localdate()
    return list(Order.objects.filter(_open_on_terms(company_id), due_date__lt=today).order_by("due_date"))


def due_date_for(terms: str, issued: dt.date) -> dt.date:
    """The due date of an invoice issued on ``issued`` under ``terms`` ("30 days end of month": 30
    days, then to the end of that month, as French practice reads it)."""
    if terms == PaymentTerms.NET_30:
        return issued + dt.timedelta(days=30)
    if terms == PaymentTerms.NET_60:
        return issued + dt.timedelta(days=60)
    if terms in (PaymentTerms.NET_30_EOM, PaymentTerms.NET_45_EOM):
        day = issued + dt.timedelta(days=30 if terms == PaymentTerms.NET_30_EOM else 45)
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    raise ValueError(f"{terms!r} has no due date")


def membership(user: User | None, company: Company) -> CompanyMember | None:
    if user is None or not user.is_authenticated:
        return None
    return CompanyMember.objects.filter(user=user, company=company).first()


# --- checkout --------------------------------------------------------------------------------------


def check_terms(company: Company, amount: Decimal, *, excluding: int | None = None) -> None:
    """Refuse an order of ``amount`` on terms (see the module docstring). The caller holds the lock."""
    if company.payment_terms == PaymentTerms.ONLINE or not company.is_active:
        raise TermsNotOffered(_("Your company pays online at checkout."))
    late = overdue(company.pk)
    if late:
        raise TermsBlocked(
            _("Invoice of order %(number)s was due on %(date)s: orders on terms wait until it is paid.")
            % {"number": late[0].number, "date": late[0].due_date},
            detail={"order": late[0].number, "due_date": str(late[0].due_date)},
        )
    owed = outstanding(company.pk, excluding=excluding)
    if owed + amount > company.credit_limit:
        raise CreditLimitReached(
            _(
                "This order (%(amount)s €) would exceed your company's credit limit of %(limit)s € "
                "(%(owed)s € outstanding)."
            )
            % {"amount": amount, "limit": company.credit_limit, "owed": owed},
            detail={
                "amount": str(amount),
                "credit_limit": str(company.credit_limit),
                "outstanding": str(owed),
            },
        )


def settle_company_order(*, order: Order, company: Company, buyer: User, provider: str) -> Order:
    """Inside the checkout's transaction, just after a company buyer's order was placed: terms,
    credit limit, approval (see the module docstring). Returns the order as it now is."""
    company = lock_company(company.pk)
    role = getattr(membership(buyer, company), "role", None)
    order.company = company
    fields = ["company"]
    if provider == TERMS:
        check_terms(company, order.total_gross_eur, excluding=order.pk)
        order.payment_terms = company.payment_terms
        fields.append("payment_terms")
    needs_approval = (
        company.approval_limit is not None
        and order.total_gross_eur > company.approval_limit
        and role not in APPROVERS
    )
    if needs_approval:
        order.approval = Approval.PENDING
        fields.append("approval")
        order.save(update_fields=fields)
        _hold(order, hours=settings.B2B_APPROVAL_HOLD_HOURS)
        _notify(order, "approval_request")
        return order
    order.save(update_fields=fields)
    if provider == TERMS:
        return _accept_on_terms(order)
    return order


def _accept_on_terms(order: Order) -> Order:
    order.due_date = due_date_for(order.payment_terms, timezone.localdate())
    order.save(update_fields=["due_date"])
    return transition_order(
        order=order, to_status=OrderStatus.PAID, note=f"accepted on terms ({order.payment_terms})"
    )


def _hold(order: Order, *, hours: int) -> None:
    reservations = [
        line.reservation for line in OrderLine.objects.filter(order=order).select_related("reservation")
        if line.reservation is not None
    ]  # fmt: skip
    if reservations:
        inventory.extend_many(
            reservations=reservations, expires_at=timezone.now() + dt.timedelta(hours=hours), only_active=True
        )


# --- approvals -------------------------------------------------------------------------------------


def _locked_pending(order: Order, approver: User) -> tuple[Order, Company]:
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if (
        locked.company_id is None
        or locked.approval != Approval.PENDING
        or locked.status != OrderStatus.PENDING_PAYMENT
    ):
        raise NotAwaitingApproval(detail={"number": locked.number})
    company = lock_company(locked.company_id)
    member = membership(approver, company)
    if member is None or member.role not in APPROVERS:
        raise PermissionDenied(
            _("Only an approver of %(company)s approves its orders.") % {"company": company.name}
        )
    return locked, company


@transaction.atomic
def approve_order(*, order: Order, approver: User) -> Order:
    """An approver accepts a pending order: on terms, checked again (the limit, an overdue invoice)
    and accepted; paid online, the buyer is told to pay (its units stay held until their expiry)."""
    locked, company = _locked_pending(order, approver)
    if locked.payment_terms:
        check_terms(company, locked.total_gross_eur, excluding=locked.pk)
    locked.approval, locked.approved_by, locked.approved_at = Approval.APPROVED, approver, timezone.now()
    locked.save(update_fields=["approval", "approved_by", "approved_at"])
    _notify(locked, "approval_decision")
    if locked.payment_terms:
        return _accept_on_terms(locked)
    return locked


@transaction.atomic
def reject_order(*, order: Order, approver: User, reason: str = "") -> Order:
    locked, _company = _locked_pending(order, approver)
    locked.approval, locked.approved_by, locked.approved_at = Approval.REJECTED, approver, timezone.now()
    locked.save(update_fields=["approval", "approved_by", "approved_at"])
    _notify(locked, "approval_decision")
    note = f"rejected by {approver.email}" + (f": {reason.strip()[:200]}" if reason.strip() else "")
    return transition_order(order=locked, to_status=OrderStatus.CANCELLED, note=note)


def order_to_decide(*, user: User, number: str, shop: ShopInfo | None = None) -> Order:
    """A pending order of ``user``'s company (``user`` one of its approvers) placed on ``shop``;
    ``OrderNotFound`` for anything else (an unknown number, another company's or shop's order, a user
    who approves nothing: the same answer, so nothing leaks). The decision itself re-checks under lock."""
    from ..errors import OrderNotFound

    member = (
        CompanyMember.objects.filter(user=user, role__in=APPROVERS).first() if user.is_authenticated else None
    )
    order = (
        Order.objects.filter(rows_of_shop(shop), number=number, company_id=member.company_id)
        .prefetch_related("lines")
        .first()
        if member is not None
        else None
    )
    if order is None:
        raise OrderNotFound(
            _("No order %(number)s waits for your approval.") % {"number": number}, detail={"number": number}
        )
    return order


def is_approver(user: User) -> bool:
    return (
        bool(user.is_authenticated) and CompanyMember.objects.filter(user=user, role__in=APPROVERS).exists()
    )


def pending_approvals(user: User, *, shop: ShopInfo | None = None) -> list[Order]:
    """The orders waiting for ``user`` (an approver or admin of their company), oldest first; with
    ``shop``, those placed on that shop only (each shop's portal shows its own)."""
    member = CompanyMember.objects.filter(user=user, role__in=APPROVERS).first()
    if member is None:
        return []
    return list(
        Order.objects.filter(
            rows_of_shop(shop),
            company_id=member.company_id,
            approval=Approval.PENDING,
            status=OrderStatus.PENDING_PAYMENT,
        )
        .select_related("customer")
        .prefetch_related("lines")  # the approver sees what they approve
        .order_by("created_at")
    )


# --- after the order -------------------------------------------------------------------------------


@transaction.atomic
def record_terms_payment(*, order: Order, user: User | None = None) -> Order:
    """Staff record that the company paid this order on terms (idempotent)."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if not locked.payment_terms:
        raise ValidationFailed(_("Order %(number)s was not on terms.") % {"number": locked.number})
    if locked.terms_paid_at is None:
        locked.terms_paid_at = timezone.now()
        locked.save(update_fields=["terms_paid_at"])
    return locked


def remind_overdue(*, today: dt.date | None = None) -> int:
    """E-mail each overdue order's company administrators, once per order and week. Returns how many
    reminders went out (the same day again: none)."""
    today = today or timezone.localdate()
    late = Order.objects.filter(
        ~Q(payment_terms=""), company__isnull=False, terms_paid_at__isnull=True, due_date__lt=today
    ).exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED])
    week = today.isocalendar()
    sent = 0
    for order in late:
        with transaction.atomic():  # each reminder owed to its own transaction (the outbox)
            sent += _notify(order, "overdue_reminder", reference=f"{week.year}-W{week.week:02d}")
    return sent


def _notify(order: Order, kind: str, *, reference: str = "") -> int:
    from .. import notifications

    return notifications.schedule_company_email(order_id=order.pk, kind=kind, reference=reference)
