"""Tokens are encrypted at rest with MultiFernet; keys rotate without losing a token."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from calendly_integration import crypto
from calendly_integration.models import Connection, WebhookSubscription
from calendly_integration.oauth.connect import save_connection
from calendly_integration.oauth.errors import TokenDecryptionError
from tests.calendly_helpers import raw_rows

# databases=[]: the static checks only, as ``run_checks()`` meant before Django 6.0, which also
# runs the model checks against every database (and so needs database access).

PROFILE = {"uri": "https://api.calendly.com/users/AAAA", "name": "Ann", "email": "ann@example.com"}


def calendly(**overrides):
    from django.conf import settings

    return {**settings.CALENDLY, **overrides}


def test_encrypt_round_trips_and_never_returns_the_plaintext():
    ciphertext = crypto.encrypt("sim_at_secret-value")
    assert "sim_at_secret-value" not in ciphertext
    assert crypto.decrypt(ciphertext) == "sim_at_secret-value"
    assert crypto.encrypt("sim_at_secret-value") != ciphertext


def test_the_first_key_encrypts_and_every_key_decrypts():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[old])):
        ciphertext = crypto.encrypt("token")
    with override_settings(CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[new, old])):
        assert crypto.decrypt(ciphertext) == "token"
        assert Fernet(new.encode()).decrypt(crypto.encrypt("token").encode()) == b"token"
    with (
        override_settings(CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[new])),
        pytest.raises(TokenDecryptionError, match="calendly_rotate_keys"),
    ):
        crypto.decrypt(ciphertext)


def test_without_keys_a_key_derived_from_secret_key_is_used_and_warned_about(settings):
    with override_settings(CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[])):
        ciphertext = crypto.encrypt("token")
        assert "calendly_integration.W008" in {m.id for m in run_checks(databases=[])}
    derived = Fernet(crypto.derive_key(settings.SECRET_KEY))
    assert derived.decrypt(ciphertext.encode()) == b"token"
    assert crypto.derive_key(settings.SECRET_KEY) != settings.SECRET_KEY.encode()
    with (
        override_settings(
            CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[]), SECRET_KEY="another-secret-key" * 3
        ),
        pytest.raises(TokenDecryptionError),
    ):
        crypto.decrypt(ciphertext)


def test_a_rotated_secret_key_still_decrypts_through_secret_key_fallbacks():
    from django.conf import settings

    old_secret = settings.SECRET_KEY
    with override_settings(CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[])):
        ciphertext = crypto.encrypt("token")
    with override_settings(
        CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[]),
        SECRET_KEY="a-brand-new-secret-key-" * 3,
        SECRET_KEY_FALLBACKS=[old_secret],
    ):
        assert crypto.decrypt(ciphertext) == "token"


@pytest.mark.django_db
def test_the_database_columns_hold_ciphertext_only(owner):
    connection = save_connection(
        owner=owner,
        kind=Connection.Kind.OAUTH,
        profile=PROFILE,
        access_token="sim_at_plaintext-access",
        refresh_token="sim_rt_plaintext-refresh",
    )
    row = " ".join(map(str, raw_rows(Connection._meta.db_table)))
    assert "plaintext-access" not in row
    assert "plaintext-refresh" not in row
    fresh = Connection.objects.get(pk=connection.pk)
    assert fresh.access_token == "sim_at_plaintext-access"
    assert fresh.refresh_token == "sim_rt_plaintext-refresh"
    values = Connection.objects.values_list("encrypted_access_token", flat=True)
    assert all("plaintext" not in v for v in values)


@pytest.mark.django_db
def test_repr_and_str_never_show_a_token(owner):
    connection = save_connection(
        owner=owner,
        kind=Connection.Kind.PAT,
        profile=PROFILE,
        access_token="sim_pat_do-not-show-me",
    )
    for text in (repr(connection), str(connection)):
        assert "do-not-show-me" not in text
        assert connection.encrypted_access_token not in text


@pytest.mark.django_db
def test_calendly_rotate_keys_re_encrypts_every_token_with_the_primary_key(owner, other_user):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[old])):
        first = save_connection(
            owner=owner,
            kind=Connection.Kind.OAUTH,
            profile=PROFILE,
            access_token="sim_at_one",
            refresh_token="sim_rt_one",
        )
        second = save_connection(
            owner=other_user, kind=Connection.Kind.PAT, profile=PROFILE, access_token="sim_pat_two"
        )
    before = {c.pk: c.encrypted_access_token for c in Connection.objects.all()}

    with override_settings(CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[new, old])):
        call_command("calendly_rotate_keys", stdout=(out := io.StringIO()))
    assert "Re-encrypted 3 tokens of 2 connections" in out.getvalue()

    with override_settings(CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[new])):
        for connection, access in ((first, "sim_at_one"), (second, "sim_pat_two")):
            fresh = Connection.objects.get(pk=connection.pk)
            assert fresh.encrypted_access_token != before[connection.pk]
            assert fresh.access_token == access
        assert Connection.objects.get(pk=first.pk).refresh_token == "sim_rt_one"


@pytest.mark.django_db
def test_calendly_rotate_keys_names_connections_no_key_can_read(owner):
    lost = Fernet.generate_key().decode()
    with override_settings(CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[lost])):
        connection = save_connection(
            owner=owner, kind=Connection.Kind.PAT, profile=PROFILE, access_token="sim_pat_x"
        )
    before = Connection.objects.get(pk=connection.pk).encrypted_access_token
    with pytest.raises(CommandError, match=str(connection.pk)):
        call_command("calendly_rotate_keys", stdout=io.StringIO())
    assert Connection.objects.get(pk=connection.pk).encrypted_access_token == before


@pytest.mark.django_db
def test_calendly_rotate_keys_re_encrypts_webhook_signing_keys_too(owner):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[old])):
        connection = save_connection(
            owner=owner, kind=Connection.Kind.PAT, profile=PROFILE, access_token="sim_pat_x"
        )
        subscription = WebhookSubscription(
            connection=connection, callback_url="https://example.com/calendly/webhooks/t/"
        )
        subscription.signing_key = "our-own-signing-key"
        subscription.save()

    with override_settings(CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[new, old])):
        call_command("calendly_rotate_keys", stdout=(out := io.StringIO()))
    assert "Re-encrypted 1 webhook signing keys." in out.getvalue()

    with override_settings(CALENDLY=calendly(TOKEN_ENCRYPTION_KEYS=[new])):
        fresh = WebhookSubscription.objects.get(pk=subscription.pk)
        assert fresh.signing_key == "our-own-signing-key"
