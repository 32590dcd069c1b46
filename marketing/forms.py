from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# The exact consent text of the newsletter form; its rendered wording is stored with each sign-up.
NEWSLETTER_CONSENT_TEXT = _(
    "I would like to receive the Maison Corsica newsletter (news, offers, new products) by e-mail. "
    "I can unsubscribe at any time with the link in every e-mail."
)


class NewsletterForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    consent = forms.BooleanField(label=NEWSLETTER_CONSENT_TEXT, required=True)
