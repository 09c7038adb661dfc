"""Secrets come only from settings, and the demo's settings take them only from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from calendly_integration.conf import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
SECRET_SETTINGS = {s.name for s in SETTINGS if s.secret}


def test_the_app_ships_no_secret_of_its_own():
    assert {
        "CLIENT_SECRET",
        "PERSONAL_ACCESS_TOKEN",
        "TOKEN_ENCRYPTION_KEYS",
        "WEBHOOK_SIGNING_KEY",
        "SLACK_WEBHOOK_URL",
    } <= SECRET_SETTINGS
    assert {s.name: s.default for s in SETTINGS if s.secret} == {
        name: () if name == "TOKEN_ENCRYPTION_KEYS" else "" for name in SECRET_SETTINGS
    }


def test_the_demo_settings_read_every_secret_from_the_environment():
    key = Fernet.generate_key().decode()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "CALENDLY_CLIENT_ID": "env-client",
        "CALENDLY_CLIENT_SECRET": "env-client-secret",
        "CALENDLY_API_KEY": "env-pat",
        "CALENDLY_WEBHOOK_SIGNING_KEY": "env-signing-key",
        "CALENDLY_TOKEN_ENCRYPTION_KEYS": key,
        "SECRET_KEY": "env-secret-key-" + "x" * 40,
    }
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "c = s.CALENDLY; print(json.dumps({k: c.get(k) for k in "
        "('CLIENT_SECRET', 'PERSONAL_ACCESS_TOKEN', 'WEBHOOK_SIGNING_KEY', "
        "'TOKEN_ENCRYPTION_KEYS')} | {'SECRET_KEY': s.SECRET_KEY}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "CLIENT_SECRET": "env-client-secret",
        "PERSONAL_ACCESS_TOKEN": "env-pat",
        "WEBHOOK_SIGNING_KEY": "env-signing-key",
        "TOKEN_ENCRYPTION_KEYS": [key],
        "SECRET_KEY": env["SECRET_KEY"],
    }
