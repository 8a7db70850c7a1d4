"""A single-project Django site for django-gunicorn: settings, urls, views and the World model."""
