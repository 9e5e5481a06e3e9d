from django.urls import path

from ..views import tracking

urlpatterns = [
    path("", tracking.landing_tracking, name="landing_tracking"),
]
