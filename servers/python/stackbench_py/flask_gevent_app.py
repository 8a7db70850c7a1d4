"""Flask on gunicorn's gevent workers: the same app as flask-gunicorn, made cooperative by monkey-patching.

gunicorn's gevent worker calls gevent.monkey.patch_all() in each worker before it loads this module, so the
blocking calls of the shared routes (flask_app.py) yield to other greenlets instead of holding the process:
/io's time.sleep, /service's requests (its sockets), /stream's generator sleeping between events. psycopg2
is C code with its own sockets, which monkey-patching cannot reach: psycogreen installs gevent's wait
callback before any connection exists, so /db waits cooperatively too. One worker then serves up to
worker_connections (1000) requests at once; CPU work (/cpu, /data, /ml) still holds the whole worker.

/chat is a plain WebSocket as Flask-on-gevent users write it without Socket.IO: gevent-websocket upgrades
the request and the view loops on environ["wsgi.websocket"].receive(). Rooms live per worker process;
across several workers the messages go through Redis (see chat.py), or /chat is refused with 503.
"""

import logging
import struct
import threading
from typing import Callable

from gevent import monkey

if not monkey.is_module_patched("socket"):
    # Without the patching every "cooperative" wait here would block the worker: refuse to run half-right.
    raise RuntimeError(
        "flask_gevent_app needs a gevent-patched process: run it with "
        "gunicorn --worker-class stackbench_py.gevent_worker.Worker"
    )

from psycogreen.gevent import patch_psycopg  # noqa: E402 - after the check above, before any connection

patch_psycopg()

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import gevent.lock  # noqa: E402
import redis  # noqa: E402
from flask import Request, Response, request  # noqa: E402
from geventwebsocket.exceptions import WebSocketError  # noqa: E402

from . import chat  # noqa: E402
from .flask_app import _error, create_app  # noqa: E402

# gunicorn configures this logger (errorlog "-", level warning in gunicorn.conf.py).
log = logging.getLogger("gunicorn.error")


# ---------------------------------------------------------------- rooms of this worker


class Member:
    """One chat connection. Greenlets of other connections send to it, so its sends take turns (a lock):
    two frames written at once could interleave on the socket."""

    __slots__ = ("ws", "lock")

    def __init__(self, ws) -> None:
        self.ws = ws
        self.lock = threading.Lock()  # gevent's lock: threading is monkey-patched

    def close(self) -> None:
        # gevent-websocket's close() sends its message alone, without the code, and as the text of its repr
        # (0.10.1, its last release): the frame is sent here, 1001 (going away), and the socket marked closed so
        # that the client's answering close frame ends the view's receive() without a second, malformed one.
        try:
            with self.lock:
                self.ws.send_frame(struct.pack("!H", 1001) + b"server shutting down", self.ws.OPCODE_CLOSE)
                self.ws.closed = True
        except (WebSocketError, OSError):
            pass

    def send(self, text: str) -> bool:
        try:
            with self.lock:
                self.ws.send(text)
            return True
        except (WebSocketError, OSError):
            return False


_rooms: "dict[str, set[Member]]" = {}


def deliver(room: str, text: str) -> None:
    """Send `text` to every member of `room` in this worker, one after the other (a snapshot: members
    join and leave while a send waits on a slow socket)."""
    members = _rooms.get(room)
    if not members:
        return
    for member in list(members):
        if member in members and not member.send(text):
            members.discard(member)


# ---------------------------------------------------------------- fan-out through Redis


