"""The REST API (as a host site includes it) plus ``bench/bare-api/``: the DRF baseline.

The baseline is a plain DRF ``APIView`` with the project's default authentication and permission
(the same token lookup as the API's views), answering a constant list: what any DRF endpoint
costs on this server before it reads or serializes anything.
"""

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class BareAPIView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"next": None, "previous": None, "results": []})


urlpatterns = [
    path("bench/bare-api/", BareAPIView.as_view()),
    path("api/", include("calendly_integration.api.urls")),
]
