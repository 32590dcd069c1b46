"""Forms of the customer portal: they parse and show field errors; the services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import User
from core.text import PlainTextFormMixin


class ShopAuthenticationForm(AuthenticationForm):
    """Log in by e-mail."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "inputmode": "email"}),
    )
    error_messages = {
        "invalid_login": _("This e-mail address and password do not match an account."),
        "inactive": _("This account is closed."),
    }


class SignupForm(PlainTextFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not too common, not only digits, not like your name or e-mail."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    preferred_language = forms.ChoiceField(label=_("Language for e-mails"), choices=settings.LANGUAGES)
    marketing_opt_in = forms.BooleanField(
        label=_("Send me news and offers by e-mail (you can stop at any time)"), required=False
    )

    def clean_email(self) -> str:
        email = services.normalize_email(self.cleaned_data["email"])
        if services.email_is_registered(email):
            raise forms.ValidationError(
                _("An account already exists with this e-mail address. Sign in or reset your password."),
                code="email_taken",
            )
        return email

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean() returns cleaned_data
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error(
                "password2", forms.ValidationError(_("The two passwords differ."), code="mismatch")
            )
        elif password1:
            candidate = User(
                email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
            )
            try:
                password_validation.validate_password(password1, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ProfileForm(PlainTextFormMixin, forms.Form):
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    phone = forms.RegexField(
        label=_("Mobile phone"),
        regex=r"^\+?[0-9 .()-]{6,20}$",
        max_length=32,
        required=False,
        error_messages={"invalid": _("Enter a phone number, e.g. +33 6 12 34 56 78.")},
        help_text=_("For text messages when a click & collect order is ready."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    preferred_language = forms.ChoiceField(label=_("Language for e-mails"), choices=settings.LANGUAGES)
    marketing_opt_in = forms.BooleanField(
        label=_("Send me news and offers by e-mail (you can stop at any time)"), required=False
    )
    birth_date = forms.DateField(
        label=_("Birth date (optional)"),
        required=False,
        help_text=_("For a gift on your birthday."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )


class AddressForm(PlainTextFormMixin, forms.Form):
    label = forms.CharField(
        label=_("Name this address (optional)"),
        max_length=60,
        required=False,
        help_text=_("e.g. Home, Office"),
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    line1 = forms.CharField(
        label=_("Address"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "address-line1"})
    )
    line2 = forms.CharField(
        label=_("Address line 2 (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )
    city = forms.CharField(
        label=_("City"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    country = forms.ChoiceField(
        label=_("Country"), choices=services.COUNTRIES, widget=forms.Select(attrs={"autocomplete": "country"})
    )
    phone = forms.RegexField(
        label=_("Phone for the carrier (optional)"),
        regex=r"^\+?[0-9 .()-]{6,20}$",
        max_length=32,
        required=False,
        error_messages={"invalid": _("Enter a phone number, e.g. +33 6 12 34 56 78.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    default_shipping = forms.BooleanField(label=_("Use as my default delivery address"), required=False)
    default_billing = forms.BooleanField(label=_("Use as my default billing address"), required=False)

    def address_data(self) -> services.AddressData:
        data = self.cleaned_data
        return services.AddressData(
            label=data["label"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            line1=data["line1"],
            line2=data["line2"],
            postal_code=data["postal_code"],
            city=data["city"],
            country=data["country"],
            phone=data["phone"],
        )


class CloseAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account is closed for good and my personal data deleted."),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )


class ShopPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class ShopSetPasswordForm(SetPasswordForm):
    """Django's form; only here so the templates can rely on our labels."""
