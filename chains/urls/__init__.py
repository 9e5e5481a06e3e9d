from django.urls import include, path

urlpatterns = [
    path("chains/", include("chains.urls.tree")),
    path("battle-map/", include("chains.urls.battle_map")),
]
