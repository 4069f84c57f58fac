"""SMS delivery. `console` logs the message (development only); `webhook` POSTs it to a gateway;
`tencent` calls Tencent Cloud SMS directly.

`console` shows the whole message, code included, only when LINLI_ENV=development: that is how a
developer signs in without a phone. Under `test` it logs the template and a masked number, and
keeps the messages in memory (`sent`) for the tests to read; production refuses `console`.

The webhook body is `{"phone", "template", "params"}`, the shape most Chinese SMS gateways
(Aliyun, Tencent Cloud) take behind a small relay that holds the vendor credentials.

Tencent Cloud SMS (`SendSms`, API version 2021-01-11) is called with its own request signing,
TC3-HMAC-SHA256 (`tc3_authorization`, checked against the example in Tencent's documentation).
Its templates are numbered and take positional parameters, so each of our template names
(`login_code`, `order.accept`, …) maps to a Tencent template id and the names of the parameters
in its order (`LINLI_TENCENT_SMS_TEMPLATES`). A template without a mapping is not sent (logged).

A gateway that times out, refuses the connection or answers 5xx/429 is tried again with
exponential backoff and jitter (`RetryingSms`), so a one-time code is not lost to one slow
answer; a 4xx other than 429 is the request's fault and is not retried.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from backend.settings import Settings, TencentSmsSettings
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


class SmsRefused(Exception):
    """The provider said no for a reason a retry will not change (bad number, no template…)."""


class SmsBusy(Exception):
    """The provider answered, but asks to try again later (its internal error, rate limit)."""


TC3 = "TC3-HMAC-SHA256"


def tc3_authorization(
    *,
    secret_id: str,
    secret_key: str,
    service: str,
    host: str,
    timestamp: int,
    payload: bytes,
    content_type: str = "application/json; charset=utf-8",
) -> str:
    """The `Authorization` header of a Tencent Cloud API 3.0 POST (signature v3, TC3-HMAC-SHA256),
    signing the content-type and host headers and the body."""
    canonical_request = "\n".join(
        (
            "POST",
            "/",
            "",  # no query string on a POST
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload).hexdigest(),
        )
    )
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")  # UTC, not local time
    scope = f"{day}/{service}/tc3_request"
    string_to_sign = "\n".join(
        (TC3, str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest())
    )

    def mac(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    signing_key = mac(mac(mac(f"TC3{secret_key}".encode(), day), service), "tc3_request")
    signature = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"{TC3} Credential={secret_id}/{scope}, SignedHeaders=content-type;host, "
        f"Signature={signature}"
    )


def e164(phone: str) -> str:
    """Tencent wants +<country><number>; our phones are mainland numbers unless they say so."""
    return phone if phone.startswith("+") else f"+86{phone}"


class TencentSms:
    """Tencent Cloud SMS `SendSms`: one number, one template, its parameters in order."""

    ACTION, VERSION = "SendSms", "2021-01-11"
    # Error codes that mean "not now" rather than "never" (Tencent answers them with HTTP 200).
    BUSY = ("InternalError", "RequestLimitExceeded", "FailedOperation.ContainSensitiveWord.Busy")

    def __init__(
        self,
        config: TencentSmsSettings,
        *,
        timeout: float = 5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.timeout = timeout
        self.clock = clock

    async def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        mapping = self.config.templates.get(template)
        if not mapping:
            raise SmsRefused(f"no Tencent template configured for {template!r}")
        template_id, *names = mapping
        body = {
            "PhoneNumberSet": [e164(phone)],
            "SmsSdkAppId": self.config.app_id,
            "SignName": self.config.sign_name,
            "TemplateId": template_id,
            "TemplateParamSet": [params.get(name, "") for name in names],
        }
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        host = urlsplit(self.config.endpoint).netloc
        timestamp = int(self.clock())
        headers = {
            "Authorization": tc3_authorization(
                secret_id=self.config.secret_id,
                secret_key=self.config.secret_key,
                service="sms",
                host=host,
                timestamp=timestamp,
                payload=payload,
            ),
            "Content-Type": "application/json; charset=utf-8",
            "Host": host,
            "X-TC-Action": self.ACTION,
            "X-TC-Version": self.VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.config.region,
        }
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            answer = await client.post(self.config.endpoint, content=payload, headers=headers)
        answer.raise_for_status()
        result = answer.json().get("Response", {})
        if error := result.get("Error"):
            code = str(error.get("Code", ""))
            problem = f"Tencent SMS {code}: {error.get('Message', '')}"
            raise SmsBusy(problem) if code.startswith(self.BUSY) else SmsRefused(problem)
        for status in result.get("SendStatusSet", []):
            if status.get("Code") != "Ok":  # e.g. a daily limit for that number: not retried
                raise SmsRefused(f"Tencent SMS {status.get('Code')}: {status.get('Message', '')}")


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, SmsBusy):
        return True
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
    if settings.sms_backend == "tencent" and settings.tencent_sms is not None:
        return RetryingSms(TencentSms(settings.tencent_sms))
    return ConsoleSms(reveal=settings.env == "development")
