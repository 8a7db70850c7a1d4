"""Flask on gunicorn sync workers: one request at a time per pre-forked process (the WSGI model).

Blocking is the model here, so /io sleeps with time.sleep and /service and /db block on their sockets;
concurrency comes only from gunicorn's worker count. A /stream holds its worker for the whole stream,
and /chat cannot exist at all (501): a WSGI request ends with its response, so no socket is left to speak
WebSocket on. Clients (requests.Session, the psycopg2 pool) are
created lazily in the worker that uses them, never in a parent before fork, so no socket is ever shared
between processes (safe with and without gunicorn's --preload).
"""

import os
import random
import threading
import time

import psycopg2
import psycopg2.pool
import requests
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from . import common

app = Flask(__name__)

# Per-process state, keyed by pid so a forked copy never reuses its parent's sockets.
_state_lock = threading.Lock()
_pool: "psycopg2.pool.ThreadedConnectionPool | None" = None
_session: "requests.Session | None" = None
_owner_pid = 0


def _reset_if_forked() -> None:
    global _pool, _session, _owner_pid
    if _owner_pid != os.getpid():
        _pool, _session, _owner_pid = None, None, os.getpid()


def _db_pool() -> "psycopg2.pool.ThreadedConnectionPool":
    global _pool
    with _state_lock:
        _reset_if_forked()
        if _pool is None:
            # A sync worker serves one request at a time, so it never holds more than one connection;
            # maxconn leaves headroom in case someone runs this app on threaded workers.
            _pool = psycopg2.pool.ThreadedConnectionPool(1, 4, common.pg_url())
        return _pool


def _http_session() -> requests.Session:
    global _session
    with _state_lock:
        _reset_if_forked()
        if _session is None:
            _session = requests.Session()
        return _session


def _error(status: int, message: str):
    return jsonify(common.error_body(message)), status


@app.errorhandler(common.BadRequest)
def _bad_request(error: common.BadRequest):
    return _error(400, str(error))


@app.errorhandler(common.Unavailable)
def _unavailable(error: common.Unavailable):
    return _error(503, str(error))


@app.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    # 404, 405 and friends as JSON too, so every error body of every stack has the same shape.
    return _error(error.code or 500, error.name)


@app.get("/json")
def json_route():
    return jsonify(common.json_answer())


@app.get("/io")
def io_route():
    ms = common.int_param(request.args.get("ms"), common.IO_MS)
    time.sleep(ms / 1000)
    return jsonify(common.io_answer(ms))


@app.get("/service")
def service_route():
    url = common.downstream_item_url()
    try:
        response = _http_session().get(url, timeout=10)
        response.raise_for_status()
        item = response.json()
    except (requests.RequestException, ValueError) as error:
        return _error(502, f"downstream failed: {error}")
    return jsonify(common.service_answer(item))


@app.get("/db")
def db_route():
    common.pg_url()  # 503 before touching the pool when the lab gave no database
    row_id = random.randint(1, common.WORLD_ROWS)
    try:
        pool = _db_pool()
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


@app.get("/cpu")
def cpu_route():
    n = common.int_param(request.args.get("n"), common.CPU_N)
    return jsonify(common.cpu_answer(n))


@app.get("/data")
def data_route():
    rows = common.int_param(request.args.get("rows"), common.DATA_ROWS)
    return jsonify(common.data_answer(rows))


@app.get("/data/sized")
def data_sized_route():
    args = request.args
    return jsonify(common.data_sized_request(args.get("rows"), args.get("op"), args.get("impl")))


@app.get("/ml/sized")
def ml_sized_route():
    return jsonify(common.ml_sized_request(request.args.get("batch"), request.args.get("width")))


@app.get("/info")
def info_route():
    return jsonify(common.info_answer())


@app.post("/ml")
def ml_route():
    batch = common.parse_ml_body(request.get_data(cache=False))
    return jsonify(common.ml_answer(batch))


@app.get("/stream")
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


def chat_route():
    return _error(501, common.wsgi_chat_error("flask-gunicorn"))


# Werkzeug routes a WebSocket handshake (Upgrade: websocket) only to rules marked websocket=True and answers
# 400 otherwise; the second rule makes a handshake get the same 501 as a plain GET, instead of a 101.
app.add_url_rule("/chat", view_func=chat_route, methods=["GET"])
app.add_url_rule("/chat", endpoint="chat_upgrade", view_func=chat_route, websocket=True)
