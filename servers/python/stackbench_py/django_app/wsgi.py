"""WSGI entry point for gunicorn: stackbench_py.django_app.wsgi:application."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stackbench_py.django_app.settings")

application = get_wsgi_application()
