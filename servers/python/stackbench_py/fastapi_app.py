"""FastAPI on uvicorn (uvloop, httptools): one asyncio event loop per worker process.

I/O waits (/io, /service, /db) are awaited, so one worker overlaps many of them. The CPU-bound
routes (/cpu, /data, /ml and their sized forms, /info) are plain `def` functions: FastAPI's docs
("Concurrency and async / await") say to declare code that blocks with `def`, and FastAPI then runs it in
its threadpool, so the event loop keeps accepting and answering the other requests while one computes.
(The GIL still serialises pure-Python work such as /cpu; NumPy and pandas release it for part of theirs.
That trade-off is what the benchmark measures.)

/stream and /chat are where one event loop per process shines: a stream waits with asyncio.sleep and a
chat connection with an await on its socket, so thousands of either cost a coroutine each, not a thread.
With STACKBENCH_REDIS, chat rooms span workers and replicas through Redis pub/sub (chat_asyncio.py, shared
with django-asgi); without it, a worker of several refuses /chat rather than split its rooms (chat.py).
"""

import asyncio
import logging
import multiprocessing
import os
import random
import signal
import time
from typing import AsyncIterator, Awaitable, Callable

import asyncpg
import httpx
from fastapi import FastAPI, Request, WebSocket
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.requests import HTTPConnection
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import chat, chat_asyncio, common

log = logging.getLogger("uvicorn.error")

# No OpenAPI schema or docs pages: a production service that only serves the contract's paths.
app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

# Per worker process: uvicorn imports this module again in every (spawned) worker.
_client: "httpx.AsyncClient | None" = None
_pool: "asyncpg.Pool | None" = None
_pool_lock = asyncio.Lock()
# /chat members of this worker. Without a broker a message goes straight to them, which is the whole room
# only when this is the one worker (otherwise /chat refuses: chat.refusal).
_rooms = chat_asyncio.LocalRooms()
# With STACKBENCH_REDIS: messages go out through Redis and come back to _rooms (created at startup).
_fanout: "chat_asyncio.RedisFanout | None" = None


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(common.error_body(message), status_code=status)


def _param(request: HTTPConnection, name: str) -> "str | None":
    # The first value when a parameter repeats, like URLSearchParams.get (Starlette's .get gives the last).
    values = request.query_params.getlist(name)
    return values[0] if values else None


async def _db_pool() -> asyncpg.Pool:
    global _pool
    async with _pool_lock:
        if _pool is None:
            # max 10 per worker, as the contract says; connections beyond the first open on demand.
            _pool = await asyncpg.create_pool(common.pg_url(), min_size=1, max_size=10)
        return _pool


