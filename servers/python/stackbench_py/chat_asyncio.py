"""/chat for the asyncio servers (fastapi-uvicorn, django-asgi): a room's members in this process, and the
fan-out of rooms across workers and replicas through Redis pub/sub, by the convention of chat.py.

A room spans replicas and workers the way deployments do it: a text message is PUBLISHed, bytes unchanged
(the UTF-8 the client sent), on ``stackbench:chat:<room>``; the worker SUBSCRIBEs, on its one subscriber
connection, to the channels of the rooms it has members in (UNSUBSCRIBE when a room empties) and hands what
arrives to its `deliver` callback, which sends it to those members. Every member, the sender included, gets
a message exactly once, through Redis.

Redis being away never stops the worker. It starts without waiting for Redis; the reader task connects and
reconnects with a backoff (at most 1 s) and subscribes again to every room held; a message published while
Redis is unreachable is lost (the load engine counts the drops); a join waits at most chat.JOIN_WAIT_S for
its room's subscription and is refused otherwise.

The subscriber is redis-py's PubSub used at its lower level (connect, execute_command, parse_response): the
worker keeps its own table of rooms, so that it knows when Redis has confirmed a SUBSCRIBE (a member is let
in only then, so nothing published after its handshake can be missed) and which rooms to subscribe again
after a reconnection. redis-py is imported only when a fan-out starts: without STACKBENCH_REDIS a worker
runs without it.
"""

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Set, Tuple

from . import chat

# Both asyncio stacks run on uvicorn, which configures this logger.
log = logging.getLogger("uvicorn.error")

# Publishing connections per worker: a pool, as for the database (each PUBLISH awaits its reply).
PUBLISH_CONNECTIONS = 10
# Reconnection backoff of the subscriber: quick at first, then once a second (the contract's "at most 1 s").
_BACKOFF_FIRST_S = 0.05
_BACKOFF_MAX_S = 1.0


class LocalRooms:
    """The members of each room connected to this process. A member is a socket with an async
    send_text(text) (Starlette's WebSocket). Use from the worker's event loop only."""

    def __init__(self) -> None:
        self._rooms: Dict[str, Set[Any]] = {}

    def add(self, name: str, member: Any) -> None:
        self._rooms.setdefault(name, set()).add(member)

    def discard(self, name: str, member: Any) -> None:
        """The member leaves; an empty room goes with its last member."""
        members = self._rooms.get(name)
        if members is None:
            return
        members.discard(member)
        if not members:
            del self._rooms[name]

    async def broadcast(self, name: str, text: str) -> None:
        """Sends `text` to every member of the room still present, one after the other; a member whose send
        fails is dropped."""
        members = self._rooms.get(name)
        if not members:
            return
        # A snapshot: members join and leave while this coroutine awaits each send.
        for member in tuple(members):
            if member not in members:
                continue  # left meanwhile: no longer "connected at that moment"
            try:
                await member.send_text(text)
            except Exception:  # noqa: BLE001 - whatever broke one member's socket must not stop the others
                members.discard(member)


class _Room:
    """A room this worker holds: how many joins hold it, and the state of its subscription."""

    __slots__ = ("name", "channel", "holds", "confirmed")

    def __init__(self, name: str, confirmed: "asyncio.Future[None]") -> None:
        self.name = name
        self.channel = chat.channel(name).encode()
        self.holds = 0
        # Done once Redis confirmed the SUBSCRIBE on the current connection.
        self.confirmed = confirmed


