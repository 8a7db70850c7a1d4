"""Chat fan-out through Redis for an asyncio worker (django-asgi): the convention of chat.py.

One pub/sub connection per worker process, read by one task; subscriptions follow the rooms that have
members in this worker. A message published by any worker comes back here and is handed to `deliver`, which
sends it to this worker's members. If Redis goes away, publishing fails (the message is lost, the sender
stays connected) and the reader reconnects with backoff, subscribing again to every room with members.
"""

import asyncio
import logging
from typing import Awaitable, Callable, Iterable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from . import chat

log = logging.getLogger("uvicorn.error")


class RedisFanout:
    def __init__(
        self,
        url: str,
        deliver: Callable[[str, str], Awaitable[None]],
        rooms: Callable[[], Iterable[str]],
    ) -> None:
        # Publishing from many connections at once: at most 10 Redis connections per worker, a publish
        # waits for a free one; a Redis that hangs costs it 5 s at most (socket_timeout), never the worker.
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=10, timeout=5, socket_connect_timeout=2, socket_timeout=5
        )
        self._client = aioredis.Redis(connection_pool=pool)
        self._pubsub = self._client.pubsub()
        self._deliver = deliver
        self._rooms = rooms  # the rooms with members in this worker, for a new connection
        self._lock = asyncio.Lock()  # commands on the pub/sub connection, and its replacement
        # Per room with members here: set once Redis has confirmed the subscription. Per channel: the
        # confirmations still expected, in the order the SUBSCRIBEs were sent (Redis answers in that order).
        self._ready: "dict[str, asyncio.Event]" = {}
        self._waiting: "dict[str, list[asyncio.Event]]" = {}
        self._wake = asyncio.Event()  # a join happened: the reader has a connection to read
        self._down = False  # Redis failed and has not answered since: said once, not per message
        self._broken = False  # the pub/sub connection failed: the reader replaces it
        self._reader = asyncio.get_running_loop().create_task(self._read_forever())

    async def publish(self, room: str, text: str) -> None:
        try:
            await self._client.publish(chat.channel(room), text.encode("utf-8"))
            self._down = False
        except (RedisError, OSError, asyncio.TimeoutError) as error:
            self._failed("publishing", error)

    async def join(self, room: str) -> None:
        """For every member that joins: the first of a room subscribes; each waits (2 s at most) until
        Redis has confirmed, so a member receives every message published after it joined."""
        ready = self._ready.get(room)
        if ready is None:
            name = chat.channel(room)
            ready = self._ready[room] = asyncio.Event()
            self._waiting.setdefault(name, []).append(ready)
            try:
                async with self._lock:
                    await self._pubsub.subscribe(name)
            except (RedisError, OSError, asyncio.TimeoutError) as error:
                # Nothing to wait for: the reader subscribes again to every room with members once Redis
                # answers.
                self._failed("subscribing", error)
                self._broken = True
                ready.set()
            self._wake.set()
        try:
            await asyncio.wait_for(ready.wait(), timeout=2.0)
        except asyncio.TimeoutError:
            pass

    async def leave(self, room: str) -> None:
        """When the last member of a room in this worker has left."""
        self._ready.pop(room, None)
        try:
            async with self._lock:
                await self._pubsub.unsubscribe(chat.channel(room))
        except (RedisError, OSError, asyncio.TimeoutError):
            pass  # a new connection subscribes only to rooms with members

    def _failed(self, what: str, error: BaseException) -> None:
        if not self._down:
            log.warning("chat: %s on Redis failed (%s); deliveries are lost until it answers again", what, error)
        self._down = True

    async def _read_forever(self) -> None:
        backoff = 0.1
        while True:
            try:
                if self._broken:
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 2.0)
                    self._broken = False
                    await self._subscribe_rooms(fresh=True)
                    continue
                if self._pubsub.connection is None:
                    if any(True for _ in self._rooms()):
                        # Members, but no connection: Redis was down when they joined. Try again.
                        await asyncio.sleep(backoff)
                        backoff = min(backoff * 2, 2.0)
                        await self._subscribe_rooms(fresh=False)
                    else:
                        try:
                            await asyncio.wait_for(self._wake.wait(), timeout=1.0)
                        except asyncio.TimeoutError:
                            pass
                        self._wake.clear()
                    continue
                if not self._pubsub.subscribed:
                    # Connected but every room left: get_message would return at once; wait for a join.
                    try:
                        await asyncio.wait_for(self._wake.wait(), timeout=1.0)
                    except asyncio.TimeoutError:
                        pass
                    self._wake.clear()
                    continue
                message = await self._pubsub.get_message(timeout=1.0)
                if message is not None:
                    await self._handle(message)
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - whatever happened, the worker keeps serving
                self._failed("reading", error)
                self._broken = True

    async def _handle(self, message: dict) -> None:
        self._down = False
        kind = message["type"]
        name = message["channel"].decode("utf-8", "replace")
        if kind == "message":
            await self._deliver(chat.room_of(name), message["data"].decode("utf-8", "replace"))
        elif kind == "subscribe":
            waiting = self._waiting.get(name)
            if waiting:
                waiting.pop(0).set()
            if not waiting:
                self._waiting.pop(name, None)

    async def _subscribe_rooms(self, fresh: bool) -> None:
        """Subscribe to every room with members here: on a new connection (fresh: the old one broke), or on
        the current one if it has none yet."""
        async with self._lock:
            if fresh:
                old, self._pubsub = self._pubsub, self._client.pubsub()
                try:
                    await old.reset()
                except Exception:  # noqa: BLE001 - the old connection is dead anyway
                    pass
                # Whoever waits for a confirmation from the dead connection would wait in vain.
                for waiting in self._waiting.values():
                    for confirmed in waiting:
                        confirmed.set()
                self._waiting.clear()
            elif self._pubsub.connection is not None:
                return  # a join connected meanwhile
            channels = [chat.channel(room) for room in self._rooms()]
            if channels:
                try:
                    await self._pubsub.subscribe(*channels)
                except (RedisError, OSError, asyncio.TimeoutError):
                    self._broken = True  # still down: the reader comes back here after its backoff
