"""The Excel import in the browser: upload, see every problem or a preview, confirm; the blank template."""

import io

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fuling_invest.errors import get_or_404
from access import permissions
from access.decorators import object_permission, requires
from access.roles import access_of
from projects.importing import ImportRejected, write_template
from projects.importing.batches import BatchNotPending, confirm_batch, preview_batch, store_upload
from projects.importing.forms import ImportUploadForm
from projects.importing.reading import megabytes
from projects.models import ImportBatch
from lib.xlsx import XLSX_CONTENT_TYPE



NOT_AN_IMPORTER = "只有单位填报员和审核员可以导入项目。"


def get_batch_for_user(request, pk: int) -> ImportBatch:
    """The user's own batch; anyone else's answers 404, as if it did not exist."""
    batches = ImportBatch.objects.filter(uploaded_by=request.user, kind=ImportBatch.Kind.PROJECTS)
    return get_or_404(batches, "没有这次导入，或它不是您上传的。", pk=pk)


def batch_action(view):
    """A view of one of the user's own batches (404 otherwise), for whoever may import (403 otherwise)."""
    return object_permission(get_batch_for_user, permissions.acts_on_import, NOT_AN_IMPORTER)(view)


def _preview_url(batch: ImportBatch, approve: bool) -> str:
    url = reverse("import_preview", kwargs={"pk": batch.pk})
    return f"{url}?approve=1" if approve else url


@require_http_methods(["GET", "POST"])
@requires(permissions.imports, NOT_AN_IMPORTER)
def import_upload(request):
    may_approve = permissions.reviews(access_of(request.user))
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, may_approve=may_approve)
        if form.is_valid():
            batch = store_upload(upload=form.cleaned_data["file"], user=request.user)
            return redirect(_preview_url(batch, form.cleaned_data.get("approve", False)))
    else:
        form = ImportUploadForm(may_approve=may_approve)
    recent = ImportBatch.objects.filter(uploaded_by=request.user, kind=ImportBatch.Kind.PROJECTS)[:10]
    context = {"form": form, "recent": recent, "max_size": megabytes(settings.IMPORT_MAX_BYTES), "nav": "import"}
    return render(request, "projects/import_upload.html", context)


@require_GET
def import_template(request):
    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="招商项目导入模板.xlsx", content_type=XLSX_CONTENT_TYPE)


@require_GET
@batch_action
def import_preview(request, batch: ImportBatch):
    approve = permissions.reviews(access_of(request.user)) and request.GET.get("approve") == "1"
    context = {"batch": batch, "approve": approve, "nav": "import"}
    if batch.state == ImportBatch.State.PENDING:
        context["preview"] = preview_batch(batch=batch, user=request.user, approve=approve)
    return render(request, "projects/import_preview.html", context)


@require_POST
@batch_action
def import_confirm(request, batch: ImportBatch):
    approve = request.POST.get("approve") == "1"
    try:
        result = confirm_batch(batch=batch, user=request.user, approve=approve)
    except BatchNotPending as refused:
        messages.error(request, str(refused))
        return redirect(_preview_url(batch, approve))
    except ImportRejected as rejected:
        messages.error(request, f"导入失败：发现 {len(rejected.problems)} 处错误，未写入任何数据。请查看下面的错误，改正后重新上传。")
        return redirect(_preview_url(batch, approve))
    messages.success(request, result.summary()[0])
    return redirect("project_list")
