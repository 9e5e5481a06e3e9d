from django.urls import include, path

# One module per part, so each part's URLs sit beside its views.
urlpatterns = [
    path("leads/", include("leads.urls.leads")),
    path("enterprises/", include("leads.urls.enterprises")),
    path("activities/", include("leads.urls.activities")),
    path("activity-index/", include("leads.urls.index")),
    path("pipeline-import/", include("leads.urls.importing")),
]
