"""The storefront's review form (validation only; ``catalog.services.submit_review`` writes)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import PlainTextFormMixin

RATING_CHOICES = [(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")]


class ReviewForm(PlainTextFormMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"), choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    text = forms.CharField(
        label=_("Your review"), min_length=10, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
