"""Django settings for django-gunicorn: production mode, nothing the workloads do not use.

No admin, auth, sessions, messages, CSRF or templates: the contract's endpoints need none of them, and
each would add work to every request that the other stacks do not do.
"""

import os
import secrets
from urllib.parse import parse_qs, unquote, urlsplit

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# Names it is also served under: a cluster's Service in front of the replicas (src/kube/ sets them).
ALLOWED_HOSTS += [h for h in os.environ.get("STACKBENCH_ALLOWED_HOSTS", "").split(",") if h]

# Nothing is signed (no sessions, no CSRF), so a per-process random key is safe when none is given.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)

INSTALLED_APPS = ["stackbench_py.django_app"]

# CommonMiddleware is the one default kept: on Django 3.2 it is what sets Content-Length on responses
# (without it gunicorn falls back to chunked encoding). It skips streaming responses, so /stream stays
# chunked and unbuffered; ConditionalGetMiddleware and GZipMiddleware, which would touch it, are not used.
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]

ROOT_URLCONF = "stackbench_py.django_app.urls"
WSGI_APPLICATION = "stackbench_py.django_app.wsgi.application"
TEMPLATES: list = []

USE_I18N = False
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# Django's default logging prints to the console only when DEBUG is on; with DEBUG off nothing is logged
# per request (4xx warnings included), which is what the contract asks.


def _database_from_url(url: str) -> dict:
    """STACKBENCH_PG (postgresql://user[:password]@host[:port]/name[?host=/socket/dir]) as a DATABASES entry."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query["host"][0] if "host" in query else (parts.hostname or ""),
        "PORT": str(parts.port or ""),
        # Persistent connections, one per gthread thread: Django 3.2 has no pool, this is its idiom.
        "CONN_MAX_AGE": None,
    }


# Without STACKBENCH_PG Django gets no database at all (its dummy backend); the /db view answers 503.
DB_CONFIGURED = bool(os.environ.get("STACKBENCH_PG"))
DATABASES = {"default": _database_from_url(os.environ["STACKBENCH_PG"])} if DB_CONFIGURED else {}
