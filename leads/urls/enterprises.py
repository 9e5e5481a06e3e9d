from django.urls import path

from leads.views import enterprises

urlpatterns = [
    path("", enterprises.enterprise_list, name="enterprise_list"),
    path("export.xlsx", enterprises.enterprise_export, name="enterprise_export"),
    path("new/", enterprises.enterprise_create, name="enterprise_create"),
    path("<int:pk>/", enterprises.enterprise_detail, name="enterprise_detail"),
    path("<int:pk>/edit/", enterprises.enterprise_edit, name="enterprise_edit"),
]
