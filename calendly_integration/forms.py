"""Forms of the app's pages."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

#: Printable ASCII without spaces: a token goes into an HTTP header, where nothing else can go.
TOKEN_PATTERN = r"^[!-~]+$"


class PersonalAccessTokenForm(forms.Form):
    """A personal access token to connect with; Calendly checks it before anything is stored."""

    token = forms.CharField(
        label=_("Personal access token"),
        help_text=_("Create one in Calendly under Integrations → API & Webhooks."),
        strip=True,
        max_length=4096,
        validators=[
            RegexValidator(
                TOKEN_PATTERN,
                _("A token is printable characters without spaces."),
                code="invalid_token",
            )
        ],
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
