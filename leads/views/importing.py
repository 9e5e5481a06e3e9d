"""The pipeline's Excel import in the browser: upload, see every problem or what it would do,
confirm; the blank template. The project import's flow (projects/views/importing.py), with a batch
of the pipeline kind."""

import io

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import permissions
from access.decorators import object_permission, requires
from fuling_invest.errors import get_or_404
from leads.importing import ImportRejected, write_lead_template
from leads.importing.batches import confirm_lead_batch, preview_lead_batch
from lib.xlsx import XLSX_CONTENT_TYPE
from projects.importing.batches import BatchNotPending, store_upload
from projects.importing.forms import ImportUploadForm
from projects.importing.reading import megabytes
from projects.models import ImportBatch

NOT_AN_IMPORTER = "只有单位填报员和审核员可以导入招商线索。"
PIPELINE = ImportBatch.Kind.PIPELINE


def get_lead_batch_for_user(request, pk: int) -> ImportBatch:
    """The user's own pipeline batch; anyone else's answers 404, as if it did not exist."""
    batches = ImportBatch.objects.filter(uploaded_by=request.user, kind=PIPELINE)
    return get_or_404(batches, "没有这次导入，或它不是您上传的。", pk=pk)


def lead_batch_action(view):
    """A view of one of the user's own batches (404 otherwise), for whoever may import (403 otherwise)."""
    return object_permission(get_lead_batch_for_user, permissions.acts_on_import, NOT_AN_IMPORTER)(view)


@require_http_methods(["GET", "POST"])
@requires(permissions.imports, NOT_AN_IMPORTER)
def leads_import_upload(request):
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            batch = store_upload(upload=form.cleaned_data["file"], user=request.user, kind=PIPELINE)
            return redirect("leads_import_preview", pk=batch.pk)
    else:
        form = ImportUploadForm()
    recent = ImportBatch.objects.filter(uploaded_by=request.user, kind=PIPELINE)[:10]
    context = {"form": form, "recent": recent, "max_size": megabytes(settings.IMPORT_MAX_BYTES), "nav": "import"}
    return render(request, "leads/import_upload.html", context)


@require_GET
def leads_import_template(request):
    buffer = io.BytesIO()
    write_lead_template(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="招商线索导入模板.xlsx", content_type=XLSX_CONTENT_TYPE)


@require_GET
@lead_batch_action
def leads_import_preview(request, batch: ImportBatch):
    context = {"batch": batch, "nav": "import"}
    if batch.state == ImportBatch.State.PENDING:
        context["preview"] = preview_lead_batch(batch=batch, user=request.user)
    return render(request, "leads/import_preview.html", context)


@require_POST
@lead_batch_action
def leads_import_confirm(request, batch: ImportBatch):
    try:
        result = confirm_lead_batch(batch=batch, user=request.user)
    except BatchNotPending as refused:
        messages.error(request, str(refused))
        return redirect("leads_import_preview", pk=batch.pk)
    except ImportRejected as rejected:
        messages.error(request, f"导入失败：发现 {len(rejected.problems)} 处错误，未写入任何数据。请查看下面的错误，改正后重新上传。")
        return redirect("leads_import_preview", pk=batch.pk)
    messages.success(request, " ".join(result.summary()))
    return redirect("leads_import_preview", pk=batch.pk)
