"""The "Connect Calendly" page: a user's connections, connecting with OAuth or a token, disconnecting.

Every lookup starts from ``Connection.objects.for_user(request.user)``, so another user's connection
id is a 404 (not a 403 that would confirm it exists). Changes are POSTs with CSRF protection.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import View

from calendly_integration.forms import PersonalAccessTokenForm
from calendly_integration.models import Connection
from calendly_integration.oauth.connect import also_connected_notice, connect_personal_access_token
from calendly_integration.oauth.disconnect import disconnect
from calendly_integration.oauth.errors import InvalidPersonalAccessToken


def oauth_connect_url(request: HttpRequest) -> str | None:
    """The allauth provider's login URL (POST it with ``process=connect``), if it is installed
    and an OAuth app is configured: a site with only personal access tokens offers no button
    that could only fail."""
    try:
        url = reverse("calendly_login")
    except NoReverseMatch:
        return None
    from allauth.socialaccount.adapter import get_adapter

    return url if get_adapter(request).list_apps(request, provider="calendly") else None


TEMPLATE = "calendly_integration/connection_list.html"


def page_context(request: HttpRequest, token_form: PersonalAccessTokenForm | None = None) -> dict:
    return {
        "connections": Connection.objects.for_user(request.user),
        "token_form": token_form or PersonalAccessTokenForm(),
        "oauth_connect_url": oauth_connect_url(request),
        "next_url": reverse("calendly_integration:connections"),
    }


class ConnectionListView(LoginRequiredMixin, View):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, TEMPLATE, page_context(request))


class ConnectPersonalAccessTokenView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    @method_decorator(sensitive_post_parameters("token"))
    def post(self, request: HttpRequest) -> HttpResponse:
        form = PersonalAccessTokenForm(request.POST)
        if form.is_valid():
            try:
                connection = connect_personal_access_token(request.user, form.cleaned_data["token"])
            except InvalidPersonalAccessToken as exc:
                form.add_error("token", str(exc))
            else:
                messages.success(
                    request,
                    gettext("Connected Calendly as %(who)s.")
                    % {"who": connection.name or connection.email},
                )
                notice = also_connected_notice(connection, request.user)
                if notice:
                    messages.info(request, notice)
                return HttpResponseRedirect(reverse("calendly_integration:connections"))
        return render(request, TEMPLATE, page_context(request, form), status=400)


class DisconnectView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        connection = get_object_or_404(Connection.objects.for_user(request.user), pk=pk)
        label = str(connection.name or connection.email or connection.calendly_user_uri)
        disconnect(connection)
        messages.success(request, gettext("Disconnected Calendly (%(who)s).") % {"who": label})
        return HttpResponseRedirect(reverse("calendly_integration:connections"))
