"""Beat-made personal coupons: birthday once a year, win-back once per lapse for consenting
customers, each with its e-mail; single-use, the customer's only, web and till."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import CustomerProfile
from loyalty import services_coupons
from loyalty.tasks import grant_personal_coupons
from orders.models import Order
from pricing import services as pricing
from pricing.errors import InvalidCoupon
from pricing.models import Channel, Coupon, CouponOrigin
from tests.factories import UserFactory

D = Decimal
pytestmark = pytest.mark.django_db


def test_birthday_coupon_once_a_year_with_its_email(
    settings, mailoutbox, django_capture_on_commit_callbacks, eager_celery
):
    settings.LOYALTY_BIRTHDAY_COUPON_EUR = 10
    today = timezone.localdate()
    born = UserFactory(email="born@example.com")
    CustomerProfile.objects.create(user=born, birth_date=today.replace(year=1990))
    other = UserFactory(email="other@example.com")
    CustomerProfile.objects.create(user=other, birth_date=(today + dt.timedelta(days=3)).replace(year=1990))

    with django_capture_on_commit_callbacks(execute=True):
        result = grant_personal_coupons.apply().get(disable_sync_subtasks=False)
    assert result == {"birthday": 1, "win_back": 0}
    coupon = Coupon.objects.get(origin=CouponOrigin.BIRTHDAY)
    assert (coupon.customer_id, coupon.source_key, coupon.max_uses) == (
        born.pk,
        f"birthday:{born.pk}:{today.year}",
        1,
    )
    assert (coupon.promotion.value, coupon.promotion.channel, coupon.promotion.requires_coupon) == (
        D("10.00"),
        Channel.ANY,
        True,
    )
    mails = [m for m in mailoutbox if coupon.code in m.body]
    assert len(mails) == 1 and mails[0].to == ["born@example.com"]
    # the same day again (a second beat run): nothing new, no second e-mail
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services_coupons.grant_personal_coupons().birthday == 0
    assert Coupon.objects.filter(origin=CouponOrigin.BIRTHDAY).count() == 1
    assert mailoutbox == []
    # valid on both channels for its owner only
    for channel in (Channel.WEB, Channel.STORE):
        assert pricing.check_coupon(code=coupon.code, basket_ttc=D("20"), channel=channel, customer=born)
    with pytest.raises(InvalidCoupon):
        pricing.check_coupon(code=coupon.code, basket_ttc=D("20"), channel=Channel.WEB, customer=other)


def test_february_29_birthdays_are_celebrated_on_the_28th_in_other_years():
    born = dt.date(2000, 2, 29)
    assert services_coupons.birthday_today(birth_date=born, today=dt.date(2027, 2, 28))
    assert not services_coupons.birthday_today(birth_date=born, today=dt.date(2028, 2, 28))
    assert services_coupons.birthday_today(birth_date=born, today=dt.date(2028, 2, 29))


def test_win_back_once_per_lapse_and_only_with_consent(settings, customer, shop, till_sale):
    settings.LOYALTY_WINBACK_DAYS = 120
    CustomerProfile.objects.create(user=customer, marketing_opt_in=True)
    shy = UserFactory(email="shy@example.com")
    CustomerProfile.objects.create(user=shy, marketing_opt_in=False)
    old = timezone.now() - dt.timedelta(days=130)
    first = till_sale(customer, [("TEE", 1)], [("cash", "12.50")])
    shy_order = till_sale(shy, [("TEE", 1)], [("cash", "12.50")])
    Order.objects.filter(pk__in=[first.pk, shy_order.pk]).update(created_at=old)

    assert services_coupons.grant_personal_coupons().win_back == 1
    coupon = Coupon.objects.get(origin=CouponOrigin.WIN_BACK)
    assert (coupon.customer_id, coupon.source_key) == (customer.pk, f"win-back:{customer.pk}:{first.pk}")
    assert services_coupons.grant_personal_coupons().win_back == 0  # the same lapse: once

    # a recent purchase: no lapse; once it is old too, a new lapse gets a new coupon
    second = till_sale(customer, [("MUG", 1)], [("cash", "6.00")])
    assert services_coupons.grant_personal_coupons().win_back == 0
    Order.objects.filter(pk=second.pk).update(created_at=old + dt.timedelta(days=5))
    assert services_coupons.grant_personal_coupons().win_back == 1
    assert set(Coupon.objects.filter(origin=CouponOrigin.WIN_BACK).values_list("source_key", flat=True)) == {
        f"win-back:{customer.pk}:{first.pk}",
        f"win-back:{customer.pk}:{second.pk}",
    }
    assert not Coupon.objects.filter(customer=shy).exists()


def test_tier_welcome_email_carries_the_code(
    customer, shop, till_sale, mailoutbox, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        till_sale(customer, [("TEE", 17)], [("cash", "212.50")])  # silver
    welcome = Coupon.objects.get(origin=CouponOrigin.TIER_WELCOME, customer=customer)
    mails = [m for m in mailoutbox if "Silver" in m.subject]
    assert len(mails) == 1 and welcome.code in mails[0].body
