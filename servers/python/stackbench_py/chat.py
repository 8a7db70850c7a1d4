"""What every Python /chat shares, whatever its server: who may join, and where a room's messages go.

Rooms live in the process that accepted the connection. With one worker process that is the whole room;
with several, members of one room land on different workers, which would split the room silently. So a
multi-process stack serves /chat only with a broker: STACKBENCH_REDIS (redis://[:PASSWORD@]HOST:PORT/DB),
through which every text message goes (PUBLISH on `stackbench:chat:<room>`, bytes unchanged) and from which
each worker delivers to its own members (SUBSCRIBE to the rooms it has members in). Without one, /chat is
refused with 503 rather than half served.
"""

import os

from . import common

CHANNEL_PREFIX = "stackbench:chat:"
BAD_ROOM = "room must be 1..64 characters of [A-Za-z0-9_-]"


def broker_url() -> "str | None":
    return os.environ.get("STACKBENCH_REDIS") or None


def process_count() -> int:
    """Worker processes of this stack: the process contract's WORKERS (1 when unset)."""
    raw = os.environ.get("WORKERS", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def refusal(raw_room: "str | None") -> "tuple[int, str] | None":
    """(status, message) when a /chat client must be refused before the handshake, else None."""
    if common.chat_room(raw_room) is None:
        return 400, BAD_ROOM
    processes = process_count()
    if processes > 1 and broker_url() is None:
        return 503, f"chat across {processes} workers needs a broker: set STACKBENCH_REDIS"
    return None


def channel(room: str) -> str:
    return CHANNEL_PREFIX + room


def room_of(channel_name: "str | bytes") -> str:
    if isinstance(channel_name, bytes):
        channel_name = channel_name.decode("utf-8", "replace")
    return channel_name[len(CHANNEL_PREFIX) :]
