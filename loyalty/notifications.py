"""The loyalty e-mails (sent by tasks, after commit)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pricing.models import Coupon, CouponOrigin

from .models import LoyaltyAccount, Tier


def send_tier_upgrade_email(*, account_id: int, tier_code: str) -> bool:
    account = LoyaltyAccount.objects.select_related("customer").get(pk=account_id)
    tier = Tier.objects.get(code=tier_code)
    customer = account.customer
    if not customer.email:
        return False
    with translation.override(getattr(customer, "preferred_language", "") or "fr"):
        subject = _("You are now %(tier)s") % {"tier": tier.name}
        lines = [
            _("Congratulations, you reached the %(tier)s tier.") % {"tier": tier.name},
            _("Points multiplier: x%(multiplier)s") % {"multiplier": tier.earn_multiplier},
        ]
        if tier.discount_percent:
            lines.append(_("Permanent discount: %(percent)s%%") % {"percent": tier.discount_percent})
        if tier.free_shipping:
            lines.append(_("Free shipping on every order."))
        if tier.early_access:
            lines.append(_("Early access to sales."))
        from .services_coupons import tier_welcome_key

        welcome = (
            Coupon.objects.select_related("promotion")
            .filter(source_key=tier_welcome_key(customer_id=customer.pk, tier_code=tier.code))
            .first()
        )
        if welcome is not None:
            lines.append(
                _("Your welcome gift: %(amount)s EUR off with the code %(code)s, until %(date)s.")
                % {
                    "amount": welcome.promotion.value,
                    "code": welcome.code,
                    "date": date_format(timezone.localdate(welcome.promotion.ends_at)),
                }
            )
    EmailMessage(
        subject=subject, body="\n".join(lines), from_email=settings.DEFAULT_FROM_EMAIL, to=[customer.email]
    ).send()
    return True


def send_personal_coupon_email(*, coupon_id: int) -> bool:
    """A birthday or win-back coupon's e-mail: its code, amount and expiry; valid online and in
    store. A service message of the loyalty programme (win-back coupons are only made for customers
    who consent to marketing e-mails)."""
    coupon = Coupon.objects.select_related("promotion", "customer").get(pk=coupon_id)
    customer = coupon.customer
    if customer is None or not customer.email or not customer.is_active:
        return False
    promotion = coupon.promotion
    with translation.override(getattr(customer, "preferred_language", "") or "fr"):
        if coupon.origin == CouponOrigin.BIRTHDAY:
            subject = _("Happy birthday! A gift from us")
            intro = _("Happy birthday! Here is a gift to celebrate.")
        elif coupon.origin == CouponOrigin.WIN_BACK:
            subject = _("We miss you: a gift to come back")
            intro = _("It has been a while. Here is a gift for your next purchase.")
        else:
            subject = _("A gift for you")
            intro = _("Here is a gift for your next purchase.")
        lines = [
            intro,
            _("%(amount)s EUR off with the code %(code)s, until %(date)s.")
            % {
                "amount": promotion.value,
                "code": coupon.code,
                "date": date_format(timezone.localdate(promotion.ends_at)),
            },
            _("Valid once, online and in our stores; sign in or show your loyalty card."),
        ]
    EmailMessage(
        subject=subject, body="\n".join(lines), from_email=settings.DEFAULT_FROM_EMAIL, to=[customer.email]
    ).send()
    return True