class RedisFanout:
    """Publishes this worker's messages and delivers what Redis sends back to this worker's members.

    One pub/sub connection per worker, read by one greenlet; subscriptions follow the rooms held here: a
    /chat connection holds its room from before its handshake (the worker's handler asks, see
    `before_websocket`) until it ends, so a member hears everything published once its handshake is done.
    If Redis goes away, publishing fails (the message is lost, the sender stays connected) and the reader
    reconnects with backoff, subscribing again to every room held.
    """

    def __init__(self, url: str) -> None:
        # Publishing from many greenlets at once: at most 10 connections per worker, a publish waits for a
        # free one; a Redis that hangs costs it 5 s at most (socket_timeout), never the worker.
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=10, timeout=5, socket_connect_timeout=2, socket_timeout=5
        )
        self._client = redis.Redis(connection_pool=pool)
        self._pubsub = self._client.pubsub()
        self._lock = threading.Lock()  # commands on the pub/sub connection, and its replacement
        # Per room with members here: set once Redis has confirmed the subscription. Per channel: the
        # confirmations still expected, in the order the SUBSCRIBEs were sent (Redis answers in that order).
        self._ready: "dict[str, gevent.event.Event]" = {}
        self._holds: "dict[str, int]" = {}  # per room: the connections holding it
        self._waiting: "dict[str, list[gevent.event.Event]]" = {}
        self._wake = gevent.event.Event()  # a join happened: the reader has a connection to read
        self._down = False  # Redis failed and has not answered since: said once, not per message
        self._broken = False  # the pub/sub connection failed: the reader replaces it
        gevent.spawn(self._read_forever)

    def publish(self, room: str, text: str) -> None:
        try:
            self._client.publish(chat.channel(room), text.encode("utf-8"))
            self._down = False
        except (redis.RedisError, OSError) as error:
            self._failed("publishing", error)

    def hold(self, room: str) -> None:
        """Called for every /chat connection before its handshake: the first one of a room subscribes to its
        channel; each one waits (2 s at most) until Redis has confirmed that subscription, so a member receives
        every message published after it joined, its own first of all."""
        self._holds[room] = self._holds.get(room, 0) + 1
        ready = self._ready.get(room)
        if ready is None:
            name = chat.channel(room)
            ready = self._ready[room] = gevent.event.Event()
            self._waiting.setdefault(name, []).append(ready)
            try:
                with self._lock:
                    self._pubsub.subscribe(name)
            except (redis.RedisError, OSError) as error:
                # Nothing to wait for: the reader subscribes again to every room with members once Redis
                # answers.
                self._failed("subscribing", error)
                self._broken = True
                ready.set()
            self._wake.set()
        ready.wait(timeout=chat.JOIN_WAIT_S)

    def release(self, room: str) -> None:
        """Called when a /chat connection has ended: the last one of a room unsubscribes."""
        held = self._holds.get(room, 0) - 1
        if held > 0:
            self._holds[room] = held
            return
        self._holds.pop(room, None)
        self._ready.pop(room, None)
        try:
            with self._lock:
                self._pubsub.unsubscribe(chat.channel(room))
        except (redis.RedisError, OSError):
            pass  # a new connection subscribes only to rooms with members

    def _failed(self, what: str, error: Exception) -> None:
        if not self._down:
            log.warning("chat: %s on Redis failed (%s); deliveries are lost until it answers again", what, error)
        self._down = True

    def _read_forever(self) -> None:
        backoff = 0.1
        while True:
            try:
                if self._broken:
                    gevent.sleep(backoff)
                    backoff = min(backoff * 2, 2.0)
                    self._broken = False
                    self._subscribe_rooms(fresh=True)
                    continue
                if self._pubsub.connection is None:
                    if self._holds:
                        # Members, but no connection: Redis was down when they joined. Try again.
                        gevent.sleep(backoff)
                        backoff = min(backoff * 2, 2.0)
                        self._subscribe_rooms(fresh=False)
                    else:
                        self._wake.wait(timeout=1.0)
                        self._wake.clear()
                    continue
                # None after up to 1 s without a message (or at once while nothing is subscribed).
                message = self._pubsub.get_message(timeout=1.0)
                if message is not None:
                    self._handle(message)
                backoff = 0.1
            except Exception as error:  # noqa: BLE001 - whatever happened, the worker keeps serving
                self._failed("reading", error)
                self._broken = True

    def _handle(self, message: dict) -> None:
        self._down = False
        kind = message["type"]
        name = message["channel"].decode("utf-8", "replace")
        if kind == "message":
            deliver(chat.room_of(name), message["data"].decode("utf-8", "replace"))
        elif kind == "subscribe":
            waiting = self._waiting.get(name)
            if waiting:
                waiting.pop(0).set()
            if not waiting:
                self._waiting.pop(name, None)

    def _subscribe_rooms(self, fresh: bool) -> None:
        """Subscribe to every room held here: on a new connection (fresh: the old one broke), or on the
        current one if it has none yet."""
        with self._lock:
            if fresh:
                old, self._pubsub = self._pubsub, self._client.pubsub()
                try:
                    old.reset()
                except Exception:  # noqa: BLE001 - the old connection is dead anyway
                    pass
                # Whoever waits for a confirmation from the dead connection would wait in vain.
                for waiting in self._waiting.values():
                    for confirmed in waiting:
                        confirmed.set()
                self._waiting.clear()
            elif self._pubsub.connection is not None:
                return  # a join connected meanwhile
            channels = [chat.channel(room) for room in self._holds]
            if channels:
                try:
                    self._pubsub.subscribe(*channels)
                except (redis.RedisError, OSError):
                    self._broken = True  # still down: the reader comes back here after its backoff


