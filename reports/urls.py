from django.urls import path

from . import views

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("generate/", views.bulletin_generate, name="bulletin_generate"),
    path("jobs/<int:pk>/", views.job_status, name="job_status"),
    path("dashboard/xlsx/", views.dashboard_export, name="dashboard_export"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("<int:pk>/", views.bulletin_detail, name="bulletin_detail"),
    path("<int:pk>/pdf/", views.bulletin_pdf, name="bulletin_pdf"),
    path("<int:pk>/xlsx/", views.bulletin_xlsx, name="bulletin_xlsx"),
    path("<int:pk>/publish/", views.bulletin_publish, name="bulletin_publish"),
]
