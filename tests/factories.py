"""Helpers that drive the real API the way a client would: sign in, order, act."""

from __future__ import annotations

from typing import Any

from httpx import Response
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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

    async def pooled(self, code: str = "errand") -> dict:
        order = await self.order(code=code)
        answer = await self.act(WORKER, order["id"], "dispatch", {"mode": "pool"})
        assert answer.status_code == 200, answer.text
        return answer.json()
