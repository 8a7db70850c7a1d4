"""Workload logic shared by the three Python stacks (docs/WORKLOADS.md).

Everything here is framework-free and pure: the apps only translate HTTP to these calls. The dataset and
the model are loaded once per process at import (the contract says "loaded once at start"); each request
then does its whole computation again, nothing is cached.
"""

import json
import math
import os
import re
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Iterator


def _blas_threads() -> "int | None":
    """STACKBENCH_BLAS_THREADS: the BLAS threads the lab gives each process (its share of the server cores)."""
    raw = os.environ.get("STACKBENCH_BLAS_THREADS", "")
    if raw == "":
        return None
    if not re.fullmatch(r"[0-9]{1,4}", raw, re.ASCII) or not 1 <= int(raw) <= 1024:
        raise RuntimeError(f"STACKBENCH_BLAS_THREADS must be an integer 1..1024 (got {raw!r})")
    return int(raw)


BLAS_THREADS = _blas_threads()
if BLAS_THREADS is not None:
    # OpenBLAS (and an OpenMP runtime) read these once, when NumPy loads them just below; a module that
    # imported NumPy earlier in this process is covered by the threadpoolctl limit after the import.
    # OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are left as the machine set them.
    os.environ["OPENBLAS_NUM_THREADS"] = str(BLAS_THREADS)
    os.environ["OMP_NUM_THREADS"] = str(BLAS_THREADS)

import numpy as np  # noqa: E402 - after the thread settings above, on purpose
import pandas as pd  # noqa: E402
import threadpoolctl  # noqa: E402

if BLAS_THREADS is not None:
    threadpoolctl.threadpool_limits(limits=BLAS_THREADS)


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
    return {"rows": rows, "groups": _groupby(SALES.head(rows))}


def _groupby(frame: pd.DataFrame) -> list:
    """The contract's group-by of a prefix of the sales table: per (region, category), sorted."""
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
    return [
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


# ---------------------------------------------------------------- deterministic numbers (the sized workloads)

# mulberry32 adds _STEP to its 32-bit state before each draw, so draw n (1-based) of a stream seeded with s
# hashes s + n * _STEP (mod 2^32). NumPy computes a whole stream at once in uint32 arithmetic (which wraps like
# JavaScript's Math.imul and |0), bit-identical to the Node servers' loop (docs/WORKLOADS.md).
_STEP = 0x6D2B79F5


def prng_draws(seed: int, first: int, count: int) -> np.ndarray:
    """Draws first+1 .. first+count of the stream `seed`, as uint32."""
    n = np.arange(first + 1, first + count + 1, dtype=np.uint64)
    t = ((seed + n * _STEP) & 0xFFFFFFFF).astype(np.uint32)
    t = (t ^ (t >> np.uint32(15))) * (t | np.uint32(1))
    t ^= t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61))
    return t ^ (t >> np.uint32(14))


def prng_signed(seed: int, first: int, count: int) -> np.ndarray:
    """The draws mapped exactly to [-1, 1): (u - 2^31) / 2^31."""
    return (prng_draws(seed, first, count).astype(np.float64) - 2147483648.0) / 2147483648.0


# ---------------------------------------------------------------- ml at size

ML_SIZED_BATCH = ("batch", 1, 1024, 64)
ML_SIZED_WIDTH = ("width", 8, 2048, 64)
ML_SIZED_CLASSES = 10
_ML_POOL_ROWS = ML_SIZED_BATCH[2]
_ML_KEEP = 4  # widths kept per process (a sweep uses a handful); the least recently used one is dropped
_ml_models: "OrderedDict[int, tuple]" = OrderedDict()
_ml_lock = threading.Lock()


def _sized_model(width: int) -> tuple:
    """Weights and the 1024-row input pool of a width, generated at its first request and kept.

    The model stream (seed 0x4d4c0000 + width) gives w1 (input-major, width x width), b1, w2 (width x 10)
    and b2, each divided by sqrt(width); the input stream (seed 0x494e0000 + width) the pool, row by row.
    Generating them stands for loading a model and receiving a batch: it is not the measured work.
    """
    with _ml_lock:
        model = _ml_models.get(width)
        if model is not None:
            _ml_models.move_to_end(width)
            return model
        seed, scale = 0x4D4C0000 + width, math.sqrt(width)
        sizes = (width * width, width, width * ML_SIZED_CLASSES, ML_SIZED_CLASSES)
        values = prng_signed(seed, 0, sum(sizes)) / scale
        w1, b1, w2, b2 = np.split(values, np.cumsum(sizes)[:-1])
        inputs = prng_signed(0x494E0000 + width, 0, _ML_POOL_ROWS * width).reshape(_ML_POOL_ROWS, width)
        model = (w1.reshape(width, width), b1, w2.reshape(width, ML_SIZED_CLASSES), b2, inputs)
        _ml_models[width] = model
        if len(_ml_models) > _ML_KEEP:
            _ml_models.popitem(last=False)
        return model


