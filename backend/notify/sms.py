"""SMS delivery. `console` logs the message (development only); `webhook` POSTs it to a gateway.

The webhook body is `{"phone", "template", "params"}`, the shape most Chinese SMS gateways
(Aliyun, Tencent Cloud) take behind a small relay that holds the vendor credentials.
"""

from __future__ import annotations

import logging
from typing import Protocol

import httpx

from backend.settings import Settings

log = logging.getLogger("linli.sms")


class SmsSender(Protocol):
    async def send(self, phone: str, template: str, params: dict[str, str]) -> None: ...


class ConsoleSms:
    async def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        # Development only: settings refuse this backend in production.
        log.warning("SMS to %s [%s] %s", phone, template, params)


class WebhookSms:
    def __init__(self, url: str) -> None:
        self.url = url

    async def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.post(
                self.url, json={"phone": phone, "template": template, "params": params}
            )
            answer.raise_for_status()


def make_sms_sender(settings: Settings) -> SmsSender:
    if settings.sms_backend == "webhook":
        return WebhookSms(settings.sms_webhook_url)
    return ConsoleSms()
