from django.urls import include, path

urlpatterns = [
    path("landing/tracking/", include("landing.urls.tracking")),
    path("landing/", include("landing.urls.milestones")),
    path("signing-events/", include("landing.urls.events")),
]
