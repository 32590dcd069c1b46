"""The product form's photos: upload, preview, colour, alt text per language (FR / EN / IT), and
drag-to-order (``static/catalog/admin_photos.js`` renumbers the position inputs).

A saved upload owes its renditions to a worker (``images.schedule_renditions``, in the admin's
transaction: queued after commit); ``ProductAdmin.save_related`` publishes ``ProductsChanged``.
"""

from __future__ import annotations

from django.contrib.admin import display as admin_display
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_translation import TabbedTranslationTabularInline

from . import images
from .models import OptionValue, ProductImage


class ProductPhotoFormSet(BaseInlineFormSet):
    def save(self, commit=True):
        saved = super().save(commit)
        if commit:
            uploaded = [
                form.instance
                for form in self.forms
                if "image" in form.changed_data and form.instance.pk and form not in self.deleted_forms
            ]
            images.schedule_renditions(images=uploaded)
        return saved


class ProductPhotoInline(TabbedTranslationTabularInline):
    model = ProductImage
    formset = ProductPhotoFormSet
    extra = 1
    fields = ["preview", "image", "url", "colour", "alt", "position"]
    readonly_fields = ["preview"]
    verbose_name = _("photo")
    verbose_name_plural = _("photos (drag the rows to order them)")
    classes = ["photo-inline"]

    class Media:
        js = ["catalog/admin_photos.js"]
        css = {"all": ["catalog/admin_photos.css"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "colour":
            kwargs["queryset"] = OptionValue.objects.filter(option_type__code="color").select_related(
                "option_type"
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "colour" and field is not None:  # one query for every row's choices
            cache = getattr(request, "_colour_choices", None)
            if cache is None:
                cache = list(field.choices)  # type: ignore[arg-type]  # pairs; stubs type it widely
                request._colour_choices = cache
            field.choices = cache
        return field

    @admin_display(description=_("preview"))
    def preview(self, obj):
        if obj is None or not obj.pk or not (obj.image or obj.url):
            return "—"
        shown = images.picture(obj, alt="")
        return format_html('<img class="photo-preview" src="{}" alt="" width="96">', shown.thumb)
