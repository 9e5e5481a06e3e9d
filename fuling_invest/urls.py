from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "涪陵区招商引资目标考核系统"
admin.site.site_title = "招商引资目标考核"
admin.site.index_title = "管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
