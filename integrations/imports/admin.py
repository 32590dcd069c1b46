"""The ERP imports in the admin: every run with its report and rejected rows, an upload page that
previews the file (a dry run: its first rows and what would change), then runs it in Celery with a
progress bar fed by a JSON endpoint."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from .models import ImportKind, ImportRejection, ImportRun, ImportSource
from .profiles import load_profiles
from .services import create_run, preview_rows, run_import, start_import

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def _profile_choices() -> list[tuple[str, Any]]:
    return [("", _("Detect from the columns"))] + [(name, name) for name in sorted(load_profiles())]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    profile = forms.ChoiceField(label=_("Profile"), choices=_profile_choices, required=False)
    file = forms.FileField(label=_("File (.csv or .xml)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xml", ".txt"):
            raise forms.ValidationError(_("Send a .csv or .xml file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload


class ImportRejectionInline(admin.TabularInline[ImportRejection, ImportRun]):
    model = ImportRejection
    fields = ("line", "column", "value", "reason")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    list_display = (
        "id",
        "kind",
        "file_name",
        "profile",
        "source",
        "status",
        "dry_run",
        "summary",
        "created_at",
    )
    list_filter = ("kind", "status", "source", "dry_run")
    search_fields = ("file_name", "file_sha256")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ImportRun._meta.fields]
    inlines = [ImportRejectionInline]
    change_list_template = "admin/integrations/importrun/change_list.html"

    @admin.display(description=_("summary"))
    def summary(self, obj: ImportRun) -> str:
        return obj.summary

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportRun | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        own = [
            path("upload/", wrap(self.upload_view), name="integrations_importrun_upload"),
            path("<int:run_id>/start/", wrap(self.start_view), name="integrations_importrun_start"),
            path("<int:run_id>/progress/", wrap(self.progress_page), name="integrations_importrun_progress"),
            path(
                "<int:run_id>/progress.json",
                wrap(self.progress_json),
                name="integrations_importrun_progress_json",
            ),
        ]
        return own + super().get_urls()

    def _check(self, request: HttpRequest) -> None:
        if not request.user.has_perm("integrations.add_importrun"):
            raise PermissionDenied

    def _context(self, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        preview = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            folder = Path(settings.MEDIA_ROOT) / "erp" / "uploads"
            folder.mkdir(parents=True, exist_ok=True)
            stored = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
            with stored.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            run = create_run(
                kind=form.cleaned_data["kind"], path=stored, profile=form.cleaned_data["profile"],
                dry_run=True, source=ImportSource.ADMIN, user_id=request.user.pk,
                file_name=Path(upload.name).name,
            )  # fmt: skip
            run = run_import(run=run)
            preview = {
                "run": run,
                "rows": preview_rows(run=run),
                "rejections": list(run.rejections.all()[:50]),
            }
        context = self._context(request, str(_("Import an ERP file")), form=form, preview=preview)
        return TemplateResponse(request, "admin/integrations/importrun/upload.html", context)

    def start_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        self._check(request)
        dry = get_object_or_404(ImportRun, pk=run_id, dry_run=True, source=ImportSource.ADMIN)
        if request.method != "POST" or dry.status == "failed":
            return HttpResponseRedirect(reverse("admin:integrations_importrun_upload"))
        run = start_import(dry_run_of=dry, user_id=request.user.pk)
        return HttpResponseRedirect(reverse("admin:integrations_importrun_progress", args=[run.pk]))

    def progress_page(self, request: HttpRequest, run_id: int) -> HttpResponse:
        run = get_object_or_404(ImportRun, pk=run_id)
        context = self._context(request, str(_("Import in progress")), run=run)
        return TemplateResponse(request, "admin/integrations/importrun/progress.html", context)

    def progress_json(self, request: HttpRequest, run_id: int) -> JsonResponse:
        run = get_object_or_404(ImportRun, pk=run_id)
        return JsonResponse(
            {
                "id": run.pk,
                "status": run.status,
                "status_display": str(run.get_status_display()),
                "percent": run.progress_percent,
                "created": run.created,
                "updated": run.updated,
                "unchanged": run.unchanged,
                "rejected": run.rejected,
                "summary": run.summary,
                "finished": run.finished_at is not None,
                "url": reverse("admin:integrations_importrun_change", args=[run.pk]),
            }
        )
