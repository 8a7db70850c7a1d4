"""Flask on gunicorn sync workers: one request at a time per pre-forked process (the WSGI model).

Blocking is the model here, so /io sleeps with time.sleep and /service and /db block on their sockets;
concurrency comes only from gunicorn's worker count. A /stream holds its worker for the whole stream,
and /chat cannot exist at all (501): a WSGI request ends with its response, so no socket is left to speak
WebSocket on. Clients (requests.Session, the psycopg2 pool) are
created lazily in the worker that uses them, never in a parent before fork, so no socket is ever shared
between processes (safe with and without gunicorn's --preload).

The workload routes are a Blueprint, so flask-gevent (flask_gevent_app.py) serves the very same code on
gevent workers: `create_app` takes the pool sizes (the app's config) and the stack's own /chat view.
"""

import os
import random
import threading
import time

import psycopg2
import psycopg2.pool
import requests
import requests.adapters
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from . import chat, common

workloads = Blueprint("workloads", __name__)

# Per-process state, keyed by pid so a forked copy never reuses its parent's sockets.
_state_lock = threading.Lock()
_pool: "psycopg2.pool.ThreadedConnectionPool | None" = None
# As many slots as the pool has connections: a request waits here for a free one rather than getting
# psycopg2's PoolError when all are taken (which a sync worker never sees, and a gevent worker would).
_pool_slots: "threading.BoundedSemaphore | None" = None
_session: "requests.Session | None" = None
_owner_pid = 0


def _reset_if_forked() -> None:
    global _pool, _pool_slots, _session, _owner_pid
    if _owner_pid != os.getpid():
        _pool, _pool_slots, _session, _owner_pid = None, None, None, os.getpid()


def _db_pool() -> "tuple[psycopg2.pool.ThreadedConnectionPool, threading.BoundedSemaphore]":
    global _pool, _pool_slots
    with _state_lock:
        _reset_if_forked()
        if _pool is None:
            size = current_app.config["DB_POOL_MAX"]
            _pool = psycopg2.pool.ThreadedConnectionPool(1, size, common.pg_url())
            # psycopg2's pool closes a connection given back while it holds `minconn` idle ones: with 1, the
            # greenlets of a gevent worker sharing it opened a new PostgreSQL connection for nearly every query
            # (flask-gevent /db: ~50 req/s at 64 connections). Opened as needed, kept up to `size`.
            _pool.minconn = size
            _pool_slots = threading.BoundedSemaphore(size)
        assert _pool_slots is not None
        return _pool, _pool_slots


def _http_session() -> requests.Session:
    global _session
    with _state_lock:
        _reset_if_forked()
        if _session is None:
            _session = requests.Session()
            size = current_app.config["HTTP_POOL_MAX"]
            if size is not None:
                # Keep-alive connections to the downstream, at most `size`; a request waits for a free one
                # (pool_block) instead of opening a throwaway connection that urllib3 then discards with a
                # warning on stderr, per request.
                adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=size, pool_block=True)
                _session.mount("http://", adapter)
        return _session


def _error(status: int, message: str):
    return jsonify(common.error_body(message)), status


@workloads.app_errorhandler(common.BadRequest)
def _bad_request(error: common.BadRequest):
    return _error(400, str(error))


@workloads.app_errorhandler(common.Unavailable)
def _unavailable(error: common.Unavailable):
    return _error(503, str(error))


@workloads.app_errorhandler(HTTPException)
def _http_error(error: HTTPException):
    # 404, 405 and friends as JSON too, so every error body of every stack has the same shape.
    return _error(error.code or 500, error.name)


@workloads.get("/json")
def json_route():
    return jsonify(common.json_answer())


@workloads.get("/io")
def io_route():
    ms = common.int_param(request.args.get("ms"), common.IO_MS)
    time.sleep(ms / 1000)
    return jsonify(common.io_answer(ms))


