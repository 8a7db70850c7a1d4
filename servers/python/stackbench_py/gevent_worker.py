"""The gunicorn worker class of flask-gevent: gevent-websocket's GeventWebSocketWorker, three details changed.

gunicorn loads this module in its master (to find the worker class), before any fork and before gevent's
monkey-patching, so it imports nothing of the application. The worker itself is GeventWebSocketWorker:
gunicorn's gevent worker (monkey.patch_all() in every worker before the app is loaded) serving through
gevent's pywsgi with geventwebsocket's handler, which upgrades a WebSocket request and hands the socket to
the app as environ["wsgi.websocket"]. The handler here differs in three ways:

- a handshake the application refuses is answered as ordinary HTTP (its 400 or 503 JSON) before any 101:
  the handler asks the app's `refuses_websocket(environ)` (in the spirit of geventwebsocket's own
  `app_protocol` hook), since geventwebsocket otherwise completes every handshake before the app runs;
- every response carries a Server header (pywsgi sends none; gunicorn's own workers do);
- no access log line per request (the contract logs nothing per request; gunicorn's accesslog is off too).
"""

import os

from gevent.pywsgi import WSGIHandler
from geventwebsocket.gunicorn.workers import GeventWebSocketWorker
from geventwebsocket.handler import WebSocketHandler
from gunicorn.workers.ggevent import VERSION as SERVER  # "gevent/X gunicorn/Y", gunicorn's SERVER_SOFTWARE


class Handler(WebSocketHandler):
    def run_application(self):
        refuses = getattr(self.application, "refuses_websocket", None)
        upgrade = self.environ.get("HTTP_UPGRADE", "").lower() == "websocket"
        if upgrade and refuses is not None and refuses(self.environ):
            return WSGIHandler.run_application(self)  # plain HTTP: no handshake, the app answers
        return super().run_application()

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
