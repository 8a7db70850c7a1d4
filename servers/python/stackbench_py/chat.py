"""What every Python /chat shares, whatever its server: who may join, and where a room's messages go.

Rooms live in the process that accepted the connection. With one worker process that is the whole room;
with several, members of one room land on different workers, which would split the room silently. So a
multi-process stack serves /chat only with a broker: STACKBENCH_REDIS (redis://[:PASSWORD@]HOST:PORT/DB),
through which every text message goes (PUBLISH on `stackbench:chat:<room>`, bytes unchanged) and from which
each worker delivers to its own members (SUBSCRIBE to the rooms it has members in). Without one, /chat is
refused with 503 rather than half served.

The fan-out itself comes in two flavours: chat_asyncio.py for the asyncio servers (fastapi-uvicorn,
django-asgi) and the gevent one in flask_gevent_app.py. The WSGI stacks cannot hold a WebSocket at all.
"""

import multiprocessing
import os
import re

DEFAULT_ROOM = "lobby"
BAD_ROOM = "room must be 1..64 characters of [A-Za-z0-9_-]"
CHANNEL_PREFIX = "stackbench:chat:"
# How long a join waits for Redis to confirm its room's subscription (docs/WORKLOADS.md, chat).
JOIN_WAIT_S = 2.0

_ROOM = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)


def room(raw: "str | None") -> "str | None":
    """The room a /chat client joins, or None when the name is not 1..64 characters of [A-Za-z0-9_-]."""
    if raw is None:
        return DEFAULT_ROOM
    return raw if _ROOM.fullmatch(raw) else None


def broker_url() -> "str | None":
    return os.environ.get("STACKBENCH_REDIS") or None


def broker_refusal() -> "str | None":
    """The 503 message when this process is one of several workers and there is no broker, else None.

    WORKERS is the process contract's count (the lab sets it; flask-gevent's worker class sets it from
    gunicorn's own --workers). uvicorn spawns the workers of `--workers N` (N > 1) with multiprocessing,
    which is how such a worker knows it is one of several even when WORKERS is not set; gunicorn forks
    without multiprocessing, so its workers have no multiprocessing parent.
    """
    if broker_url() is not None:
        return None
    raw = os.environ.get("WORKERS", "")
    workers = int(raw) if raw.isdigit() else 0
    if workers > 1 or multiprocessing.parent_process() is not None:
        count = workers if workers > 1 else "several"
        return f"chat across {count} workers needs a broker: set STACKBENCH_REDIS"
    return None


def refusal(raw_room: "str | None") -> "tuple[int, str] | None":
    """(status, message) when a /chat client must be refused before the handshake, else None."""
    if room(raw_room) is None:
        return 400, BAD_ROOM
    refused = broker_refusal()
    return (503, refused) if refused is not None else None


def channel(room_name: str) -> str:
    return CHANNEL_PREFIX + room_name


def room_of(channel_name: "str | bytes") -> str:
    if isinstance(channel_name, bytes):
        channel_name = channel_name.decode("utf-8", "replace")
    return channel_name[len(CHANNEL_PREFIX) :]


def wsgi_refusal(stack: str) -> str:
    # A WSGI request ends with its response: there is no way to keep the socket and speak WebSocket on it.
    return f"WebSocket needs an ASGI or event-loop server; {stack} runs WSGI"
