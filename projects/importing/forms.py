"""The upload form of the browser import."""

from pathlib import Path

from django import forms
from django.conf import settings

from .reading import megabytes


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        error_messages={"required": "请选择要导入的 .xlsx 文件。", "empty": "上传的文件是空的。", "invalid": "没有收到文件，请重新选择。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    approve = forms.BooleanField(
        label="导入后直接审核通过", required=False, help_text="仅审核员可选：导入的项目直接设为“已审核”、新增的到位资金和节点日期设为“已核实”，否则为“待审核”“待核实”。"
    )

    def __init__(self, *args, may_approve: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"使用导入模板填写，文件不超过 {megabytes(settings.IMPORT_MAX_BYTES)}。"
        if not may_approve:
            del self.fields["approve"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() != ".xlsx":
            raise forms.ValidationError("只能导入 .xlsx 文件；旧版 .xls 或其他格式，请在 Excel 中“另存为” .xlsx 后再上传。")
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"文件有 {megabytes(upload.size)}，超过 {megabytes(settings.IMPORT_MAX_BYTES)} 的上限，请拆分后分批导入。"
            )
        return upload
