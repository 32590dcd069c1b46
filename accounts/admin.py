"""Users (log in by e-mail; roles are groups; cashiers and store managers belong to a store),
customer groups and customer profiles."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from . import services
from . import services_companies as companies
from .models import Address, Company, CompanyMember, CustomerGroup, CustomerProfile, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class CustomerProfileInline(admin.StackedInline):
    model = CustomerProfile
    extra = 0
    can_delete = False
    fields = ["group", "company_name", "vat_number", "loyalty_card_number", "marketing_opt_in"]


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = ["label", "first_name", "last_name", "line1", "postal_code", "city", "country", "phone"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "roles",
        "store",
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_filter = ["groups", "store", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name", "phone"]
    date_hierarchy = "date_joined"
    list_select_related = ["store"]
    autocomplete_fields = ["store"]
    inlines = [CustomerProfileInline, AddressInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "phone", "preferred_language"]}),
        (
            "Role and store",
            {
                "fields": ["groups", "store", "is_active", "is_staff", "is_superuser"],
                "description": "Roles are the groups shopper, cashier, store_manager, staff and manager. "
                "A cashier or store manager acts at their store only.",
            },
        ),
        (_("Individual permissions"), {"fields": ["user_permissions"], "classes": ["collapse"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]}),
        (_("Role and store"), {"fields": ["groups", "store", "is_staff"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        )

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(group.name for group in obj.groups.all())

    @admin.action(description=_("Unlock logins (clear failed sign-in attempts)"), permissions=["change"])
    def unlock_logins(self, request, queryset):
        cleared = services.unlock_logins(emails=list(queryset.values_list("email", flat=True)))
        self.message_user(
            request, f"Sign-ins unlocked for {queryset.count()} user(s); {cleared} failure record(s) cleared."
        )

    actions = ["unlock_logins"]


@admin.register(CustomerGroup)
class CustomerGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_b2b"]
    list_filter = ["is_b2b"]
    search_fields = ["code", "name"]


@admin.register(CustomerProfile)
class CustomerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "company_name", "loyalty_card_number", "marketing_opt_in", "created_at"]
    list_filter = ["group", "marketing_opt_in"]
    search_fields = [
        "user__email",
        "user__first_name",
        "user__last_name",
        "company_name",
        "vat_number",
        "=loyalty_card_number",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["user", "group"]
    autocomplete_fields = ["user"]


class CompanyMemberInline(admin.TabularInline):
    model = CompanyMember
    autocomplete_fields = ["user"]
    readonly_fields = ["added_at"]
    extra = 0


class CompanyForm(forms.ModelForm):
    """The identifiers checked and made compact by the same rules as ``services_companies``."""

    class Meta:
        model = Company
        fields = ["name", "vat_number", "siret", "group", "payment_terms", "credit_limit", "approval_limit",
                  "is_active"]  # fmt: skip

    def clean_vat_number(self) -> str:
        """Format and check digits, then, for a new or changed number, the EU register as
        ``create_company`` asks it: a number the register does not know is refused here too (the
        form shows why and nothing is saved); the register being down keeps it, unconfirmed."""
        try:
            number = companies.clean_vat_number(self.cleaned_data["vat_number"])
            if "vat_number" in self.changed_data or not self.instance.pk:
                self.vat_checked_at = companies.vat_checked_at(number)
        except companies.InvalidCompany as exc:
            raise forms.ValidationError(str(exc.message)) from None
        return number

    def clean_siret(self) -> str:
        try:
            return companies.clean_siret(self.cleaned_data["siret"])
        except companies.InvalidCompany as exc:
            raise forms.ValidationError(str(exc.message)) from None


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    form = CompanyForm
    list_display = ["name", "vat_number", "siret", "group", "payment_terms", "credit_limit", "vat_checked_at",
                    "is_active"]  # fmt: skip
    list_filter = ["payment_terms", "group", "is_active"]
    list_select_related = ["group"]
    search_fields = ["name", "vat_number", "siret", "members__user__email"]
    readonly_fields = ["vat_checked_at", "created_at"]
    inlines = [CompanyMemberInline]
    actions = ["recheck_vat_numbers"]

    def save_model(self, request, obj, form, change):
        # the VAT register was asked by the form when the number is new or changed
        if hasattr(form, "vat_checked_at"):
            obj.vat_checked_at = form.vat_checked_at
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Check the VAT numbers with the EU register again"))
    def recheck_vat_numbers(self, request, queryset):
        confirmed = 0
        for company in queryset.exclude(vat_number=""):
            try:
                confirmed += companies.recheck_vat(company=company).vat_checked_at is not None
            except companies.InvalidCompany as exc:
                self.message_user(request, f"{company}: {exc.message}", level="warning")
        self.message_user(request, _("%(count)s VAT number(s) confirmed.") % {"count": confirmed})
