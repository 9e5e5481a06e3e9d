from django.urls import path

from ..views import events

urlpatterns = [
    path("", events.event_list, name="signing_event_list"),
    path("new/", events.event_create, name="signing_event_create"),
    path("<int:pk>/", events.event_detail, name="signing_event_detail"),
    path("<int:pk>/edit/", events.event_edit, name="signing_event_edit"),
    path("<int:pk>/link/", events.event_link, name="signing_event_link"),
    path("<int:pk>/unlink/<int:project_pk>/", events.event_unlink, name="signing_event_unlink"),
    path("project/<int:pk>/", events.project_event, name="project_signing_event"),
]
