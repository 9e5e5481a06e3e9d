from django.urls import path

from chains.views import tree

urlpatterns = [
    path("", tree.chain_tree, name="chain_tree"),
    path("links/<int:pk>/", tree.chain_link_detail, name="chain_link_detail"),
    path("nodes/new/", tree.chain_node_create, name="chain_node_create"),
    path("nodes/<int:pk>/edit/", tree.chain_node_edit, name="chain_node_edit"),
]
