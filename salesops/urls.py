from csp.decorators import csp_exempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

# Business areas contribute their own pages (`<area>/urls.py`) and endpoints (`<area>/api.py`).
AREAS = [
    app.rsplit(".", 1)[1]
    for app in settings.INSTALLED_APPS
    if app.startswith("salesops.") and app not in {"salesops.core", "salesops.demo"}
]

api_patterns = [path("", include("salesops.core.api.urls"))] + [
    path("", include(f"salesops.{area}.api")) for area in AREAS
]

urlpatterns = [
    path("", include("salesops.core.urls")),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("django-admin/", admin.site.urls),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # ReDoc runs an inline script and a web worker: its page (no user data) has no policy.
    path("api/redoc/", csp_exempt()(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    *[path("", include(f"salesops.{area}.urls")) for area in AREAS],
]

handler400 = "salesops.core.views.error_400"
handler403 = "salesops.core.views.error_403"
handler404 = "salesops.core.views.error_404"
handler500 = "salesops.core.views.error_500"
