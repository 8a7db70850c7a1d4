"""/chat on django-asgi with Django Channels (imported only when Channels is installed; see asgi.py).

An AsyncWebsocketConsumer per connection; a room is a group of the in-memory channel layer (one per worker
process), so a broadcast queues the message for each member and each member's consumer sends it on its own
socket. With STACKBENCH_REDIS the messages go through Redis (chat_asyncio.RedisFanout, shared with
fastapi-uvicorn): the sender PUBLISHes, and each worker's reader hands what arrives to its local group.
"""

from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

from .. import chat
from ..chat_asyncio import RedisFanout

_fanout: "RedisFanout | None" = None


def _group(room: str) -> str:
    return f"chat.{room}"  # group names allow [A-Za-z0-9._-], rooms are [A-Za-z0-9_-]


async def _deliver(room: str, text: str) -> None:
    await get_channel_layer().group_send(_group(room), {"type": "chat.message", "text": text})


def _broker() -> "RedisFanout | None":
    """The worker's fan-out, started by its first chat connection (Django 3.2 serves no lifespan events,
    so there is no startup hook to start it from)."""
    global _fanout
    url = chat.broker_url()
    if url is not None and _fanout is None:
        _fanout = RedisFanout(url, _deliver)
        _fanout.start()
    return _fanout


def _first(query_string: bytes, name: str) -> "str | None":
    values = parse_qs(query_string.decode("latin-1"), keep_blank_values=True).get(name)
    return values[0] if values else None


class ChatConsumer(AsyncWebsocketConsumer):
    room: "str | None" = None

    async def connect(self) -> None:
        raw_room = _first(self.scope.get("query_string", b""), "room")
        if chat.refusal(raw_room) is not None:
            # Closing before accept refuses the handshake; uvicorn 0.17 answers it with 403 (a plain GET
            # /chat says why: views_async.chat_view).
            await self.close()
            return
        room = chat.room(raw_room)
        assert room is not None  # refusal() checked it
        broker = _broker()
        if broker is not None:
            # Subscribed before the handshake completes, so no message is missed; a broker that cannot
            # subscribe within chat.JOIN_WAIT_S means a refused handshake (403).
            held = False
            try:
                held = await broker.hold(room)
            finally:
                if not held:
                    await broker.leave(room)  # every hold ends with one leave, a refused one here
            if not held:
                await self.close()
                return
        self.room = room  # from here on disconnect() ends the hold
        await self.channel_layer.group_add(_group(room), self.channel_name)
        await self.accept()

    async def disconnect(self, code) -> None:
        room = self.room
        if room is None:
            return
        self.room = None
        await self.channel_layer.group_discard(_group(room), self.channel_name)
        if _fanout is not None:
            await _fanout.leave(room)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if text_data is None or self.room is None:
            return  # the contract relays text messages; binary ones are ignored
        if _fanout is not None:
            await _fanout.publish(self.room, text_data)
        else:
            await _deliver(self.room, text_data)

    async def chat_message(self, event: dict) -> None:
        await self.send(text_data=event["text"])