class RedisFanout:
    """The subscriptions of one worker and its publishing. What arrives on a held room's channel goes to
    `deliver(room, text)`. Use from the worker's event loop only."""

    def __init__(self, url: str, deliver: Callable[[str, str], Awaitable[None]]) -> None:
        self._url = url
        self._deliver = deliver
        self._rooms: Dict[str, _Room] = {}
        self._by_channel: Dict[bytes, _Room] = {}
        # UNSUBSCRIBEs sent and not yet answered, per channel: a SUBSCRIBE answered before them was sent
        # before them too, so it does not confirm a room made again since (Redis answers in order).
        self._unsubscribing: Dict[bytes, int] = {}
        self._publisher: Any = None
        self._publish_pool: Any = None
        # What a failed Redis call raises (redis-py's errors are known once it is imported, in start()).
        self._errors: Tuple[type, ...] = (OSError, asyncio.TimeoutError)
        self._pubsub: Any = None
        self._reader: "asyncio.Task[None] | None" = None
        # Set while the subscriber connection is up and every held room has been asked for.
        self._connected = False
        # Orders writes on the subscriber connection (and its reconnection): SUBSCRIBE and UNSUBSCRIBE of a
        # room must reach Redis in the order they were decided.
        self._lock = asyncio.Lock()

    def start(self) -> None:
        """Creates the clients and the reader task on the running loop; returns at once, whether Redis
        answers yet or not."""
        try:
            import redis.asyncio as aioredis
            from redis.exceptions import RedisError
        except ImportError as error:
            raise RuntimeError(
                f"STACKBENCH_REDIS is set but redis-py is missing ({error}): apt-get install python3-redis"
            ) from error
        self._errors = (RedisError, OSError, asyncio.TimeoutError)
        # The publisher: a bounded pool that makes a PUBLISH wait for a free connection rather than open
        # ever more; socket timeouts so that a stuck Redis costs a sender 2 s, not forever.
        pool = aioredis.BlockingConnectionPool.from_url(
            self._url,
            max_connections=PUBLISH_CONNECTIONS,
            timeout=chat.JOIN_WAIT_S,
            socket_timeout=2.0,
            socket_connect_timeout=2.0,
        )
        self._publish_pool = pool
        self._publisher = aioredis.Redis(connection_pool=pool)
        # The subscriber: no socket timeout (it waits for messages as long as the room is quiet).
        subscriber = aioredis.Redis.from_url(self._url, socket_connect_timeout=2.0, socket_keepalive=True)
        self._pubsub = subscriber.pubsub()
        self._reader = asyncio.get_running_loop().create_task(self._read_forever())

    async def stop(self) -> None:
        # From here on no command goes out: a member leaving during shutdown must not open a new connection.
        self._connected = False
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except asyncio.CancelledError:
                pass
            except self._errors:
                pass
        # A Redis given a pool does not close it: the pool is disconnected here.
        closers = (self._pubsub and self._pubsub.reset, self._publish_pool and self._publish_pool.disconnect)
        for close in closers:
            if close:
                try:
                    await close()
                except self._errors:
                    pass

    # ------------------------------------------------------------------ joins and leaves

    async def hold(self, name: str) -> bool:
        """Before the handshake: True once this worker is subscribed to the room, False if that did not
        happen within chat.JOIN_WAIT_S. Every hold, True or False, is ended by exactly one leave()."""
        room = self._rooms.get(name)
        if room is None:
            room = _Room(name, asyncio.get_running_loop().create_future())
            self._rooms[name] = room
            self._by_channel[room.channel] = room
            room.holds += 1
            # While disconnected, the reader subscribes every held room once it is back.
            if self._connected:
                await self._send("SUBSCRIBE", room.channel)
        else:
            room.holds += 1
        try:
            # shield: a join that gives up must not cancel the Future the room's other joins wait on. A
            # reconnection replaces only Futures already done, so the one awaited here stays the room's.
            await asyncio.wait_for(asyncio.shield(room.confirmed), chat.JOIN_WAIT_S)
            return True
        except asyncio.TimeoutError:
            return False

    async def leave(self, name: str) -> None:
        """Ends a hold; the last one unsubscribes the room."""
        room = self._rooms.get(name)
        if room is None:
            return
        room.holds -= 1
        if room.holds > 0:
            return
        del self._rooms[name]
        del self._by_channel[room.channel]
        if not room.confirmed.done():
            room.confirmed.cancel()
        if self._connected:
            self._unsubscribing[room.channel] = self._unsubscribing.get(room.channel, 0) + 1
            await self._send("UNSUBSCRIBE", room.channel)

    async def _send(self, *args: Any) -> None:
        """A command on the subscriber connection; lost with the connection (the reader then resubscribes
        every room still held)."""
        async with self._lock:
            if not self._connected:
                return
            try:
                await self._pubsub.execute_command(*args)
            except self._errors:
                pass  # the reader sees the connection drop too, and handles it

    # ------------------------------------------------------------------ the hot path

    async def publish(self, name: str, text: str) -> None:
        """One PUBLISH of the message (redis-py encodes it as UTF-8: the bytes the client sent)."""
        room = self._rooms.get(name)
        channel = room.channel if room is not None else chat.channel(name).encode()
        try:
            await self._publisher.publish(channel, text)
        except self._errors:
            pass  # lost: every member misses it alike, which the load engine counts

    # ------------------------------------------------------------------ the subscriber connection

    async def _read_forever(self) -> None:
        delay = _BACKOFF_FIRST_S
        lost = False
        while True:
            try:
                await self._connect()
                if lost:
                    log.warning("chat broker: Redis connection back")
                lost = False
                delay = _BACKOFF_FIRST_S
                while True:
                    await self._handle(await self._pubsub.parse_response(block=True))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - whatever happened, the reader must live on and retry
                self._disconnected()
                if not lost:
                    log.warning("chat broker: Redis connection lost or refused (%s); retrying", error)
                lost = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, _BACKOFF_MAX_S)

    async def _connect(self) -> None:
        async with self._lock:
            await self._pubsub.connect()  # (re)connects and authenticates; raises while Redis is away
            # Connected from here: a room held from now on sends its own SUBSCRIBE, queued on the lock
            # behind this one, and every room held until now is in this one.
            self._connected = True
            channels = [room.channel for room in self._rooms.values()]
            if channels:
                await self._pubsub.execute_command("SUBSCRIBE", *channels)

    def _disconnected(self) -> None:
        self._connected = False
        self._unsubscribing.clear()  # nothing is answered on a new connection
        loop = asyncio.get_running_loop()
        for room in self._rooms.values():
            if room.confirmed.done():
                room.confirmed = loop.create_future()

    async def _handle(self, response: Any) -> None:
        kind = response[0]
        if kind == b"message":
            room = self._by_channel.get(response[1])
            if room is not None:
                await self._deliver_safely(room.name, response[2].decode("utf-8", "replace"))
        elif kind == b"subscribe":
            channel = response[1]
            room = self._by_channel.get(channel)
            if room is not None and not room.confirmed.done() and not self._unsubscribing.get(channel):
                room.confirmed.set_result(None)
        elif kind == b"unsubscribe":
            channel = response[1]
            left = self._unsubscribing.get(channel, 0) - 1
            if left > 0:
                self._unsubscribing[channel] = left
            else:
                self._unsubscribing.pop(channel, None)

    async def _deliver_safely(self, name: str, text: str) -> None:
        # A delivery that fails is this worker's problem, not the connection's: the reader reads on.
        try:
            await self._deliver(name, text)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001
            log.warning("chat: delivering to room %s failed (%s)", name, error)
