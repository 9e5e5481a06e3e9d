from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from targets.models import Organisation


class FaviconView(RedirectView):
    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")  # asked late: the collected file's hashed name in production


# The organisation's system name (targets.models.Organisation), read when an admin page is drawn.
admin.site.site_header = lazy(lambda: Organisation.current().system_title, str)()
admin.site.site_title = "招商引资目标考核"
admin.site.index_title = "管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", login_not_required(FaviconView.as_view()), name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("targets.urls")),
    path("projects/", include("projects.urls")),
    path("groups/", include("groups.urls")),
    path("reports/", include("reports.urls")),
    path("", include("leads.urls")),
    path("", include("chains.urls")),
    path("", include("landing.urls")),
    path("supervision/", include("supervision.urls")),
]

# The error pages with DEBUG off: Chinese, in the site's layout (fuling_invest/errors.py).
handler400 = "fuling_invest.errors.bad_request"
handler403 = "fuling_invest.errors.permission_denied"
handler404 = "fuling_invest.errors.page_not_found"
handler500 = "fuling_invest.errors.server_error"
