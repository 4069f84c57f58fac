"""Request ids in answers and logs, JSON log lines, and the Prometheus metrics an operator reads."""

from __future__ import annotations

import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

from backend.observability.logs import JsonFormatter
from tests.factories import RESIDENT, WORKER, Api


async def test_an_error_answer_names_the_request_id_the_proxy_gave(api: Api) -> None:
    headers = {**await api.headers(RESIDENT), "X-Request-ID": "caddy-7f3a9c21"}
    answer = await api.client.get("/api/v1/orders/999999", headers=headers)
    assert answer.status_code == 404
    assert answer.json()["request_id"] == "caddy-7f3a9c21"
    assert answer.headers["x-request-id"] == "caddy-7f3a9c21"


async def test_every_answer_gets_a_fresh_id_when_none_or_a_bad_one_came(api: Api) -> None:
    unknown = await api.client.get("/api/v1/nowhere", headers={"X-Request-ID": "bad id\n"})
    assert unknown.status_code == 404
    assert len(unknown.json()["request_id"]) == 32
    assert unknown.headers["x-request-id"] == unknown.json()["request_id"]
    invalid = await api.post(RESIDENT, "/api/v1/orders", {"community_id": "x"})
    assert invalid.status_code == 422 and invalid.json()["request_id"]
    assert invalid.json()["request_id"] != unknown.json()["request_id"]
    ok = await api.client.get("/health/live")
    assert len(ok.headers["x-request-id"]) == 32


async def test_log_lines_are_json_and_carry_the_request_id(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {**await api.headers(WORKER), "X-Request-ID": "trace-0000-1111"}
    with caplog.at_level(logging.INFO, logger="linli.access"):
        await api.client.get("/api/v1/orders", params={"view": "community"}, headers=headers)
    records = [r for r in caplog.records if getattr(r, "request_id", None) == "trace-0000-1111"]
    assert records, "the access log line carries the request id"
    line = json.loads(JsonFormatter().format(records[-1]))
    assert line["request_id"] == "trace-0000-1111"
    assert line["path"] == "/api/v1/orders" and line["status"] == 200
    assert line["level"] == "info" and line["logger"] == "linli.access"


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_metrics_show_traffic_latency_orders_by_status_and_queues(api: Api) -> None:
    first = await api.order()
    await api.order()
    await api.act(WORKER, first["id"], "dispatch", {"mode": "pool"})
    api.app.state.pop("metrics_read_at", None)  # the per-process cache of database readings

    answer = await api.client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    samples = _samples(answer.text)
    assert samples[("linli_orders", (("status", "submitted"),))] == 1
    assert samples[("linli_orders", (("status", "dispatched"),))] == 1
    assert samples[("linli_orders", (("status", "closed"),))] == 0
    assert samples[("linli_queue_depth", (("queue", "awaiting_dispatch"),))] == 1
    assert samples[("linli_queue_depth", (("queue", "order_hall"),))] == 1
    created = [
        v
        for (name, labels), v in samples.items()
        if name == "linli_requests_total"
        and ("path", "/api/v1/orders") in labels
        and ("method", "POST") in labels
        and ("status_code", "201") in labels
    ]
    assert created and created[0] >= 2
    buckets = [
        labels
        for (name, labels), _ in samples.items()
        if name == "linli_request_duration_seconds_bucket"
        and ("path", "/api/v1/orders/{order_id}/dispatch") in labels
    ]
    assert buckets
    # Order ids never become label values (bounded cardinality).
    assert not any(f"/api/v1/orders/{first['id']}" in str(labels) for _, labels in samples)


async def test_metrics_can_require_a_scrape_token(api: Api) -> None:
    from dataclasses import replace

    from litestar.testing import AsyncTestClient

    from backend.app import create_app

    settings = replace(api.app.state.settings, metrics_token="scrape-secret-1234")
    async with AsyncTestClient(app=create_app(settings)) as client:
        refused = await client.get("/metrics")
        assert refused.status_code == 401 and refused.json()["code"] == "metrics.unauthorized"
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-1234"})
        assert ok.status_code == 200 and "linli_orders" in ok.text
