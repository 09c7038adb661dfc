from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from calendly_integration.api.not_found import api_not_found

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("dashboard/", include("project.dashboard.urls")),
    path("calendly/", include("calendly_integration.urls")),
    path("api/", include("calendly_integration.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: anything else under api/ is a JSON 404 in the API's error shape, not an HTML page.
    re_path(r"^api/", api_not_found),
]
