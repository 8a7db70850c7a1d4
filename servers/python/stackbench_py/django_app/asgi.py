"""ASGI entry point of django-asgi for uvicorn: stackbench_py.django_app.asgi:application.

HTTP goes to Django's ASGI handler (async views, settings_asgi.py). WebSocket goes to Channels when it is
installed (ProtocolTypeRouter, the consumer of consumers.py); Django alone cannot speak WebSocket, so without
Channels a handshake is refused (uvicorn 0.17: 403) and a plain GET /chat says why (501).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stackbench_py.django_app.settings_asgi")

from django.core.asgi import get_asgi_application  # noqa: E402 - after the settings module is chosen
from django.urls import get_resolver, path  # noqa: E402

# Sets Django up (apps, settings) before anything imports models: Channels' docs ask for this order.
django_app = get_asgi_application()

# Django imports the URLconf (and with it the views, pandas and the dataset) on the first request; do it
# while the worker boots instead, so no client pays for it and the data is "loaded once at start".
get_resolver().url_patterns

try:
    from channels.routing import ProtocolTypeRouter, URLRouter
except ImportError:
    ProtocolTypeRouter = None


async def _refuse_websocket(scope, receive, send) -> None:
    await receive()  # websocket.connect
    await send({"type": "websocket.close", "code": 1008})


async def _without_channels(scope, receive, send) -> None:
    if scope["type"] == "websocket":
        await _refuse_websocket(scope, receive, send)
    else:
        await django_app(scope, receive, send)


if ProtocolTypeRouter is not None:
    from .consumers import ChatConsumer

    application = ProtocolTypeRouter(
        {"http": django_app, "websocket": URLRouter([path("chat", ChatConsumer.as_asgi())])}
    )
else:
    application = _without_channels
