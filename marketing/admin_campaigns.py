"""Segments and campaigns in the back office: build a segment from rules and see how many people it
reaches, compose a campaign, preview it for a real recipient, test-send it, schedule or cancel it.
Every button calls one service (``services_segments`` / ``services_campaigns``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import TemplateSyntaxError
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User

from . import services_campaigns, services_segments
from .campaign_models import Campaign, CampaignRecipient, CampaignStatus, CustomerRfm, Segment
from .models import Channel

EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin[Segment]):
    list_display = ("name", "channel", "rfm_segment", "tier", "store", "city")
    search_fields = ("name",)
    filter_horizontal = ("categories",)
    readonly_fields = ("members",)
    fieldsets = (
        (None, {"fields": ("name", "channel", "members")}),
        (
            gettext_lazy("Rules (every rule set must match)"),
            {
                "fields": (
                    "rfm_segment",
                    "tier",
                    "store",
                    "city",
                    "categories",
                    ("last_purchase_after", "last_purchase_before"),
                    ("spend_min", "spend_max"),
                )
            },
        ),
    )

    @admin.display(description=gettext_lazy("members (consenting, not suppressed)"))
    def members(self, obj: Segment | None) -> str:
        if obj is None or not obj.pk:
            return _("Save the segment to see how many people it reaches.")
        return str(services_segments.member_count(obj))


@admin.register(CustomerRfm)
class CustomerRfmAdmin(admin.ModelAdmin[CustomerRfm]):
    list_display = (
        "customer",
        "segment",
        "recency_days",
        "frequency",
        "monetary",
        "orders_total",
        "computed_at",
    )
    list_filter = ("segment",)
    search_fields = ("customer__email",)
    list_select_related = ("customer",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CampaignForm(forms.ModelForm[Campaign]):
    class Meta:
        model = Campaign
        fields = (
            "name",
            "segment",
            "subject_fr",
            "body_fr",
            "subject_en",
            "body_en",
            "subject_it",
            "body_it",
            "products",
            "promotion",
            "promotion_ends_at",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for lang in services_campaigns.LANGUAGES:
            try:
                services_campaigns.check_template(data.get(f"body_{lang}") or "")
            except TemplateSyntaxError as exc:
                self.add_error(
                    f"body_{lang}", _("The body is not a valid template: %(error)s") % {"error": exc}
                )
            if bool(data.get(f"subject_{lang}")) != bool(data.get(f"body_{lang}")):
                self.add_error(f"subject_{lang}", _("Give both the subject and the body, or neither."))
        if data.get("promotion") and not data.get("promotion_ends_at"):
            self.add_error("promotion_ends_at", _("Say when the promotion ends."))
        return data


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=gettext_lazy("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy("Local time (Europe/Paris)."),
    )


class TestSendForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Send a test to"))
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[
            ("", gettext_lazy("The sample recipient's")),
            ("fr", "Français"),
            ("en", "English"),
            ("it", "Italiano"),
        ],
        required=False,
    )


@admin.register(CampaignRecipient)
class CampaignRecipientAdmin(admin.ModelAdmin[CampaignRecipient]):
    """The per-recipient log, read-only."""

    list_display = ("email", "campaign", "language", "status", "sent_at", "error")
    list_filter = ("status", "campaign")
    search_fields = ("email",)
    list_select_related = ("campaign",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    form = CampaignForm
    list_display = ("name", "segment", "status", "send_at", "started_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("name",)
    list_select_related = ("segment",)
    filter_horizontal = ("products",)
    change_form_template = "admin/marketing/campaign/change_form.html"

    def get_readonly_fields(self, request: HttpRequest, obj: Campaign | None = None) -> tuple[str, ...]:
        log = ("status", "send_at", "started_at", "finished_at", "progress")
        if obj is not None and obj.status not in EDITABLE:
            return (*CampaignForm.Meta.fields, *log)
        return log

    def get_fields(self, request: HttpRequest, obj: Campaign | None = None) -> list[str]:  # type: ignore[override]
        return [*CampaignForm.Meta.fields, "status", "send_at", "started_at", "finished_at", "progress"]

    @admin.display(description=gettext_lazy("recipients"))
    def progress(self, obj: Campaign) -> str:
        counts = dict(
            CampaignRecipient.objects.filter(campaign=obj)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        if not counts:
            return "—"
        return ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        own = [
            path("<int:object_id>/preview/", wrap(self.preview_view), name="marketing_campaign_preview"),
            path(
                "<int:object_id>/test-send/", wrap(self.test_send_view), name="marketing_campaign_test_send"
            ),
            path("<int:object_id>/schedule/", wrap(self.schedule_view), name="marketing_campaign_schedule"),
            path("<int:object_id>/cancel/", wrap(self.cancel_view), name="marketing_campaign_cancel"),
        ]
        return own + super().get_urls()

    def _campaign(self, request: HttpRequest, object_id: int, *, change: bool) -> Campaign:
        campaign = self.get_queryset(request).select_related("segment").filter(pk=object_id).first()
        if campaign is None:
            raise Http404(_("No such campaign."))
        allowed = (
            self.has_change_permission(request, campaign)
            if change
            else self.has_view_permission(request, campaign)
        )
        if not allowed:
            raise PermissionDenied
        return campaign

    def _page(
        self,
        request: HttpRequest,
        campaign: Campaign,
        template: str,
        title: str,
        status: int = 200,
        **extra: Any,
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": campaign,
            "title": title,
            **extra,
        }
        return TemplateResponse(request, template, context, status=status)

    def preview_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        campaign = self._campaign(request, object_id, change=False)
        customer = None
        if request.GET.get("customer", "").isdigit():
            customer = User.objects.filter(pk=int(request.GET["customer"])).first()
        language = request.GET.get("language") or None
        if language not in (None, *services_campaigns.LANGUAGES):
            language = None
        customer = customer or services_campaigns.sample_recipient(campaign)
        rendered = services_campaigns.preview(campaign=campaign, customer=customer, language=language)
        return self._page(
            request,
            campaign,
            "admin/marketing/campaign/preview.html",
            _("Preview of %(name)s") % {"name": campaign.name},
            rendered=rendered,
            recipient=customer,
            languages=services_campaigns.LANGUAGES,
        )

    def test_send_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        campaign = self._campaign(request, object_id, change=True)
        form = TestSendForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services_campaigns.send_test(
                campaign=campaign,
                to=form.cleaned_data["email"],
                language=form.cleaned_data["language"] or None,
            )
            self.message_user(
                request,
                _("A test was sent to %(email)s.") % {"email": form.cleaned_data["email"]},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:marketing_campaign_change", args=[campaign.pk]))
        return self._page(
            request,
            campaign,
            "admin/marketing/campaign/form.html",
            _("Send a test of %(name)s") % {"name": campaign.name},
            status=400 if request.method == "POST" else 200,
            form=form,
            button=_("Send the test"),
        )

    def schedule_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        campaign = self._campaign(request, object_id, change=True)
        form = ScheduleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services_campaigns.schedule_campaign(
                    campaign_id=campaign.pk, send_at=form.cleaned_data["send_at"]
                )
            except services_campaigns.CampaignRefused as exc:
                form.add_error("send_at" if "send_at" in (exc.detail or {}) else None, str(exc.message))
            else:
                self.message_user(
                    request,
                    _("Scheduled: the campaign goes out at %(when)s.")
                    % {"when": timezone.localtime(form.cleaned_data["send_at"]).strftime("%Y-%m-%d %H:%M")},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:marketing_campaign_change", args=[campaign.pk]))
        count = services_segments.member_count(campaign.segment, channel=Channel.EMAIL)
        return self._page(
            request,
            campaign,
            "admin/marketing/campaign/form.html",
            _("Schedule %(name)s") % {"name": campaign.name},
            status=400 if request.method == "POST" else 200,
            form=form,
            button=_("Schedule"),
            member_count=count,
        )

    def cancel_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        campaign = self._campaign(request, object_id, change=True)
        if request.method == "POST":
            services_campaigns.cancel_campaign(campaign_id=campaign.pk)
            self.message_user(request, _("The campaign is cancelled."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:marketing_campaign_change", args=[campaign.pk]))
