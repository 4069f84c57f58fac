"""Helpers that drive the real API the way a client would: sign in, order, act."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from httpx import Response
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.audit.models import AuditEntry

ADMIN, RESIDENT, WORKER, PARTY, VOLUNTEER, PROVIDER_STAFF, REVIEWER = (
    "13800000000",
    "13800000001",
    "13800000002",
    "13800000003",
    "13800000004",
    "13800000005",
    "13800000006",
)
RESIDENT2, WORKER2, VOLUNTEER2 = "13800000011", "13800000012", "13800000013"
PASSWORD = "demo1234"

# The world is reseeded identically before every test, so a token stays valid for the session.
_token_cache: dict[str, str] = {}


class Api:
    def __init__(
        self,
        client: AsyncTestClient,
        world: dict,
        app: Litestar,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self.client = client
        self.sessions = sessions
        self.world = world
        self.app = app
        self._categories: dict[tuple[str, str], int] = {}

    async def token(self, phone: str, *, fresh: bool = False) -> str:
        if fresh or phone not in _token_cache:
            answer = await self.client.post(
                "/api/v1/auth/token", json={"phone": phone, "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            _token_cache[phone] = answer.json()["access_token"]
        return _token_cache[phone]

    async def headers(self, phone: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(phone)}", **extra}

    async def get(self, phone: str, url: str, **params: Any) -> Response:
        return await self.client.get(url, params=params, headers=await self.headers(phone))

    async def post(self, phone: str, url: str, body: Any = None, **headers: str) -> Response:
        return await self.client.post(
            url, json=body if body is not None else {}, headers=await self.headers(phone, **headers)
        )

    async def category(self, code: str, community: str = "demo") -> int:
        if (community, code) not in self._categories:
            phone = RESIDENT if community == "demo" else RESIDENT2
            answer = await self.get(
                phone, f"/api/v1/communities/{self.world[community]}/categories"
            )
            assert answer.status_code == 200, answer.text
            for item in answer.json():
                self._categories[(community, item["code"])] = item["id"]
        return self._categories[(community, code)]

    async def order(
        self, phone: str = RESIDENT, code: str = "errand", community: str = "demo", **fields: Any
    ) -> dict:
        body = {
            "community_id": self.world[community],
            "category_id": await self.category(code, community),
            "description": "帮忙买一袋米",
            **fields,
        }
        answer = await self.post(phone, "/api/v1/orders", body)
        assert answer.status_code == 201, answer.text
        return answer.json()

    async def act(self, phone: str, order_id: int, action: str, body: Any = None) -> Response:
        return await self.post(phone, f"/api/v1/orders/{order_id}/{action}", body)

    async def audit_actions(self) -> list[str]:
        """Every audit entry's action so far, oldest first."""
        async with self.sessions() as session:
            return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))

    async def pooled(self, code: str = "errand") -> dict:
        order = await self.order(code=code)
        answer = await self.act(WORKER, order["id"], "dispatch", {"mode": "pool"})
        assert answer.status_code == 200, answer.text
        return answer.json()


def uscc(body17: str) -> str:
    """A 统一社会信用代码 with its check character (GB 32100-2015), computed here on its own so
    that tests do not borrow the validator they test."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(alphabet.index(c) * w for c, w in zip(body17, weights, strict=True))
    return body17 + alphabet[(31 - total % 31) % 31]


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class Device:
    """A browser's side of a push subscription: its own keys, to decrypt what arrives."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def subscription(self) -> dict:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        keys = {"p256dh": b64(point), "auth": b64(self.auth)}
        return {"endpoint": self.endpoint, "keys": keys, "expirationTime": None}

    def read(self, body: bytes) -> dict:
        clear = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(clear)
