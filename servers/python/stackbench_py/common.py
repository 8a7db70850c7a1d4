"""Workload logic shared by the three Python stacks (docs/WORKLOADS.md).

Everything here is framework-free and pure: the apps only translate HTTP to these calls. The dataset and
the model are loaded once per process at import (the contract says "loaded once at start"); each request
then does its whole computation again, nothing is cached.
"""

import json
import math
import os
import re
import time
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd


class BadRequest(ValueError):
    """A parameter or body the contract rejects with 400; str(error) is the message for the client."""


class Unavailable(RuntimeError):
    """A dependency the lab did not configure (STACKBENCH_PG, STACKBENCH_DOWNSTREAM): 503."""


def shared_dir() -> Path:
    env = os.environ.get("STACKBENCH_SHARED")
    if env:
        return Path(env)
    # servers/python/stackbench_py/common.py -> servers/shared
    return Path(__file__).resolve().parent.parent.parent / "shared"


# ---------------------------------------------------------------- parameters

# ASCII digits only: str.isdigit() would also accept other scripts' digits, which Node's parsers reject.
_DIGITS = re.compile(r"[0-9]+", re.ASCII)

IO_MS = ("ms", 0, 10000, 20)
CPU_N = ("n", 1, 200000, 10000)
DATA_ROWS = ("rows", 1, 50000, 50000)


def int_param(raw: "str | None", spec: tuple) -> int:
    """Parse a query value: absent -> default; otherwise plain decimal digits within [lo, hi]."""
    name, lo, hi, default = spec
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw):
        raise BadRequest(f"{name} must be an integer in {lo}..{hi}")
    # Cap the length before int(): a huge digit string is simply out of range (and int() of more than
    # 4300 digits raises in Python 3.11).
    value = int(raw) if len(raw) <= 12 else hi + 1
    if value < lo or value > hi:
        raise BadRequest(f"{name} must be an integer in {lo}..{hi}")
    return value


def io_answer(ms: int) -> dict:
    return {"waited_ms": ms}


def service_answer(item: object) -> dict:
    return {"service": item}


def downstream_item_url() -> str:
    base = os.environ.get("STACKBENCH_DOWNSTREAM")
    if not base:
        raise Unavailable("STACKBENCH_DOWNSTREAM is not set")
    return base.rstrip("/") + "/item"


def pg_url() -> str:
    url = os.environ.get("STACKBENCH_PG")
    if not url:
        raise Unavailable("STACKBENCH_PG is not set")
    return url


WORLD_ROWS = 10000
WORLD_QUERY_PSYCOPG = "SELECT id, randomnumber FROM world WHERE id = %s"
WORLD_QUERY_ASYNCPG = "SELECT id, randomnumber FROM world WHERE id = $1"


def db_answer(row_id: int, random_number: int) -> dict:
    return {"id": int(row_id), "randomNumber": int(random_number)}


# ---------------------------------------------------------------- cpu


def _is_prime(k: int) -> bool:
    if k < 4:
        return k >= 2
    if k % 2 == 0:
        return False
    d = 3
    while d * d <= k:
        if k % d == 0:
            return False
        d += 2
    return True


def cpu_answer(n: int) -> dict:
    # Deliberately the contract's plain loop (no sieve, no math.isqrt): the same work as the Node servers.
    count = 0
    for k in range(2, n + 1):
        if _is_prime(k):
            count += 1
    return {"n": n, "primes": count}


# ---------------------------------------------------------------- data

# The group keys are categoricals, as pandas' docs advise for low-cardinality columns that are grouped
# again and again: about 25 % faster per aggregation than strings here.
SALES = pd.read_csv(
    shared_dir() / "sales.csv",
    dtype={"id": "int64", "region": "category", "category": "category", "units": "int64", "price_cents": "int64"},
)
# read_csv orders categories by first appearance; the contract sorts groups alphabetically.
for _key in ("region", "category"):
    SALES[_key] = SALES[_key].cat.reorder_categories(sorted(SALES[_key].cat.categories))


def data_answer(rows: int) -> dict:
    frame = SALES.head(rows)
    frame = frame.assign(revenue_cents=frame["units"] * frame["price_cents"])
    grouped = frame.groupby(["region", "category"], sort=True, observed=True).agg(
        orders=("id", "size"),
        units=("units", "sum"),
        revenue_cents=("revenue_cents", "sum"),
        max_price_cents=("price_cents", "max"),
    )
    # pandas < 2.0 ignores sort=True together with observed=True: sort the (20-row) result explicitly.
    grouped = grouped.sort_index()
    # int() turns numpy.int64 into Python ints, which the json encoders of all three frameworks accept.
    groups = [
        {
            "region": str(region),
            "category": str(category),
            "orders": int(orders),
            "units": int(units),
            "revenue_cents": int(revenue),
            "max_price_cents": int(max_price),
        }
        for (region, category), orders, units, revenue, max_price in zip(
            grouped.index,
            grouped["orders"],
            grouped["units"],
            grouped["revenue_cents"],
            grouped["max_price_cents"],
        )
    ]
    return {"rows": rows, "groups": groups}


