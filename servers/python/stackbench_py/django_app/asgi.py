"""ASGI entry point of django-asgi for uvicorn: stackbench_py.django_app.asgi:application.

HTTP goes to Django's ASGI handler (async views, settings_asgi.py). WebSocket goes to Channels when it is
installed (ProtocolTypeRouter, the consumer of consumers.py); Django alone cannot speak WebSocket, so without
Channels a handshake is refused (uvicorn 0.17: 403) and a plain GET /chat says why (501).
"""

import ctypes
import multiprocessing
import os
import signal
import sys


def _stop_with_supervisor() -> None:
    """In a worker of `uvicorn --workers N` (N > 1), get SIGTERM from the kernel when the supervisor dies.

    uvicorn 0.17's supervisor does not watch its workers nor they it: a SIGKILLed supervisor would leave
    them serving. Django 3.2 serves no lifespan events, so there is no startup hook to watch it from the
    loop (as fastapi_app.py does); PR_SET_PDEATHSIG, set here at import in the spawned worker, is the
    kernel's own way (gunicorn.conf.py's post_fork does the same for gunicorn workers).
    """
    parent = multiprocessing.parent_process()
    if parent is None or not sys.platform.startswith("linux"):
        return  # single-process mode: nothing supervises us
    try:
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent.pid:  # the supervisor died before prctl: nobody would send the signal
        os.kill(os.getpid(), signal.SIGTERM)


_stop_with_supervisor()

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
