"""Django settings for django-asgi: those of django-gunicorn (settings.py), with an all-async request path.

Django's docs ("Asynchronous support"): "You will only get the benefits of a fully-asynchronous request
stack if you have no synchronous middleware loaded". On Django 3.2 every MiddlewareMixin middleware
(CommonMiddleware included) runs its hooks through sync_to_async under ASGI, two thread hops per request,
so the one middleware here is async-native: it sets Content-Length, which is all CommonMiddleware did for
django-gunicorn.
"""

from .settings import *  # noqa: F401,F403 - the shared settings, overridden below

ROOT_URLCONF = "stackbench_py.django_app.urls_async"
MIDDLEWARE = ["stackbench_py.django_app.middleware.content_length"]
ASGI_APPLICATION = "stackbench_py.django_app.asgi.application"

# /chat with Channels (when installed): rooms are groups of the in-memory channel layer, one per worker
# process. Channels' default capacity (100 messages waiting per connection) would drop deliveries to a
# member that is a burst behind; 1000 keeps a slow reader for a while, as the other stacks' send buffers do.
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}}
