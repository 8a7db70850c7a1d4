"""Async views (`async def`) of the workload contract for django-asgi: Django under uvicorn.

Waits are awaited on the worker's event loop: /io with asyncio.sleep, /service with one httpx.AsyncClient per
worker. The ORM of Django 3.2 is sync-only: /db calls it through sync_to_async(thread_sensitive=True), as
Django's docs prescribe ("Asynchronous support": database adapters must be used from the thread that made
their connection), so a worker's queries run one at a time on one thread, over one persistent connection.
From Django 4.1 on, the ORM's own async API (`aget`) is the idiom and is used instead. The CPU-bound routes
(/cpu, /data, /ml) run in the loop's thread pool (sync_to_async(thread_sensitive=False): they touch nothing
of Django), as FastAPI runs its plain `def` routes, so the loop keeps serving while one computes.

/stream needs an async iterator in StreamingHttpResponse (Django 4.2): Django 3.2's ASGI handler iterates a
stream synchronously on the event loop, so a stream that waits would block the whole worker; there it
answers 501. /chat over WebSocket is Channels' job (Django's own ASGI handler is HTTP-only): see asgi.py.
"""

import asyncio
import random
import time

import django
import httpx
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse

from .. import chat, common
from .models import World
from .views import _error, _param

ASYNC_ORM = django.VERSION >= (4, 1)  # QuerySet.aget() and friends
ASYNC_STREAMS = django.VERSION >= (4, 2)  # StreamingHttpResponse over an async iterator


def _view(*methods: str):
    """An async view answering only `methods` (405 otherwise) and mapping the contract's exceptions to
    400/503. Django's require_GET wraps with a sync function (async-aware only from Django 5.0), which
    would make Django run the view in a thread."""

    def decorate(view):
        async def wrapped(request: HttpRequest, *args, **kwargs):
            if request.method not in methods:
                response = _error(405, "Method Not Allowed")
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return await view(request, *args, **kwargs)
            except common.BadRequest as error:
                return _error(400, str(error))
            except common.Unavailable as error:
                return _error(503, str(error))

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


# One client per worker process (uvicorn runs one event loop per worker), made on first use on that loop;
# it keeps its keep-alive connections to the downstream.
_client: "httpx.AsyncClient | None" = None


def _http_client() -> httpx.AsyncClient:
    global _client
    if _client is None:
        _client = httpx.AsyncClient(timeout=10.0)
    return _client


def _world_sync(row_id: int) -> World:
    return World.objects.get(id=row_id)


if ASYNC_ORM:

    async def _world(row_id: int) -> World:
        return await World.objects.aget(id=row_id)

else:
    _world = sync_to_async(_world_sync, thread_sensitive=True)


def _in_pool(function):
    """Run CPU-bound, Django-free code in the loop's thread pool."""
    return sync_to_async(function, thread_sensitive=False)


@_view("GET")
async def json_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(common.json_answer())


@_view("GET")
async def io_view(request: HttpRequest) -> JsonResponse:
    ms = common.int_param(_param(request, "ms"), common.IO_MS)
    await asyncio.sleep(ms / 1000)
    return JsonResponse(common.io_answer(ms))


@_view("GET")
async def service_view(request: HttpRequest) -> JsonResponse:
    url = common.downstream_item_url()
    try:
        response = await _http_client().get(url)
        response.raise_for_status()
        item = response.json()
    except (httpx.HTTPError, ValueError) as error:
        return _error(502, f"downstream failed: {error}")
    return JsonResponse(common.service_answer(item))


@_view("GET")
async def db_view(request: HttpRequest) -> JsonResponse:
    if not settings.DB_CONFIGURED:
        raise common.Unavailable("STACKBENCH_PG is not set")
    row_id = random.randint(1, common.WORLD_ROWS)
    try:
        world = await _world(row_id)
    except World.DoesNotExist:
        return _error(502, f"database failed: no world row {row_id}")
    except DatabaseError as error:
        # Django closes a connection that raised at the end of the request, so the next one reconnects.
        return _error(502, f"database failed: {error}".strip())
    return JsonResponse(common.db_answer(world.id, world.randomnumber))


@_view("GET")
async def cpu_view(request: HttpRequest) -> JsonResponse:
    n = common.int_param(_param(request, "n"), common.CPU_N)
    return JsonResponse(await _in_pool(common.cpu_answer)(n))


@_view("GET")
async def data_view(request: HttpRequest) -> JsonResponse:
    rows = common.int_param(_param(request, "rows"), common.DATA_ROWS)
    return JsonResponse(await _in_pool(common.data_answer)(rows))


@_view("GET")
async def data_sized_view(request: HttpRequest) -> JsonResponse:
    params = (_param(request, "rows"), _param(request, "op"), _param(request, "impl"))
    return JsonResponse(await _in_pool(common.data_sized_request)(*params))


@_view("GET")
async def ml_sized_view(request: HttpRequest) -> JsonResponse:
    params = (_param(request, "batch"), _param(request, "width"))
    return JsonResponse(await _in_pool(common.ml_sized_request)(*params))


@_view("GET")
async def info_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(common.info_answer())


def _ml(raw: bytes) -> dict:
    return common.ml_answer(common.parse_ml_body(raw))


@_view("POST")
async def ml_view(request: HttpRequest) -> JsonResponse:
    # Django's ASGI handler has read the whole body before the view runs; parsing it and the NumPy work
    # go to the pool (a BadRequest raised there comes back here).
    return JsonResponse(await _in_pool(_ml)(request.body))


STREAM_UNSUPPORTED = (
    f"a non-blocking stream needs Django >= 4.2 (async iterators in StreamingHttpResponse); Django "
    f"{django.get_version()}'s ASGI handler iterates a stream synchronously on the event loop"
)


async def _sse_events(n: int, interval: int, start: float):
    for seq in range(1, n + 1):
        delay = common.sse_delay(start, seq, interval, time.monotonic())
        if delay > 0:
            await asyncio.sleep(delay)
        yield common.sse_event(seq, n)


@_view("GET")
async def stream_view(request: HttpRequest):
    if not ASYNC_STREAMS:
        return _error(501, STREAM_UNSUPPORTED)
    start = time.monotonic()
    # Validated before the first event, so a bad request is an ordinary 400 JSON answer.
    n, interval = common.stream_params(_param(request, "n"), _param(request, "interval"))
    response = StreamingHttpResponse(_sse_events(n, interval, start), content_type=common.SSE_MEDIA_TYPE)
    for name, value in common.SSE_HEADERS.items():
        response[name] = value
    return response


def channels_installed() -> bool:
    try:
        import channels  # noqa: F401
    except ImportError:
        return False
    return True


CHAT_UNSUPPORTED = (
    "WebSocket in Django needs Channels (Django's own ASGI handler is HTTP-only): pip install channels "
    "(Debian: apt install python3-django-channels)"
)


@_view("GET")
async def chat_view(request: HttpRequest) -> JsonResponse:
    """Plain HTTP on /chat: a WebSocket handshake goes to Channels' consumer (asgi.py), never here. When
    that cannot exist, or refuses a client, this says why: uvicorn 0.17 lets a WebSocket app refuse a
    handshake only with 403, so the reason is read here."""
    if not channels_installed():
        return _error(501, CHAT_UNSUPPORTED)
    refused = chat.refusal(_param(request, "room"))
    if refused is not None:
        return _error(*refused)
    response = _error(426, "/chat is a WebSocket endpoint: send Upgrade: websocket")
    response["Upgrade"] = "websocket"
    return response