def ml_sized_answer(batch: int, width: int) -> dict:
    """Forward pass of the width's MLP on the first `batch` rows of its input pool: two matrix products."""
    w1, b1, w2, b2, inputs = _sized_model(width)
    hidden = np.maximum(inputs[:batch] @ w1 + b1, 0.0)
    logits = hidden @ w2 + b2
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = exp / exp.sum(axis=1, keepdims=True)
    # The checksum adds up each row's expected class index, sum_k k * p_k: every probability counts.
    checksum = float((probabilities @ np.arange(ML_SIZED_CLASSES, dtype=np.float64)).sum())
    return {
        "batch": batch,
        "width": width,
        "classes": logits.argmax(axis=1).tolist(),
        "checksum": round(checksum, 6),
    }


def ml_sized_request(raw_batch: "str | None", raw_width: "str | None") -> dict:
    """GET /ml/sized from its raw query values; BadRequest for a 400."""
    return ml_sized_answer(int_param(raw_batch, ML_SIZED_BATCH), int_param(raw_width, ML_SIZED_WIDTH))


# ---------------------------------------------------------------- data at size

DATA_SIZED_ROWS = ("rows", 10000, 1000000, 50000)
DATA_OPS = ("groupby", "join", "sort")
DATA_IMPLS = ("pandas",)
_EXTENSION_SEED = 0x5A1E5000
_REGIONS = ("central", "east", "north", "south", "west")
_CATEGORIES = ("books", "games", "music", "tools")
_TOP_IDS = 100
_CHECKSUM_MOD = 2**31

# The join's dimension table: category -> margin_pct, team. The same categorical dtype as the sales column,
# so merge matches category codes rather than strings.
CATEGORIES = pd.read_csv(
    shared_dir() / "categories.csv",
    dtype={"category": SALES["category"].dtype, "margin_pct": "int64", "team": "category"},
)
CATEGORIES["team"] = CATEGORIES["team"].cat.reorder_categories(sorted(CATEGORIES["team"].cat.categories))
if CATEGORIES["category"].isna().any() or set(CATEGORIES["category"]) != set(SALES["category"].cat.categories):
    raise RuntimeError("categories.csv must list each category of sales.csv exactly once")

_big_sales: "pd.DataFrame | None" = None
_big_lock = threading.Lock()


def _sales_extension(rows: int) -> pd.DataFrame:
    """Rows len(SALES)+1 .. rows: draws 4k+1..4k+4 of the extension stream are region, category, units, price,
    each mapped to lo..hi as the generator of sales.csv does: lo + floor(u / 2^32 * (hi - lo + 1))."""
    first = len(SALES)
    count = rows - first
    columns = np.empty((count, 4), dtype=np.int64)
    spans = np.array([len(_REGIONS), len(_CATEGORIES), 20, 99999 - 99 + 1], dtype=np.float64)
    # In blocks, so the temporaries stay small: the process keeps its peak memory, whatever it frees after.
    block = 65536
    for start in range(0, count, block):
        n = min(block, count - start)
        u = prng_draws(_EXTENSION_SEED, 4 * start, 4 * n).reshape(n, 4) / 4294967296.0
        columns[start : start + n] = np.floor(u * spans)
    return pd.DataFrame(
        {
            "id": np.arange(first + 1, rows + 1, dtype=np.int64),
            "region": pd.Categorical.from_codes(columns[:, 0], dtype=SALES["region"].dtype),
            "category": pd.Categorical.from_codes(columns[:, 1], dtype=SALES["category"].dtype),
            "units": columns[:, 2] + 1,
            "price_cents": columns[:, 3] + 99,
        }
    )


def sales_with(rows: int) -> pd.DataFrame:
    """A frame holding at least `rows` rows: SALES when it is enough, else the 1M-row frame, made once.

    Generated in this process at the first request that needs it (about 0.3 s and 25 MB here) rather than at start:
    the headline workloads keep their start time and memory, and no 25 MB file is written or read.
    """
    global _big_sales
    if rows <= len(SALES):
        return SALES
    with _big_lock:
        if _big_sales is None:
            labels = (tuple(SALES["region"].cat.categories), tuple(SALES["category"].cat.categories))
            if labels != (_REGIONS, _CATEGORIES):
                raise RuntimeError("sales.csv labels differ from the generator of the rows beyond it")
            extension = _sales_extension(DATA_SIZED_ROWS[2])
            _big_sales = pd.concat([SALES, extension], ignore_index=True)
        return _big_sales


