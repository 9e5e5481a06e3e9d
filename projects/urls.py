from django.urls import path

from .views import agreements, editing, importing, listing, verifying

urlpatterns = [
    path("", listing.project_list, name="project_list"),
    path("export.xlsx", listing.project_export, name="project_export"),
    path("review/", listing.review_queue, name="review_queue"),
    path("review/approve/", editing.review_approve_selected, name="review_approve_selected"),
    path("verification/", verifying.verification_queue, name="verification_queue"),
    path("new/", editing.project_create, name="project_create"),
    path("<int:pk>/", editing.project_detail, name="project_detail"),
    path("<int:pk>/edit/", editing.project_edit, name="project_edit"),
    path("<int:pk>/submit/", editing.project_submit, name="project_submit"),
    path("<int:pk>/withdraw/", editing.project_withdraw, name="project_withdraw"),
    path("<int:pk>/approve/", editing.project_approve, name="project_approve"),
    path("<int:pk>/return/", editing.project_return, name="project_return"),
    path("<int:pk>/arrivals/", editing.arrival_add, name="arrival_add"),
    path("<int:pk>/arrivals/<int:arrival_pk>/verify/", editing.arrival_verify, name="arrival_verify"),
    path("<int:pk>/arrivals/<int:arrival_pk>/edit/", editing.arrival_edit, name="arrival_edit"),
    path("<int:pk>/arrivals/<int:arrival_pk>/delete/", editing.arrival_delete, name="arrival_delete"),
    path("<int:pk>/arrivals/<int:arrival_pk>/evidence/", editing.arrival_evidence, name="arrival_evidence"),
    path("<int:pk>/agreements/", agreements.agreement_add, name="agreement_add"),
    path("<int:pk>/agreements/<int:agreement_pk>/verify/", agreements.agreement_verify, name="agreement_verify"),
    path("<int:pk>/agreements/<int:agreement_pk>/edit/", agreements.agreement_edit, name="agreement_edit"),
    path("<int:pk>/agreements/<int:agreement_pk>/delete/", agreements.agreement_delete, name="agreement_delete"),
    path("<int:pk>/agreements/<int:agreement_pk>/evidence/", agreements.agreement_evidence, name="agreement_evidence"),
    path("import/", importing.import_upload, name="import_upload"),
    path("import/template.xlsx", importing.import_template, name="import_template"),
    path("import/<int:pk>/", importing.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", importing.import_confirm, name="import_confirm"),
]
