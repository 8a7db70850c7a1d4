"""WSGI entry point for gunicorn: stackbench_py.django_app.wsgi:application."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stackbench_py.django_app.settings")

application = get_wsgi_application()

# Django imports the URLconf (and with it the views, pandas and the dataset) on the first request; do it
# while the worker boots instead, so no client pays ~250 ms and the data is "loaded once at start".
get_resolver().url_patterns
