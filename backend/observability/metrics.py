"""Prometheus metrics at /metrics, through Litestar's Prometheus plugin.

The plugin's middleware counts requests and times them (`linli_requests_total`,
`linli_request_duration_seconds` by method, route template and status). The scrape handler
adds what the middleware cannot see: orders by status and the work queues (read from the
database, at most every `CACHE_SECONDS` per process so N processes scraped often do not load
it), the connection pool in use, and the open live-event (SSE) streams of this process. Several
workers in one container share numbers through PROMETHEUS_MULTIPROC_DIR, as the plugin's
exposition does. With LINLI_METRICS_TOKEN set, a scraper must present it as a bearer token.
"""

from __future__ import annotations

import hmac
import os
import time
from contextlib import suppress

from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    generate_latest,
    multiprocess,
)
from sqlalchemy.exc import SQLAlchemyError

from backend.db import Database
from backend.errors import Unauthorized
from backend.notify.stream import open_connections
from backend.observability.service import orders_by_status, queue_depths

CACHE_SECONDS = 10.0
STATUSES = (
    "submitted",
    "dispatched",
    "accepted",
    "in_progress",
    "completed",
    "closed",
    "rejected",
    "cancelled",
)

prometheus = PrometheusConfig(
    app_name="linli",
    prefix="linli",
    group_path=True,  # label by route template, not by order id: bounded cardinality
    # An event stream is open for an hour: its "duration" would only skew the latency
    # histogram, and the middleware's wrapper would cost every event sent on every stream
    # (10,000 streams: 10,000 calls an event). Open streams are the linli_sse_connections gauge.
    exclude=["^/metrics", "^/health", "^/api/v1/events"],
    buckets=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
)

ORDERS = Gauge("linli_orders", "Orders by status", ["status"], multiprocess_mode="mostrecent")
QUEUE = Gauge(
    "linli_queue_depth",
    "Orders waiting on people, by queue",
    ["queue"],
    multiprocess_mode="mostrecent",
)
DB_IN_USE = Gauge(
    "linli_db_connections_in_use",
    "Database connections checked out of this process's pool",
    multiprocess_mode="livesum",
)

SSE_CONNECTIONS = Gauge(
    "linli_sse_connections",
    "Open live-event (server-sent events) streams",
    multiprocess_mode="livesum",  # the sum over the processes that are running
)


async def _refresh(state: State) -> None:
    database: Database = state.database
    DB_IN_USE.set(database.writer.pool.checkedout())
    if time.monotonic() - state.get("metrics_read_at", -CACHE_SECONDS) < CACHE_SECONDS:
        return
    async with database.reader_sessions() as session:
        counts = await orders_by_status(session)
        depths = await queue_depths(session)
    for status in sorted({*STATUSES, *counts}):
        ORDERS.labels(status).set(counts.get(status, 0))
    for queue, depth in depths.items():
        QUEUE.labels(queue).set(depth)
    state.metrics_read_at = time.monotonic()


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@get(
    "/metrics",
    operation_id="metrics",
    include_in_schema=False,
    exclude_from_auth=True,
    tags=["health"],
)
async def metrics(request: Request) -> Response[bytes]:
    """Prometheus text exposition; database readings are skipped when the database is down."""
    token = request.app.state.settings.metrics_token
    if token:  # scrapers send it as `authorization: Bearer …` (Prometheus: `authorization:`)
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise Unauthorized("metrics.unauthorized", "a metrics token is required")
    SSE_CONNECTIONS.set(open_connections())  # no database needed: counted in memory
    # The request counters still matter most when the database is the problem.
    with suppress(SQLAlchemyError, OSError):
        await _refresh(request.app.state)
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)