_fanout: "RedisFanout | None" = None
# Building the fan-out can yield to another greenlet: without this lock, two members joining a fresh worker at
# once each built one, and every message then reached that worker's members twice (two subscriptions).
_fanout_lock = gevent.lock.Semaphore()


def _broker() -> "RedisFanout | None":
    global _fanout
    url = chat.broker_url()
    if url is None:
        return None
    with _fanout_lock:
        if _fanout is None:
            _fanout = RedisFanout(url)  # in the worker, on the first chat connection (never before fork)
    return _fanout


# ---------------------------------------------------------------- the view


def refuses_websocket(environ: dict) -> bool:
    """Asked by the worker's handler before the handshake (see gevent_worker.py)."""
    if environ.get("PATH_INFO") != "/chat":
        return False
    return chat.refusal(Request(environ).args.get("room")) is not None


def before_websocket(environ: dict) -> "Callable[[], None] | None":
    """Asked by the worker's handler before it answers an accepted handshake: with a broker, the room is held
    (subscribed, confirmed) first, as the ASGI stacks accept only once subscribed; the handler calls what
    this returns once the connection has ended."""
    if environ.get("PATH_INFO") != "/chat":
        return None
    room = chat.room(Request(environ).args.get("room"))
    broker = _broker()
    if broker is None or room is None:
        return None
    broker.hold(room)
    return lambda: broker.release(room)


def chat_view():
    raw_room = request.args.get("room")
    refused = chat.refusal(raw_room)
    if refused is not None:
        return _error(*refused)
    ws = request.environ.get("wsgi.websocket")
    if ws is None:
        response, status = _error(426, "/chat is a WebSocket endpoint: send Upgrade: websocket")
        response.headers["Upgrade"] = "websocket"
        return response, status
    room = chat.room(raw_room)
    assert room is not None  # refusal() checked it
    broker = _broker()  # the handler has held the room on it already (before_websocket)
    member = Member(ws)
    members = _rooms.setdefault(room, set())
    members.add(member)
    try:
        while True:
            try:
                message = ws.receive()  # None once the client closed or the socket broke
            except WebSocketError:
                break
            if message is None:
                break
            if isinstance(message, str):  # text is relayed; binary messages are ignored
                if broker is not None:
                    broker.publish(room, message)
                else:
                    deliver(room, message)
    finally:
        members.discard(member)
        if not members and _rooms.get(room) is members:
            del _rooms[room]
    # geventwebsocket discards whatever the view returns after a WebSocket session.
    return Response(status=204)


# The pools are sized for many requests at once: 10 database connections per worker (as the asyncpg and
# pg pools of the other stacks), and up to 100 keep-alive connections to the downstream (httpx's default
# limit, the FastAPI stack's client).
app = create_app(chat_view, db_pool_max=10, http_pool_max=100)
app.refuses_websocket = refuses_websocket  # type: ignore[attr-defined]
app.before_websocket = before_websocket  # type: ignore[attr-defined]


def on_exit() -> None:
    """Asked by the worker when told to stop (SIGTERM): every chat member is closed with 1001 (going away)."""
    for members in list(_rooms.values()):
        for member in list(members):
            member.close()


app.on_exit = on_exit  # type: ignore[attr-defined]