@workloads.get("/service")
def service_route():
    url = common.downstream_item_url()
    try:
        response = _http_session().get(url, timeout=10)
        response.raise_for_status()
        item = response.json()
    except (requests.RequestException, ValueError) as error:
        return _error(502, f"downstream failed: {error}")
    return jsonify(common.service_answer(item))


@workloads.get("/db")
def db_route():
    common.pg_url()  # 503 before touching the pool when the lab gave no database
    row_id = random.randint(1, common.WORLD_ROWS)
    try:
        pool, slots = _db_pool()
    except psycopg2.Error as error:
        return _error(502, f"database failed: {error}".strip())
    with slots:
        try:
            conn = pool.getconn()
        except psycopg2.Error as error:
            return _error(502, f"database failed: {error}".strip())
        broken = False
        try:
            conn.autocommit = True  # a single SELECT: no transaction left open between requests
            with conn.cursor() as cursor:
                cursor.execute(common.WORLD_QUERY_PSYCOPG, (row_id,))
                row = cursor.fetchone()
        except psycopg2.Error as error:
            broken = True
            return _error(502, f"database failed: {error}".strip())
        finally:
            pool.putconn(conn, close=broken or conn.closed != 0)
    if row is None:
        return _error(502, f"database failed: no world row {row_id}")
    return jsonify(common.db_answer(row[0], row[1]))


@workloads.get("/cpu")
def cpu_route():
    n = common.int_param(request.args.get("n"), common.CPU_N)
    return jsonify(common.cpu_answer(n))


@workloads.get("/data")
def data_route():
    rows = common.int_param(request.args.get("rows"), common.DATA_ROWS)
    return jsonify(common.data_answer(rows))


@workloads.get("/data/sized")
def data_sized_route():
    args = request.args
    return jsonify(common.data_sized_request(args.get("rows"), args.get("op"), args.get("impl")))


@workloads.get("/ml/sized")
def ml_sized_route():
    return jsonify(common.ml_sized_request(request.args.get("batch"), request.args.get("width")))


@workloads.get("/info")
def info_route():
    return jsonify(common.info_answer())


@workloads.post("/ml")
def ml_route():
    batch = common.parse_ml_body(request.get_data(cache=False))
    return jsonify(common.ml_answer(batch))


@workloads.get("/stream")
def stream_route():
    start = time.monotonic()
    # Validated here, before the generator runs: a bad request is an ordinary 400 JSON answer.
    n, interval = common.stream_params(request.args.get("n"), request.args.get("interval"))
    # No Content-Length on a generator body: gunicorn sends it chunked and writes every yielded event to
    # the socket at once (sync workers do not buffer).
    return Response(
        common.sse_events_blocking(n, interval, start),
        mimetype=common.SSE_MEDIA_TYPE,
        headers=common.SSE_HEADERS,
    )


def create_app(chat_view, db_pool_max: int, http_pool_max: "int | None") -> Flask:
    """A Flask app serving the workload routes and `chat_view` on /chat.

    db_pool_max: connections of the per-worker psycopg2 pool. http_pool_max: keep-alive connections of the
    per-worker requests.Session to the downstream (None: requests' defaults).
    """
    app = Flask(__name__)
    app.config.update(DB_POOL_MAX=db_pool_max, HTTP_POOL_MAX=http_pool_max)
    app.register_blueprint(workloads)
    # Werkzeug routes a WebSocket handshake (Upgrade: websocket) only to rules marked websocket=True and
    # answers 400 otherwise; the second rule gives a handshake the same view as a plain GET.
    app.add_url_rule("/chat", view_func=chat_view, methods=["GET"])
    app.add_url_rule("/chat", endpoint="chat_upgrade", view_func=chat_view, websocket=True)
    return app


def wsgi_chat_route():
    # Also for a WebSocket handshake: the client sees a 501 instead of a 101.
    return _error(501, chat.wsgi_refusal("flask-gunicorn"))


# A sync worker serves one request at a time, so it never holds more than one connection; 4 leaves
# headroom in case someone runs this app on threaded workers. One request at a time needs no pool limit.
app = create_app(wsgi_chat_route, db_pool_max=4, http_pool_max=None)
