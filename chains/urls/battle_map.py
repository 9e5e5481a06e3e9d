from django.urls import path

from chains.views import battle_map

urlpatterns = [
    path("", battle_map.battle_map, name="battle_map"),
]
