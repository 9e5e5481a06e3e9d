from django.urls import path

from ..views import activities

urlpatterns = [
    path("", activities.activity_list, name="activity_list"),
    path("export.xlsx", activities.activity_export, name="activity_export"),
    path("new/", activities.activity_create, name="activity_create"),
    path("<int:pk>/", activities.activity_detail, name="activity_detail"),
    path("<int:pk>/edit/", activities.activity_edit, name="activity_edit"),
    path("<int:pk>/delete/", activities.activity_delete, name="activity_delete"),
    path("<int:pk>/attachment/", activities.activity_attachment, name="activity_attachment"),
]
