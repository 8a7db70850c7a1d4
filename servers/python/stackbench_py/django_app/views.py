"""Views of the workload contract for Django on gunicorn gthread workers.

A gthread worker runs each request on one of its threads, blocking: /io sleeps the thread, /service and
/db block on their sockets while the worker's other threads go on serving. A /stream holds its thread for
the whole stream; /chat answers 501, as WSGI has no way to keep a socket for a WebSocket.
"""

import random
import threading
import time

import requests
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET, require_POST

from .. import chat, common
from .models import World

_local = threading.local()


def _session() -> requests.Session:
    # requests.Session is not documented as thread-safe, so each gthread thread keeps its own
    # (and with it its own keep-alive connections to the downstream).
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse(common.error_body(message), status=status)


def _param(request: HttpRequest, name: str) -> "str | None":
    # The first value when a parameter repeats, like URLSearchParams.get (QueryDict.get gives the last).
    values = request.GET.getlist(name)
    return values[0] if values else None


def _contract(view):
    """Map the contract's exceptions to 400/503 JSON answers."""

    def wrapped(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except common.BadRequest as error:
            return _error(400, str(error))
        except common.Unavailable as error:
            return _error(503, str(error))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_GET
@_contract
def json_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(common.json_answer())


@require_GET
@_contract
def io_view(request: HttpRequest) -> JsonResponse:
    ms = common.int_param(_param(request, "ms"), common.IO_MS)
    time.sleep(ms / 1000)
    return JsonResponse(common.io_answer(ms))


@require_GET
@_contract
def service_view(request: HttpRequest) -> JsonResponse:
    url = common.downstream_item_url()
    try:
        response = _session().get(url, timeout=10)
        response.raise_for_status()
        item = response.json()
    except (requests.RequestException, ValueError) as error:
        return _error(502, f"downstream failed: {error}")
    return JsonResponse(common.service_answer(item))


@require_GET
@_contract
def db_view(request: HttpRequest) -> JsonResponse:
    if not settings.DB_CONFIGURED:
        raise common.Unavailable("STACKBENCH_PG is not set")
    row_id = random.randint(1, common.WORLD_ROWS)
    try:
        world = World.objects.get(id=row_id)
    except World.DoesNotExist:
        return _error(502, f"database failed: no world row {row_id}")
    except DatabaseError as error:
        # Django closes a connection that raised at the end of the request, so the next one reconnects.
        return _error(502, f"database failed: {error}".strip())
    return JsonResponse(common.db_answer(world.id, world.randomnumber))


@require_GET
@_contract
def cpu_view(request: HttpRequest) -> JsonResponse:
    n = common.int_param(_param(request, "n"), common.CPU_N)
    return JsonResponse(common.cpu_answer(n))


@require_GET
@_contract
def data_view(request: HttpRequest) -> JsonResponse:
    rows = common.int_param(_param(request, "rows"), common.DATA_ROWS)
    return JsonResponse(common.data_answer(rows))


@require_GET
@_contract
def data_sized_view(request: HttpRequest) -> JsonResponse:
    params = (_param(request, "rows"), _param(request, "op"), _param(request, "impl"))
    return JsonResponse(common.data_sized_request(*params))


@require_GET
@_contract
def ml_sized_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(common.ml_sized_request(_param(request, "batch"), _param(request, "width")))


@require_GET
def info_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(common.info_answer())


@require_POST
@_contract
def ml_view(request: HttpRequest) -> JsonResponse:
    batch = common.parse_ml_body(request.body)
    return JsonResponse(common.ml_answer(batch))


@require_GET
@_contract
def stream_view(request: HttpRequest) -> StreamingHttpResponse:
    start = time.monotonic()
    # Validated before the generator runs, so a bad request is an ordinary 400 JSON answer.
    n, interval = common.stream_params(_param(request, "n"), _param(request, "interval"))
    # A streaming response: CommonMiddleware leaves it alone (it sets Content-Length only on non-streaming
    # ones), so gunicorn sends it chunked and writes each event as the generator yields it.
    response = StreamingHttpResponse(
        common.sse_events_blocking(n, interval, start), content_type=common.SSE_MEDIA_TYPE
    )
    for name, value in common.SSE_HEADERS.items():
        response[name] = value
    return response


@require_GET
def chat_view(request: HttpRequest) -> JsonResponse:
    # Also for a WebSocket handshake (Upgrade: websocket): the client sees a 501 instead of a 101.
    return _error(501, chat.wsgi_refusal("django-gunicorn"))


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return _error(404, "Not Found")


def server_error(request: HttpRequest) -> JsonResponse:
    return _error(500, "Internal Server Error")
