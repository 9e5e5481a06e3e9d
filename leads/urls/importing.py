from django.urls import path

from ..views import importing

urlpatterns = [
    path("", importing.leads_import_upload, name="leads_import_upload"),
    path("template.xlsx", importing.leads_import_template, name="leads_import_template"),
    path("<int:pk>/", importing.leads_import_preview, name="leads_import_preview"),
    path("<int:pk>/confirm/", importing.leads_import_confirm, name="leads_import_confirm"),
]
