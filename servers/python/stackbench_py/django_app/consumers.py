"""/chat on django-asgi with Django Channels (imported only when Channels is installed; see asgi.py).

An AsyncWebsocketConsumer per connection; a room is a group of the in-memory channel layer (one per worker
process), so a broadcast queues the message for each member and each member's consumer sends it on its own
socket. With several workers the messages go through Redis (chat.py's convention): the sender PUBLISHes, and
each worker's reader hands what arrives to its local group.
"""

import logging
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

from .. import chat
from ..chat_asyncio import RedisFanout

log = logging.getLogger("uvicorn.error")

# Members per room in this worker: the channel layer has no way to count a group.
_members: "dict[str, int]" = {}
_fanout: "RedisFanout | None" = None


def _group(room: str) -> str:
    return f"chat.{room}"  # group names allow [A-Za-z0-9._-], rooms are [A-Za-z0-9_-]


async def _deliver(room: str, text: str) -> None:
    await get_channel_layer().group_send(_group(room), {"type": "chat.message", "text": text})


def _broker() -> "RedisFanout | None":
    global _fanout
    url = chat.broker_url()
    if url is not None and _fanout is None:
        _fanout = RedisFanout(url, _deliver, lambda: [room for room, count in _members.items() if count])
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
        self.room = room
        _members[room] = _members.get(room, 0) + 1
        await self.channel_layer.group_add(_group(room), self.channel_name)
        broker = _broker()
        if broker is not None:
            await broker.join(room)  # subscribed before the handshake completes: no message is missed
        await self.accept()

    async def disconnect(self, code) -> None:
        room = self.room
        if room is None:
            return
        self.room = None
        await self.channel_layer.group_discard(_group(room), self.channel_name)
        _members[room] -= 1
        if _members[room] == 0:
            del _members[room]
            if _fanout is not None:
                await _fanout.leave(room)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if text_data is None or self.room is None:
            return  # the contract relays text messages; binary ones are ignored
        broker = _broker()
        if broker is not None:
            await broker.publish(self.room, text_data)
        else:
            await _deliver(self.room, text_data)

    async def chat_message(self, event: dict) -> None:
        await self.send(text_data=event["text"])
