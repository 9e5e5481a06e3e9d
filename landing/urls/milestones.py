from django.urls import path

from ..views import milestones

urlpatterns = [
    path("projects/<int:pk>/milestones/", milestones.milestone_edit, name="milestone_edit"),
    path("projects/<int:pk>/milestones/<int:milestone_pk>/verify/", milestones.milestone_verify, name="milestone_verify"),
    path("projects/<int:pk>/milestones/<int:milestone_pk>/evidence/", milestones.milestone_evidence, name="milestone_evidence"),
]
