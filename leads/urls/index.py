from django.urls import path

from ..views import index

urlpatterns = [
    path("", index.activity_index, name="activity_index"),
]
