"""The app's URLs (as a host site includes them) plus three endpoints served by the same server
with the same settings: ``bench/bare/``, a view that only answers 200; ``bench/one-query/``, one
that also makes one database round trip (``SELECT 1``), the least any view that stores something
must pay (the target's baseline); and ``bench/orm-receiver/<token>/``, the receiver's own view
class storing each delivery through the ORM's ``create`` instead (``orm_store``)."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from calendly_integration.webhooks.views import WebhookReceiverView
from tests.benchmarks.orm_store import store_with_orm


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"status": "ok"}', content_type="application/json")


@csrf_exempt
def one_query(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse(b'{"status": "ok"}', content_type="application/json")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/one-query/", one_query),
    path("bench/orm-receiver/<str:token>/", WebhookReceiverView.as_view(store=store_with_orm)),
    path("calendly/", include("calendly_integration.urls")),
]
