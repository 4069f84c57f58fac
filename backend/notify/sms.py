"""SMS delivery. `console` logs the message (development only); `webhook` POSTs it to a gateway.

`console` shows the whole message, code included, only when LINLI_ENV=development: that is how a
developer signs in without a phone. Under `test` it logs the template and a masked number, and
keeps the messages in memory (`sent`) for the tests to read; production refuses `console`.

The webhook body is `{"phone", "template", "params"}`, the shape most Chinese SMS gateways
(Aliyun, Tencent Cloud) take behind a small relay that holds the vendor credentials.
"""

from __future__ import annotations

import logging
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
    return ConsoleSms(reveal=settings.env == "development")