def _stop_with_parent() -> None:
    """In a worker of `uvicorn --workers N` (N > 1), shut down when the supervisor dies.

    uvicorn 0.17's supervisor does not watch its workers, and the workers do not watch it: a SIGKILLed
    supervisor would leave them serving. multiprocessing gives every spawned child a pipe from its parent
    that reaches EOF when the parent exits; on that we stop gracefully, as on SIGTERM.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return  # single-process mode: nothing supervises us
    loop = asyncio.get_running_loop()

    def on_parent_exit() -> None:
        loop.remove_reader(parent.sentinel)
        log.warning("supervisor %s exited; worker %s stops", parent.pid, os.getpid())
        os.kill(os.getpid(), signal.SIGTERM)

    loop.add_reader(parent.sentinel, on_parent_exit)


class _NoWebSocketInfo(logging.Filter):
    """Drop the INFO lines uvicorn and `websockets` write for every WebSocket ("[accepted]", "connection
    open", "connection closed"): --no-access-log silences only HTTP, and the contract logs nothing per
    request. Warnings and errors from the same code still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or f"{os.sep}websockets{os.sep}" not in record.pathname


@app.on_event("startup")
async def _startup() -> None:
    global _client, _fanout
    _stop_with_parent()
    # At startup, after uvicorn has configured its loggers (in this process, also in a spawned worker).
    log.addFilter(_NoWebSocketInfo())
    # One client for the worker's whole life: it keeps its keep-alive connections to the downstream.
    _client = httpx.AsyncClient(timeout=10.0)
    if os.environ.get("STACKBENCH_PG"):
        try:
            await _db_pool()
        except (OSError, asyncpg.PostgresError) as error:
            # Start anyway; /db retries the pool and answers 502 while the database is unreachable.
            log.warning("database pool not ready at startup: %s", error)
    redis_url = chat.broker_url()
    if redis_url:
        # Does not wait for Redis: the worker serves at once, and /chat joins wait (briefly) for the broker.
        _fanout = chat_asyncio.RedisFanout(redis_url, _rooms.broadcast)
        _fanout.start()


@app.on_event("shutdown")
async def _shutdown() -> None:
    if _client is not None:
        await _client.aclose()
    if _pool is not None:
        await _pool.close()
    if _fanout is not None:
        await _fanout.stop()


@app.exception_handler(common.BadRequest)
async def _bad_request(request: Request, error: common.BadRequest) -> JSONResponse:
    return _error(400, str(error))


@app.exception_handler(common.Unavailable)
async def _unavailable(request: Request, error: common.Unavailable) -> JSONResponse:
    return _error(503, str(error))


@app.exception_handler(RequestValidationError)
async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
    # The contract's 400, never FastAPI's default 422 (no route declares typed parameters, but be sure).
    return _error(400, str(error))


@app.exception_handler(StarletteHTTPException)
async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    # 404 and 405 in the same {"error": ...} shape as the other stacks.
    return JSONResponse(common.error_body(str(error.detail)), status_code=error.status_code, headers=error.headers)


@app.get("/json")
async def json_route() -> JSONResponse:
    return JSONResponse(common.json_answer())


@app.get("/io")
async def io_route(request: Request) -> JSONResponse:
    ms = common.int_param(_param(request, "ms"), common.IO_MS)
    await asyncio.sleep(ms / 1000)
    return JSONResponse(common.io_answer(ms))


@app.get("/service")
async def service_route() -> JSONResponse:
    url = common.downstream_item_url()
    assert _client is not None, "startup creates the client"
    try:
        response = await _client.get(url)
        response.raise_for_status()
        item = response.json()
    except (httpx.HTTPError, ValueError) as error:
        return _error(502, f"downstream failed: {error}")
    return JSONResponse(common.service_answer(item))


@app.get("/db")
async def db_route() -> JSONResponse:
    common.pg_url()  # 503 when the lab gave no database
    row_id = random.randint(1, common.WORLD_ROWS)
    try:
        pool = await _db_pool()
        row = await pool.fetchrow(common.WORLD_QUERY_ASYNCPG, row_id)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        return _error(502, f"database failed: {error}".strip())
    if row is None:
        return _error(502, f"database failed: no world row {row_id}")
    return JSONResponse(common.db_answer(row["id"], row["randomnumber"]))


@app.get("/cpu")
def cpu_route(request: Request) -> JSONResponse:
    n = common.int_param(_param(request, "n"), common.CPU_N)
    return JSONResponse(common.cpu_answer(n))


@app.get("/data")
def data_route(request: Request) -> JSONResponse:
    rows = common.int_param(_param(request, "rows"), common.DATA_ROWS)
    return JSONResponse(common.data_answer(rows))


@app.get("/data/sized")
def data_sized_route(request: Request) -> JSONResponse:
    params = (_param(request, "rows"), _param(request, "op"), _param(request, "impl"))
    return JSONResponse(common.data_sized_request(*params))


@app.get("/ml/sized")
def ml_sized_route(request: Request) -> JSONResponse:
    return JSONResponse(common.ml_sized_request(_param(request, "batch"), _param(request, "width")))


@app.get("/info")
def info_route() -> JSONResponse:
    return JSONResponse(common.info_answer())


@app.post("/ml")
async def ml_route(request: Request) -> JSONResponse:
    # Reading the body needs the event loop (async); the NumPy work then goes to the threadpool, exactly
    # where FastAPI would run a `def` route.
    raw = await request.body()
    answer = await run_in_threadpool(lambda: common.ml_answer(common.parse_ml_body(raw)))
    return JSONResponse(answer)


async def _sse_events(n: int, interval: int, start: float) -> AsyncIterator[bytes]:
    for seq in range(1, n + 1):
        delay = common.sse_delay(start, seq, interval, time.monotonic())
        if delay > 0:
            await asyncio.sleep(delay)
        yield common.sse_event(seq, n)


@app.get("/stream")
async def stream_route(request: Request) -> StreamingResponse:
    start = time.monotonic()
    # Validated before the first event: a bad request is an ordinary 400 JSON answer.
    n, interval = common.stream_params(_param(request, "n"), _param(request, "interval"))
    # uvicorn sends a body without Content-Length chunked, one chunk per yielded event, written at once.
    # Starlette watches for the client's disconnect meanwhile and cancels the generator when it goes.
    return StreamingResponse(
        _sse_events(n, interval, start), media_type=common.SSE_MEDIA_TYPE, headers=common.SSE_HEADERS
    )


@app.get("/chat")
async def chat_http_route() -> JSONResponse:
    # Without an upgrade: the route is WebSocket-only (404), unless this worker refuses chat altogether.
    refused = chat.broker_refusal()
    if refused is not None:
        return _error(503, refused)
    raise StarletteHTTPException(status_code=404)


@app.websocket("/chat")
async def chat_route(websocket: WebSocket) -> None:
    raw_room = _param(websocket, "room")
    refused = chat.refusal(raw_room)
    if refused is not None:
        # Closing before accept refuses the handshake; uvicorn 0.17 answers it with HTTP 403 (it has no way
        # for the app to choose the status, so a refusal for want of a broker is a 403 too).
        await websocket.close(code=1008 if refused[0] == 400 else 1013)
        return
    room = chat.room(raw_room)
    assert room is not None  # refusal() checked it
    if _fanout is None:
        await _member(websocket, room, _rooms.broadcast)
        return
    fanout = _fanout
    try:
        # Accept only once this worker is subscribed to the room: nothing published after the handshake
        # can then be missed. A broker that cannot subscribe in time means a refused handshake (403).
        if await fanout.hold(room):
            # A member whose messages go out through Redis and come back, to it too, from the room's channel.
            await _member(websocket, room, fanout.publish)
        else:
            await websocket.close(code=1013)
    finally:
        await fanout.leave(room)


async def _member(websocket: WebSocket, room: str, send: "Callable[[str, str], Awaitable[None]]") -> None:
    """Accepts the socket into the room and hands each text message it sends to `send`."""
    await websocket.accept()
    _rooms.add(room, websocket)
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is not None:  # the contract relays text messages; binary ones are ignored
                await send(room, text)
    finally:
        _rooms.discard(room, websocket)
