"""Fifty volunteers claim one pooled order at the same instant: exactly one wins."""

from __future__ import annotations

import asyncio

from backend.auth.models import Membership, User
from tests.factories import PASSWORD, Api


async def _fifty_volunteers(api: Api, demo_hash: str) -> list[str]:
    phones = [f"1370000{n:04d}" for n in range(50)]
    async with api.sessions() as session:
        for n, phone in enumerate(phones):
            user = User(phone=phone, name=f"志愿者{n}", password_hash=demo_hash)
            session.add(user)
            await session.flush()
            session.add(
                Membership(user_id=user.id, community_id=api.world["demo"], role="volunteer")
            )
        await session.commit()
    return phones


async def test_fifty_concurrent_claims_give_exactly_one_winner(api: Api, demo_hash: str) -> None:
    phones = await _fifty_volunteers(api, demo_hash)
    tokens = await asyncio.gather(
        *(
            api.client.post("/api/v1/auth/token", json={"phone": p, "password": PASSWORD})
            for p in phones
        )
    )
    order = await api.pooled()
    answers = await asyncio.gather(
        *(
            api.client.post(
                f"/api/v1/orders/{order['id']}/accept",
                json={},
                headers={"Authorization": f"Bearer {t.json()['access_token']}"},
            )
            for t in tokens
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [409] * 49, codes
    losers = [a.json()["code"] for a in answers if a.status_code == 409]
    assert set(losers) <= {"order.already_claimed", "order.illegal_transition"}
    winner = next(a.json() for a in answers if a.status_code == 200)
    assert winner["status"] == "accepted"
    accepts = [e for e in winner["timeline"] if e["action"] == "accept"]
    assert len(accepts) == 1 and accepts[0]["actor"]["id"] == winner["assignee"]["id"]
