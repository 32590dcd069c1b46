from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Each role is a Group of the same name holding its permissions (see accounts.roles)."""

    SHOPPER = "shopper", _("Shopper")
    CASHIER = "cashier", _("Cashier")
    STORE_MANAGER = "store_manager", _("Store manager")
    STAFF = "staff", _("Staff")
    MANAGER = "manager", _("Manager")
    INTEGRATION = "integration", _("Integration (ERP)")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """Logs in by e-mail. A cashier or store manager belongs to one store (``store``)."""

    username = None  # type: ignore[assignment]  # Django removes an inherited field set to None
    email = models.EmailField(_("e-mail address"), unique=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    store = models.ForeignKey(
        "inventory.Location",
        verbose_name=_("store"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_members",
        help_text=_("The store a cashier or store manager works in."),
    )
    preferred_language = models.CharField(max_length=8, default="fr", verbose_name=_("preferred language"))
    # When the shopper proved they read this address (``services.verify_email``); None: not yet.
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)
    # When the last verification link went out (``services.send_email_verification``): a resend is
    # refused until ``EMAIL_VERIFICATION_RESEND_MINUTES`` have passed.
    email_verification_sent_at = models.DateTimeField(_("verification e-mail sent at"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # The stubs want AbstractUser's manager class here; Django accepts any BaseUserManager.
    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def has_role(self, role: str) -> bool:
        return any(g.name == role for g in self.groups.all())


class CustomerGroup(models.Model):
    """Customers priced together (B2B accounts, staff), used by price lists."""

    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    is_b2b = models.BooleanField(default=False, verbose_name=_("B2B"))

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")

    def __str__(self) -> str:
        return self.name


class CustomerProfile(models.Model):
    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="customer_profile", verbose_name=_("user")
    )
    group = models.ForeignKey(
        CustomerGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
        verbose_name=_("group"),
    )
    company_name = models.CharField(max_length=200, blank=True, verbose_name=_("company name"))
    vat_number = models.CharField(max_length=32, blank=True, verbose_name=_("VAT number"))
    siren = models.CharField(
        max_length=9,
        blank=True,
        help_text=_("A business customer's SIREN, printed on its invoices."),
        verbose_name=_("SIREN"),
    )
    erp_code = models.CharField(
        max_length=40,
        blank=True,
        null=True,
        unique=True,
        help_text=_("The customer's code in the ERP (ERP invoices and files name customers by it)."),
        verbose_name=_("ERP code"),
    )
    invoices_by_email = models.BooleanField(
        default=True,
        help_text=_("Send each invoice and credit note by e-mail (they stay in the account)."),
        verbose_name=_("invoices by e-mail"),
    )
    loyalty_card_number = models.CharField(
        max_length=32, blank=True, null=True, unique=True, verbose_name=_("loyalty card number")
    )
    marketing_opt_in = models.BooleanField(default=False, verbose_name=_("marketing opt-in"))
    birth_date = models.DateField(
        _("date of birth"), null=True, blank=True, help_text=_("Optional: a birthday coupon each year.")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("customer profile")
        verbose_name_plural = _("customer profiles")

    def __str__(self) -> str:
        return f"Customer {self.user.email}"


class Address(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("user"))
    label = models.CharField(max_length=60, blank=True, verbose_name=_("label"))
    first_name = models.CharField(max_length=100, verbose_name=_("first name"))
    last_name = models.CharField(max_length=100, verbose_name=_("last name"))
    line1 = models.CharField(max_length=200, verbose_name=_("address line 1"))
    line2 = models.CharField(max_length=200, blank=True, verbose_name=_("address line 2"))
    postal_code = models.CharField(max_length=20, verbose_name=_("postal code"))
    city = models.CharField(max_length=100, verbose_name=_("city"))
    country = models.CharField(max_length=2, default="FR", verbose_name=_("country"))
    phone = models.CharField(max_length=32, blank=True, verbose_name=_("phone"))
    is_default_shipping = models.BooleanField(default=False, verbose_name=_("default shipping address"))
    is_default_billing = models.BooleanField(default=False, verbose_name=_("default billing address"))

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}, {self.line1}, {self.postal_code} {self.city}"


class PaymentTerms(models.TextChoices):
    """How a company pays: online at checkout, or on an invoice due some days after it."""

    ONLINE = "online", _("Online payment at checkout")
    NET_30 = "net30", _("30 days")
    NET_30_EOM = "net30eom", _("30 days end of month")
    NET_45_EOM = "net45eom", _("45 days end of month")
    NET_60 = "net60", _("60 days")


class Company(models.Model):
    """A business customer (B2B): several buyers, its own prices, its terms and limits.

    ``vat_number`` and ``siret`` are stored normalised (``services_companies``: python-stdnum), so a
    search or a uniqueness check compares like with like.
    """

    name = models.CharField(max_length=200, verbose_name=_("name"))
    vat_number = models.CharField(
        max_length=20,
        blank=True,
        verbose_name=_("VAT number"),
        help_text=_("Intra-EU VAT number, e.g. FR40303265045."),
    )
    vat_checked_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("VAT number checked at"),
        help_text=_("When the VAT register confirmed it."),
    )
    siret = models.CharField(max_length=14, blank=True, verbose_name=_("SIRET"))
    group = models.ForeignKey(
        CustomerGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="companies",
        verbose_name=_("customer group"),
        help_text=_("Its buyers get this group's price lists (the company's own list comes first)."),
    )
    payment_terms = models.CharField(
        max_length=10,
        choices=PaymentTerms.choices,
        default=PaymentTerms.ONLINE,
        verbose_name=_("payment terms"),
    )
    credit_limit = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        verbose_name=_("credit limit"),
        help_text=_("Unpaid orders on terms may not exceed it (incl. VAT, EUR)."),
    )
    approval_limit = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        verbose_name=_("approval above"),
        help_text=_("An order above this amount (incl. VAT, EUR) waits for an approver of the company."),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["vat_number"], condition=~models.Q(vat_number=""), name="company_vat_unique"
            ),
            models.UniqueConstraint(
                fields=["siret"], condition=~models.Q(siret=""), name="company_siret_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(credit_limit__gte=0), name="company_credit_limit_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(approval_limit__isnull=True) | models.Q(approval_limit__gte=0),
                name="company_approval_limit_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CompanyRole(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    APPROVER = "approver", _("Approver")
    ADMIN = "admin", _("Company administrator")


class CompanyMember(models.Model):
    """A user buying for a company. A user belongs to one company at most."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="members", verbose_name=_("company")
    )
    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="company_membership", verbose_name=_("user")
    )
    role = models.CharField(
        max_length=10, choices=CompanyRole.choices, default=CompanyRole.BUYER, verbose_name=_("role")
    )
    added_at = models.DateTimeField(auto_now_add=True, verbose_name=_("added at"))

    class Meta:
        verbose_name = _("company member")
        verbose_name_plural = _("company members")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.company})"
