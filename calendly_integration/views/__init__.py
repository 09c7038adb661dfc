"""The app's pages: connecting and disconnecting Calendly (reusable; the demo site includes them)."""

from calendly_integration.views.connections import (
    ConnectionListView,
    ConnectPersonalAccessTokenView,
    DisconnectView,
)

__all__ = ["ConnectPersonalAccessTokenView", "ConnectionListView", "DisconnectView"]