# ---------------------------------------------------------------- ml


def _load_model() -> tuple:
    with open(shared_dir() / "model.json", encoding="utf-8") as f:
        model = json.load(f)
    return tuple(np.asarray(model[key], dtype=np.float64) for key in ("w1", "b1", "w2", "b2"))


W1, B1, W2, B2 = _load_model()
ML_FEATURES = W1.shape[0]
ML_MAX_ROWS = 1024


def _reject_constant(name: str) -> None:
    # Python's json accepts NaN/Infinity literals; JSON (and Node's JSON.parse) does not.
    raise BadRequest(f"body is not valid JSON ({name})")


def parse_ml_body(raw: bytes) -> np.ndarray:
    """Validate a POST /ml body and return the batch as a float64 matrix, or raise BadRequest."""
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as error:
        if isinstance(error, BadRequest):
            raise
        raise BadRequest("body is not valid JSON") from None
    shape_error = BadRequest(
        f'body must be {{"inputs": [[{ML_FEATURES} finite numbers], ...]}} with 1..{ML_MAX_ROWS} rows'
    )
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not 1 <= len(inputs) <= ML_MAX_ROWS:
        raise shape_error
    for row in inputs:
        if not isinstance(row, list) or len(row) != ML_FEATURES:
            raise shape_error
        for x in row:
            # bool is an int subclass in Python; true/false are not numbers in the contract.
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise shape_error
            if isinstance(x, float) and not math.isfinite(x):
                raise shape_error
    try:
        batch = np.asarray(inputs, dtype=np.float64)
    except OverflowError:
        raise shape_error from None
    if not np.isfinite(batch).all():  # an integer too large for a float64
        raise shape_error
    return batch


def ml_answer(batch: np.ndarray) -> dict:
    hidden = np.maximum(batch @ W1 + B1, 0.0)
    logits = hidden @ W2 + B2
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = exp / exp.sum(axis=1, keepdims=True)
    # tolist() yields Python ints and floats, never numpy scalars.
    return {
        "classes": probabilities.argmax(axis=1).tolist(),
        "probabilities": np.round(probabilities, 6).tolist(),
    }


# ---------------------------------------------------------------- stream (server-sent events)

STREAM_N = ("n", 1, 1000, 5)
STREAM_INTERVAL = ("interval", 1, 10000, 50)
STREAM_MAX_MS = 60000


def stream_params(raw_n: "str | None", raw_interval: "str | None") -> "tuple[int, int]":
    """n and interval (ms) of GET /stream, or BadRequest; checked before the first event is written."""
    n = int_param(raw_n, STREAM_N)
    interval = int_param(raw_interval, STREAM_INTERVAL)
    if n * interval > STREAM_MAX_MS:
        raise BadRequest(f"n * interval must be at most {STREAM_MAX_MS} ms (got {n * interval})")
    return n, interval


def sse_event(seq: int, n: int) -> bytes:
    # Compact JSON written by hand: exactly the contract's bytes, whatever json.dumps' separators.
    return f'data: {{"seq":{seq},"n":{n}}}\n\n'.encode("ascii")


def sse_delay(start: float, seq: int, interval: int, now: float) -> float:
    """Seconds to wait until event `seq` is due (seq * interval ms after `start`); 0 when already late.

    Waiting for a scheduled time rather than `interval` per event keeps lateness from accumulating.
    """
    return max(0.0, start + seq * interval / 1000 - now)


def sse_events_blocking(n: int, interval: int, start: float) -> "Iterator[bytes]":
    """The events of one stream for WSGI: the generator sleeps its thread until each event is due.

    `start` is time.monotonic() when the request arrived. The server writes (and sends) each chunk as the
    generator yields it; a client that went away makes that write fail and the server drops the rest.
    """
    for seq in range(1, n + 1):
        delay = sse_delay(start, seq, interval, time.monotonic())
        if delay > 0:
            time.sleep(delay)
        yield sse_event(seq, n)


SSE_HEADERS = {"Cache-Control": "no-cache"}
SSE_MEDIA_TYPE = "text/event-stream"

# ---------------------------------------------------------------- errors and fixed answers


def json_answer() -> dict:
    return {"message": "Hello, World!"}


def error_body(message: str) -> dict:
    return {"error": message}
