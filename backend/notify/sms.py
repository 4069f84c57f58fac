"""SMS delivery. `console` logs the message (development only); `webhook` POSTs it to a gateway.

`console` shows the whole message, code included, only when LINLI_ENV=development: that is how a
developer signs in without a phone. Under `test` it logs the template and a masked number, and
keeps the messages in memory (`sent`) for the tests to read; production refuses `console`.

The webhook body is `{"phone", "template", "params"}`, the shape most Chinese SMS gateways
(Aliyun, Tencent Cloud) take behind a small relay that holds the vendor credentials.

A gateway that times out, refuses the connection or answers 5xx/429 is tried again with
exponential backoff and jitter (`RetryingSms`), so a one-time code is not lost to one slow
answer; a 4xx other than 429 is the request's fault and is not retried.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from typing import Protocol

import httpx

from backend.settings import Settings
from backend.validation import mask_phone

log = logging.getLogger("linli.sms")


class SmsSender(Protocol):
    async def send(self, phone: str, template: str, params: dict[str, str]) -> None: ...


class ConsoleSms:
    def __init__(self, *, reveal: bool) -> None:
        self.reveal = reveal
        self.sent: deque[tuple[str, str, dict[str, str]]] = deque(maxlen=100)

    async def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        self.sent.append((phone, template, dict(params)))
        if self.reveal:  # development: the code is how the developer signs in
            log.warning("SMS to %s [%s] %s", phone, template, params)
        else:
            log.info("SMS to %s [%s] (content withheld)", mask_phone(phone), template)


class WebhookSms:
    def __init__(self, url: str, *, timeout: float = 5) -> None:
        self.url = url
        self.timeout = timeout

    async def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            answer = await client.post(
                self.url, json={"phone": phone, "template": template, "params": params}
            )
            answer.raise_for_status()


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
        return status >= 500 or status == 429
    return isinstance(exc, httpx.TransportError)  # timeouts, refused or reset connections


class RetryingSms:
    """Another sender, tried up to `attempts` times; waits `base_delay` · 2^n (± jitter)."""

    def __init__(self, inner: SmsSender, *, attempts: int = 4, base_delay: float = 0.5) -> None:
        self.inner = inner
        self.attempts = attempts
        self.base_delay = base_delay

    async def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        for attempt in range(self.attempts):
            try:
                await self.inner.send(phone, template, params)
                return
            except Exception as exc:
                if attempt + 1 == self.attempts or not _retryable(exc):
                    raise
                delay = self.base_delay * 2**attempt * random.uniform(0.8, 1.2)  # noqa: S311
                log.warning("SMS to %s failed (%s); retry in %.1f s", phone, exc, delay)
                await asyncio.sleep(delay)


def make_sms_sender(settings: Settings) -> SmsSender:
    if settings.sms_backend == "webhook":
        return RetryingSms(WebhookSms(settings.sms_webhook_url))
    return ConsoleSms(reveal=settings.env == "development")
