from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from api import urls as api_urls

admin.site.site_header = _("INNPRO Service administration")
admin.site.site_title = _("INNPRO Service")
admin.site.index_title = _("Service back-office")
# Staff log in through allauth (rate limits, one login page); partners get a 403.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(api_urls.api_v1)),
    path("", include(api_urls.portal)),
    path("", include("accounts.urls")),
    path("", include("claims.urls")),
]

if settings.BENCHMARK_VIEWS:
    from api.bench_views import BareApiView
    from core import bench_views

    urlpatterns += [
        path("_bench/ok", bench_views.bare),
        path("_bench/template", bench_views.bare_template),
        path("_bench/api", BareApiView.as_view()),
    ]
