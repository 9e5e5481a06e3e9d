from django.urls import include, path

urlpatterns = [
    path("landing/", include("landing.urls.milestones")),
    path("signing-events/", include("landing.urls.events")),
]
