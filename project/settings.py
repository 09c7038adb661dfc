"""Settings of the demo site.

Everything that differs between a laptop, CI and production comes from the environment, with defaults
that run offline: SQLite, django-q2's ORM broker and the built-in Calendly simulator.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

import calendly_integration

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env("SECRET_KEY", "demo-only-secret-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
# Error pages and e-mails hide tokens in tracebacks and CALENDLY's secrets, DEBUG on or off.
DEFAULT_EXCEPTION_REPORTER_FILTER = (
    "calendly_integration.error_reports.CalendlyExceptionReporterFilter"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "calendly_integration",
    "calendly_integration.providers.calendly",
]

MIDDLEWARE = [
    "calendly_integration.middleware.RejectUnsafeInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes SQLite take its write lock at BEGIN, so select_for_update-style
    # critical sections (token refresh) serialize instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    # Python's sqlite3 keeps 128 prepared statements per connection; a sync's bulk inserts each
    # have their own row count, so that cache alone grows to ~50 MB. A few are enough.
    DATABASES["default"]["OPTIONS"].setdefault("cached_statements", 8)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

LOGIN_REDIRECT_URL = "demo:dashboard"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
# Calendly tokens are stored encrypted in calendly_integration's Connection, never in allauth's tables.
SOCIALACCOUNT_STORE_TOKENS = False
# Takes the Calendly app's credentials from CALENDLY and encrypts tokens parked in the session.
SOCIALACCOUNT_ADAPTER = (
    "calendly_integration.providers.calendly.adapter.CalendlySocialAccountAdapter"
)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Calendly integration API",
    "DESCRIPTION": (
        "Connections, mirrored Calendly data and actions at Calendly. Authenticate with a "
        "session or with `Authorization: Token <key>`; errors answer "
        '`{"code", "detail", ...}`.'
    ),
    "VERSION": calendly_integration.__version__,
    # The docs page works offline: Swagger UI is served from drf-spectacular-sidecar's static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

REDIS_URL = env("REDIS_URL")
Q_CLUSTER = {
    "name": "calendly",
    "workers": int(env("Q_WORKERS", "2")),
    "timeout": 600,
    "retry": 720,
    "max_attempts": 3,
    "catch_up": False,
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Which Calendly the demo talks to. With CALENDLY_CLIENT_ID (an OAuth app) or CALENDLY_API_KEY (a
# personal access token) it is api.calendly.com; otherwise the built-in simulator, which serves the
# API and the OAuth endpoints on one port. project/demo.py reads CALENDLY_DEMO_USES_SIMULATOR to
# decide whether to start the simulator.
SIMULATOR_URL = env("CALENDLY_SIMULATOR_URL", "http://127.0.0.1:8765")
CALENDLY_DEMO_USES_SIMULATOR = not (env("CALENDLY_CLIENT_ID") or env("CALENDLY_API_KEY"))
_use_simulator = CALENDLY_DEMO_USES_SIMULATOR
# Calendly must reach the webhook receiver: the simulator reaches the local server directly; real
# Calendly needs a public https URL (a tunnel, in development), so there is no default for it.
DEMO_PORT = env("DJANGO_PORT", "8000")
PUBLIC_BASE_URL = env(
    "CALENDLY_PUBLIC_BASE_URL", f"http://127.0.0.1:{DEMO_PORT}" if _use_simulator else ""
)

CALENDLY = {
    "API_BASE_URL": env(
        "CALENDLY_API_BASE_URL", SIMULATOR_URL if _use_simulator else "https://api.calendly.com"
    ),
    "AUTH_BASE_URL": env(
        "CALENDLY_AUTH_BASE_URL", SIMULATOR_URL if _use_simulator else "https://auth.calendly.com"
    ),
    "CLIENT_ID": env("CALENDLY_CLIENT_ID", "demo-client" if _use_simulator else ""),
    "CLIENT_SECRET": env("CALENDLY_CLIENT_SECRET", "demo-secret" if _use_simulator else ""),
    "PERSONAL_ACCESS_TOKEN": env("CALENDLY_API_KEY"),
    "WEBHOOK_SIGNING_KEY": env(
        "CALENDLY_WEBHOOK_SIGNING_KEY", "demo-signing-key" if _use_simulator else ""
    ),
    "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
    # project/demo.py turns this on: an organization owner or admin then hears about every
    # member's bookings, so the activity feed shows whatever is booked on the simulator's console.
    "WEBHOOK_ORGANIZATION_SCOPE": env_bool("CALENDLY_WEBHOOK_ORGANIZATION_SCOPE"),
    # A fixed key keeps the demo's database readable across restarts; production sets its own.
    "TOKEN_ENCRYPTION_KEYS": [
        k
        for k in env(
            "CALENDLY_TOKEN_ENCRYPTION_KEYS", "ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q="
        ).split(",")
        if k
    ],
}

# A tunnel's host name (the public URL Calendly delivers webhooks to) must be an allowed host, and
# a trusted origin for forms when the demo is browsed through it.
_public_host = urlsplit(PUBLIC_BASE_URL).hostname
if _public_host and _public_host not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_public_host)
CSRF_TRUSTED_ORIGINS = [origin for origin in env("CSRF_TRUSTED_ORIGINS").split(",") if origin] + (
    [PUBLIC_BASE_URL.rstrip("/")] if PUBLIC_BASE_URL.startswith("https://") else []
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "calendly_integration": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")}
    },
}
