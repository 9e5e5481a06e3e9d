"""Uploaded files kept as evidence (an arrival's bank slip, a milestone's proof, an activity's
attachment): the checks an upload passes, the name kept for the download, and the download.

The checks: the extension is one of the allowed, the size under the limit, and the first bytes
are what the extension says (a renamed file is refused). The stored name is the app's own (see
each model's upload_to); the user's file name is kept apart, without any folder, for the
download only. The download is an attachment, or with `?inline=1` shown by the browser when the
file truly is a PDF or an image, under a policy that lets nothing else run."""

from __future__ import annotations

from pathlib import Path

from csp.constants import NONE, SELF
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest

MAGIC_BYTES = {"pdf": (b"%PDF",), "png": (b"\x89PNG",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",)}

# What the browser may show itself: a PDF or an image whose first bytes say so. The policy lets
# the browser's PDF viewer run and nothing else (no script, no style sheet, no frame around it).
INLINE_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
INLINE_POLICY = {
    "default-src": [NONE],
    "script-src": [NONE],
    "img-src": [SELF],
    "object-src": [SELF],
    "style-src": ["'unsafe-inline'"],
    "frame-ancestors": [NONE],
}


def file_problem(
    upload, *, extensions: list[str], max_bytes: int, what: str = "凭证", example: str = "银行回单的扫描件或照片"
) -> str | None:
    """Why an uploaded file is refused, or None: extension, then size, then the first bytes.
    `what` names the file in the messages (凭证, 附件), `example` says what it usually is."""
    extension = Path(upload.name).suffix.lower().lstrip(".")
    allowed = "、".join(extensions)
    if extension not in extensions:
        return f"{what}只能是 {allowed} 文件（{example}）；「{upload.name}」不是。"
    if upload.size > max_bytes:
        return f"{what}文件过大（{upload.size / 1024 / 1024:.1f} MB），不能超过 {max_bytes / 1024 / 1024:.0f} MB。"
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in MAGIC_BYTES.get(extension, ())):
        return f"「{upload.name}」的内容不是真正的 {extension.upper()} 文件（文件可能已损坏或被改了扩展名）。"
    return None


def kept_name(upload) -> str:
    """The user's own file name, without any folder, kept for the download (never used as a path)."""
    return upload.name.replace("\\", "/").rsplit("/", 1)[-1][-200:]


def inline_type(stored_name: str, handle) -> str | None:
    """The content type to show the file as, when its extension and its first bytes agree."""
    extension = stored_name.rsplit(".", 1)[-1].lower() if "." in stored_name else ""
    head = handle.read(8)
    handle.seek(0)
    if extension in INLINE_TYPES and any(head.startswith(magic) for magic in MAGIC_BYTES[extension]):
        return INLINE_TYPES[extension]
    return None


def serve(request: HttpRequest, stored: FieldFile, name: str, *, what: str = "凭证") -> FileResponse:
    """The kept file as a download named `name` (else its stored name), or shown inline with
    `?inline=1` when it truly is a PDF or an image; 404 in Chinese when there is none."""
    if not stored:
        raise Http404(f"没有上传{what}。")
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404(f"{what}文件不存在。") from None
    content_type = inline_type(stored.name, handle) if request.GET.get("inline") == "1" else None
    filename = name or stored.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=content_type is None, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if content_type is not None:
        response._csp_replace = INLINE_POLICY  # django-csp's per-response override
    return response


def replace_file(instance, upload, *, field: str = "evidence", name_field: str = "evidence_name") -> FieldFile:
    """Put `upload` in `instance`'s file field, keeping the user's file name in `name_field`;
    returns the file it replaces, for delete_on_commit once the instance is saved."""
    replaced = getattr(instance, field)
    setattr(instance, field, upload)
    setattr(instance, name_field, kept_name(upload))
    return replaced


def delete_on_commit(stored: FieldFile | None) -> None:
    """The file leaves the storage once the transaction commits: a rolled-back change keeps it."""
    if stored:
        name, storage = stored.name, stored.storage
        transaction.on_commit(lambda: storage.delete(name))
