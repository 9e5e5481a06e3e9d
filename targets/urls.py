from django.urls import path

from .views import dashboard, target_table

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("units/<int:pk>/", dashboard.unit_detail, name="unit_detail"),
    path("targets/", target_table.latest_targets, name="target_table_latest"),
    path("targets/<int:year>/", target_table.target_table, name="target_table"),
    path("targets/<int:year>/edit/", target_table.target_edit, name="target_edit"),
    path("targets/<int:year>/rules/", target_table.rules_edit, name="rules_edit"),
]
