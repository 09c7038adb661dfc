"""``manage.py calendly_connect_pat <user>``: connect a site user to Calendly with a personal access token.

The token is read from standard input (a prompt that does not echo, on a terminal) unless ``--token``
is given: a token on the command line ends up in shell history and process listings. Calendly checks
the token (``GET /users/me``) before anything is stored.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from calendly_integration.oauth.connect import connect_personal_access_token
from calendly_integration.oauth.errors import InvalidPersonalAccessToken


class Command(BaseCommand):
    help = "Connect a user to Calendly with a personal access token (read from stdin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="The site user: username (or primary key with --by-id).")
        parser.add_argument(
            "--by-id", action="store_true", help="Treat USER as the user's primary key."
        )
        parser.add_argument(
            "--token",
            help="The token itself (avoid: it stays in shell history); default: read from stdin.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["user"], options["by_id"])
        token = options["token"] or self._read_token()
        try:
            connection = connect_personal_access_token(user, token)
        except InvalidPersonalAccessToken as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                gettext("Connected %(who)s (%(uri)s) for %(user)s as connection %(pk)s.")
                % {
                    "who": connection.name or connection.email,
                    "uri": connection.calendly_user_uri,
                    "user": user,
                    "pk": connection.pk,
                }
            )
        )

    @staticmethod
    def _user(value: str, by_id: bool) -> Any:
        User = get_user_model()
        lookup = {"pk": value} if by_id else {User.USERNAME_FIELD: value}
        try:
            return User._default_manager.get(**lookup)
        except (User.DoesNotExist, ValueError):
            raise CommandError(gettext("No user %(user)r.") % {"user": value}) from None

    @staticmethod
    def _read_token() -> str:
        if sys.stdin.isatty():
            return getpass.getpass(gettext("Personal access token: "))
        return sys.stdin.readline()
