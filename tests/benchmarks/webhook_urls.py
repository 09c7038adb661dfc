"""The app's URLs (as a host site includes them) plus ``bench/bare/``: a view that only answers
200, the baseline. Both are served by the same gunicorn with the same settings."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"status": "ok"}', content_type="application/json")


urlpatterns = [
    path("bench/bare/", bare),
    path("calendly/", include("calendly_integration.urls")),
]
