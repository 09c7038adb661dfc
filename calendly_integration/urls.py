"""The app's URLs; include them under any prefix: ``path("calendly/", include("calendly_integration.urls"))``."""

from django.urls import path

from calendly_integration.views import (
    ConnectionListView,
    ConnectPersonalAccessTokenView,
    DisconnectView,
)
from calendly_integration.webhooks.urls import urlpatterns as webhook_urlpatterns

app_name = "calendly_integration"

urlpatterns = [
    path("connections/", ConnectionListView.as_view(), name="connections"),
    path(
        "connections/token/",
        ConnectPersonalAccessTokenView.as_view(),
        name="connect_token",
    ),
    path(
        "connections/<int:pk>/disconnect/",
        DisconnectView.as_view(),
        name="disconnect",
    ),
]

# Calendly's webhook deliveries (the only CSRF-exempt view of the app).
urlpatterns += webhook_urlpatterns
