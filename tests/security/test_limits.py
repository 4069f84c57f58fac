"""Abuse limits: one-time codes per phone and per address, sign-in attempts, orders per hour;
429 with Retry-After, counted in memory (one process) or in Redis (several)."""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.security.limits import RateLimiter, RedisCounter
from backend.settings import DEFAULT_LIMITS, Settings
from tests.factories import PASSWORD, RESIDENT, WORKER, Api

TIGHT = {
    **{name: (1000, seconds) for name, (_, seconds) in DEFAULT_LIMITS.items()},
    "otp_phone": (2, 3600),
    "otp_ip": (3, 3600),
    "signin_phone": (3, 900),
    "order_create": (2, 3600),
}


@pytest.fixture
async def tight(settings: Settings, world: dict) -> AsyncIterator[AsyncTestClient]:
    app = create_app(dataclasses.replace(settings, rate_limits=TIGHT, otp_resend_seconds=0))
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as client:
        yield client


def _refused(answer, code: str) -> int:
    assert answer.status_code == 429, answer.text
    assert answer.json()["code"] == code
    retry = int(answer.headers["retry-after"])
    assert 0 < retry <= 3600
    return retry


async def test_codes_per_phone_then_per_address(tight: AsyncTestClient) -> None:
    for _ in range(2):
        assert (
            await tight.post("/api/v1/auth/otp", json={"phone": "13911110000"})
        ).status_code == 202
    _refused(await tight.post("/api/v1/auth/otp", json={"phone": "13911110000"}), "rate.otp_phone")
    # the third phone from the same address still gets through; the fourth is one too many
    assert (await tight.post("/api/v1/auth/otp", json={"phone": "13911110001"})).status_code == 429
    _refused(await tight.post("/api/v1/auth/otp", json={"phone": "13911110002"}), "rate.otp_ip")


async def test_sign_in_attempts_per_phone(tight: AsyncTestClient) -> None:
    for _ in range(3):
        wrong = await tight.post("/api/v1/auth/token", json={"phone": RESIDENT, "password": "x"})
        assert wrong.status_code == 401
    # even the right password waits now: guessing stopped, whoever is guessing
    right = await tight.post("/api/v1/auth/token", json={"phone": RESIDENT, "password": PASSWORD})
    _refused(right, "rate.signin_phone")


async def test_orders_per_account_per_hour(tight: AsyncTestClient, api: Api) -> None:
    body = {
        "community_id": api.world["demo"],
        "category_id": await api.category("errand"),
        "description": "买米",
    }
    for phone in (RESIDENT, WORKER):
        headers = await api.headers(phone)
        for _ in range(2):
            assert (
                await tight.post("/api/v1/orders", json=body, headers=headers)
            ).status_code == 201
        answer = await tight.post("/api/v1/orders", json=body, headers=headers)
        _refused(answer, "rate.order_create")


async def test_limits_are_configured_from_the_environment(monkeypatch) -> None:
    from backend.settings import SettingsError, load_settings

    monkeypatch.setenv("LINLI_RATE_ORDER_CREATE", "7/60")
    assert load_settings().rate_limits["order_create"] == (7, 60)
    monkeypatch.setenv("LINLI_RATE_ORDER_CREATE", "lots")
    with pytest.raises(SettingsError):
        load_settings()


async def test_redis_counts_across_processes() -> None:
    url = os.environ.get("LINLI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    first, second = RedisCounter(url), RedisCounter(url)  # two processes, one budget
    try:
        await first._redis.ping()
    except OSError as exc:
        await first.close()
        await second.close()
        pytest.skip(f"Redis unreachable at {url}: {exc}")
    key = uuid.uuid4().hex
    try:
        limits = {"order_create": (2, 60)}
        await RateLimiter(first, limits).check("order_create", key)
        await RateLimiter(second, limits).check("order_create", key)
        with pytest.raises(Exception) as refused:
            await RateLimiter(first, limits).check("order_create", key)
        assert refused.value.headers["Retry-After"] in {str(s) for s in range(1, 61)}
    finally:
        await first.close()
        await second.close()