def _join(frame: pd.DataFrame) -> list:
    joined = frame.merge(CATEGORIES, on="category", how="left")
    revenue = joined["units"] * joined["price_cents"]
    joined = joined.assign(revenue_cents=revenue, margin=revenue * joined["margin_pct"])
    grouped = (
        joined.groupby(["region", "team"], observed=True)
        .agg(
            orders=("id", "size"),
            units=("units", "sum"),
            revenue_cents=("revenue_cents", "sum"),
            margin=("margin", "sum"),
        )
        .sort_index()
    )
    return [
        {
            "region": str(region),
            "team": str(team),
            "orders": int(orders),
            "units": int(units),
            "revenue_cents": int(revenue),
            # The sum of revenue * margin_pct is exact in int64; cents of margin are its floor over 100.
            "margin_cents": int(margin) // 100,
        }
        for (region, team), orders, units, revenue, margin in zip(
            grouped.index, grouped["orders"], grouped["units"], grouped["revenue_cents"], grouped["margin"]
        )
    ]


def _sort(frame: pd.DataFrame) -> dict:
    ranked = frame.assign(revenue_cents=frame["units"] * frame["price_cents"]).sort_values(
        ["revenue_cents", "id"], ascending=[False, True]
    )
    ids = ranked["id"].to_numpy()
    # sum of position * id: at most 5e17 for 1M rows, exact in int64 before the modulo.
    positions = np.arange(1, len(ids) + 1, dtype=np.int64)
    return {"top_ids": ids[:_TOP_IDS].tolist(), "checksum": int((positions * ids).sum() % _CHECKSUM_MOD)}


def data_sized_answer(rows: int, op: str) -> dict:
    """GET /data/sized on the first `rows` rows: the group-by of /data, the join, or the sort (pandas)."""
    frame = sales_with(rows).head(rows)
    if op == "groupby":
        return {"rows": rows, "op": op, "groups": _groupby(frame)}
    if op == "join":
        return {"rows": rows, "op": op, "groups": _join(frame)}
    return {"rows": rows, "op": op, **_sort(frame)}


def _choice(raw: "str | None", name: str, allowed: tuple) -> str:
    if raw is None:
        return allowed[0]
    if raw not in allowed:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}")
    return raw


def data_sized_request(raw_rows: "str | None", raw_op: "str | None", raw_impl: "str | None") -> dict:
    """GET /data/sized from its raw query values; BadRequest for a 400 (impl: only pandas here)."""
    rows = int_param(raw_rows, DATA_SIZED_ROWS)
    op = _choice(raw_op, "op", DATA_OPS)
    _choice(raw_impl, "impl", DATA_IMPLS)
    return data_sized_answer(rows, op)


# ---------------------------------------------------------------- /info: what computes the answers

_BLAS_ENV = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "STACKBENCH_BLAS_THREADS",
)


def _loaded_blas_path() -> "str | None":
    """The BLAS shared library this process mapped (NumPy loads it at import), from /proc/self/maps."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6}
    except OSError:
        return None
    blas = sorted(p for p in paths if "blas" in os.path.basename(p).lower())
    return blas[0] if blas else None


def blas_info() -> dict:
    """The BLAS behind NumPy: library, version, kernel architecture and threads, as threadpoolctl reports them.

    threadpoolctl recognises OpenBLAS, MKL and BLIS. Anything else (Debian's reference BLAS, libblas3, which
    is what python3-numpy uses unless libopenblas0 is installed) it does not list: then the library is named
    from its path, and the reference BLAS is single-threaded.
    """
    env = {name: os.environ.get(name) for name in _BLAS_ENV}
    found = [lib for lib in threadpoolctl.threadpool_info() if lib.get("user_api") == "blas"]
    if found:
        lib = found[0]
        return {
            "library": lib.get("internal_api"),
            "version": lib.get("version"),
            "architecture": lib.get("architecture"),
            "threading_layer": lib.get("threading_layer"),
            "threads": lib.get("num_threads"),
            "path": lib.get("filepath"),
            "env": env,
        }
    path = _loaded_blas_path()
    reference = path is not None and "/blas/libblas.so" in path
    version = re.search(r"\.so\.([0-9.]+)$", path or "")
    return {
        "library": "reference (netlib)" if reference else "unknown",
        "version": version.group(1) if version else None,
        "architecture": None,
        "threading_layer": None,
        "threads": 1 if reference else None,
        "path": path,
        "env": env,
    }


def info_answer() -> dict:
    """GET /info: the interpreter and the libraries that compute /data and /ml, and the BLAS facts."""
    return {
        "python": ".".join(str(part) for part in sys.version_info[:3]),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "blas": blas_info(),
        "data_impls": list(DATA_IMPLS),
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
