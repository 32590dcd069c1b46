"""The loyalty e-mails (sent by tasks, after commit)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

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
    EmailMessage(
        subject=subject, body="\n".join(lines), from_email=settings.DEFAULT_FROM_EMAIL, to=[customer.email]
    ).send()
    return True
