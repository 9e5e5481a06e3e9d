from django.urls import path

from ..views import leads

urlpatterns = [
    path("", leads.lead_list, name="lead_list"),
    path("board/", leads.lead_board, name="lead_board"),
    path("new/", leads.lead_create, name="lead_create"),
    path("<int:pk>/", leads.lead_detail, name="lead_detail"),
    path("<int:pk>/edit/", leads.lead_edit, name="lead_edit"),
    path("<int:pk>/stage/", leads.lead_stage, name="lead_stage"),
    path("<int:pk>/convert/", leads.lead_convert, name="lead_convert"),
]
