"""The gunicorn worker class of flask-gevent: gevent-websocket's GeventWebSocketWorker, what it changes.

gunicorn loads this module in its master (to find the worker class), before any fork and before gevent's
monkey-patching, so it imports nothing of the application. The worker itself is GeventWebSocketWorker:
gunicorn's gevent worker (monkey.patch_all() in every worker before the app is loaded) serving through
gevent's pywsgi with geventwebsocket's handler, which upgrades a WebSocket request and hands the socket to
the app as environ["wsgi.websocket"]. The handler and worker here differ in five ways:

- a handshake the application refuses is answered as ordinary HTTP (its 400 or 503 JSON) before any 101:
  the handler asks the app's `refuses_websocket(environ)` (in the spirit of geventwebsocket's own
  `app_protocol` hook), since geventwebsocket otherwise completes every handshake before the app runs;
- an accepted handshake is answered only once the app's `before_websocket(environ)` has returned (the chat
  subscribes to its room's channel first, so nothing published after the 101 is missed); what that returns
  is called when the connection ends;
- every response carries a Server header (pywsgi sends none; gunicorn's own workers do);
- on SIGTERM the app's `on_exit()` closes its WebSockets and idle keep-alive connections are ended, so a
  graceful stop does not wait them out (10 s with a member connected, 5 s with an idle client, before);
- no access log line per request (the contract logs nothing per request; gunicorn's accesslog is off too).
"""

import os
import socket
import weakref

import gevent
from gevent.pywsgi import WSGIHandler
from geventwebsocket.gunicorn.workers import GeventWebSocketWorker
from geventwebsocket.handler import WebSocketHandler
from gunicorn.workers.ggevent import VERSION as SERVER  # "gevent/X gunicorn/Y", gunicorn's SERVER_SOFTWARE


class Handler(WebSocketHandler):
    # The connections open in this worker, and whether each waits for its next request (keep-alive, idle).
    open: "weakref.WeakSet[Handler]" = weakref.WeakSet()
    idle = False

    def handle(self):
        Handler.open.add(self)
        try:
            super().handle()
        finally:
            Handler.open.discard(self)

    def read_requestline(self):
        self.idle = True
        try:
            return super().read_requestline()
        finally:
            self.idle = False

    def run_application(self):
        refuses = getattr(self.application, "refuses_websocket", None)
        upgrade = self.environ.get("HTTP_UPGRADE", "").lower() == "websocket"
        if upgrade and refuses is not None and refuses(self.environ):
            return WSGIHandler.run_application(self)  # plain HTTP: no handshake, the app answers
        prepare = getattr(self.application, "before_websocket", None)
        done = prepare(self.environ) if upgrade and prepare is not None else None
        try:
            return super().run_application()  # the handshake, then the app until the connection ends
        finally:
            if done is not None:
                done()

    def start_response(self, status, headers, exc_info=None):
        if not any(name.lower() == "server" for name, _ in headers):
            headers = [*headers, ("Server", SERVER)]
        return super().start_response(status, headers, exc_info)

    def log_request(self):
        pass


class Worker(GeventWebSocketWorker):
    wsgi_handler = Handler

    def init_process(self):
        # The process contract's WORKERS, made to agree with gunicorn's own --workers whoever started us:
        # the app decides from it whether a chat room can live in one process (see chat.py).
        os.environ["WORKERS"] = str(self.cfg.workers)
        super().init_process()

    def handle_exit(self, sig, frame):
        # SIGTERM, a graceful stop: gunicorn waits (graceful_timeout, 10 s) for open connections to end, and a
        # WebSocket does not end by itself; the app closes them (1001, going away), as uvicorn does its own.
        super().handle_exit(sig, frame)
        closing = getattr(self.wsgi, "on_exit", None)
        if closing is not None:
            gevent.spawn(closing)
        gevent.spawn(_close_idle)


def _close_idle() -> None:
    """Until the worker exits (graceful_timeout at most): end every keep-alive connection that waits for its
    next request, as uvicorn and Node.js servers do on a graceful stop; pywsgi would otherwise wait for the
    client to close it, holding the stop for seconds."""
    while True:
        for handler in list(Handler.open):
            if handler.idle and handler.socket is not None:
                try:
                    handler.socket.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        gevent.sleep(0.2)
