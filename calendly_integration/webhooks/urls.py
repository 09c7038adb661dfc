"""The receiver's URL; ``calendly_integration.urls`` includes it (name ``webhook``)."""

from django.urls import path

from calendly_integration.webhooks.views import WebhookReceiverView

urlpatterns = [
    path("webhooks/<str:token>/", WebhookReceiverView.as_view(), name="webhook"),
]
