"""Helpers for micro-venture tests: open a round whose every phase date has passed (so an admin
may move it at once), draft and submit proposals, seat extra reviewers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from backend.auth.models import Membership, StreetRole, User
from backend.db import utcnow
from backend.places.models import Community
from tests.factories import ADMIN, PARTY, RESIDENT, REVIEWER, WORKER, Api

OFFSETS = {
    "collecting": 40,
    "supporting": 35,
    "reviewing": 30,
    "announcing": 25,
    "implementing": 19,
    "evaluating": 10,
    "closed": 5,
}


def past_schedule() -> dict[str, str]:
    now = utcnow()
    return {f"{p}_from": (now - timedelta(days=d)).isoformat() for p, d in OFFSETS.items()}


async def open_round(api: Api, **fields: Any) -> dict:
    body = {
        "title": "2026 金点子",
        "community_id": api.world["demo"],
        "pool_fen": 3_000_000,
        "support_threshold": 2,
        **past_schedule(),
        **fields,
    }
    answer = await api.post(ADMIN, "/api/v1/ventures/rounds", body)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def advance(api: Api, round_id: int, to: str, phone: str = ADMIN) -> dict:
    answer = await api.post(phone, f"/api/v1/ventures/rounds/{round_id}/advance", {"to": to})
    assert answer.status_code == 200, answer.text
    return answer.json()


def draft_body(total_yuan: int = 10_000, **fields: Any) -> dict:
    return {
        "title": "楼道助老扶手",
        "problem": "老人上下楼困难",
        "plan": "在 3 个单元安装扶手",
        "beneficiaries": "高龄独居老人",
        "beneficiary_count": 40,
        "team": "张秀英、李建国",
        "budget_lines": [
            {"item": "扶手材料", "quantity": 10, "unit_price_fen": total_yuan * 6},
            {"item": "安装人工", "quantity": 4, "unit_price_fen": total_yuan * 10},
        ],
        **fields,
    }


async def draft(api: Api, round_id: int, phone: str = RESIDENT, **fields: Any) -> dict:
    answer = await api.post(
        phone, f"/api/v1/ventures/rounds/{round_id}/proposals", draft_body(**fields)
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def submitted(api: Api, round_id: int, phone: str = RESIDENT, **fields: Any) -> dict:
    """A proposal drafted, submitted and found eligible by the demo worker."""
    proposal = await draft(api, round_id, phone, **fields)
    url = f"/api/v1/ventures/proposals/{proposal['id']}"
    assert (await api.post(phone, f"{url}/submit")).status_code == 200
    answer = await api.post(WORKER, f"{url}/eligibility", {"eligible": True})
    assert answer.status_code == 200, answer.text
    return answer.json()


async def add_reviewer(api: Api, phone: str, name: str, *, resident: bool = False) -> int:
    """Another street reviewer (the demo street has one), perhaps also a resident of demo;
    answers the user id."""
    async with api.sessions() as session:
        street_id = await session.scalar(
            select(Community.street_id).where(Community.id == api.world["demo"])
        )
        demo = await session.scalar(select(User).where(User.phone == RESIDENT))
        user = User(phone=phone, name=name, password_hash=demo.password_hash)
        session.add(user)
        await session.flush()
        session.add(StreetRole(user_id=user.id, street_id=street_id, role="reviewer"))
        if resident:
            session.add(
                Membership(user_id=user.id, community_id=api.world["demo"], role="resident")
            )
        await session.commit()
        return user.id


def scores(each: int = 16, **fields: Any) -> dict:
    criteria = ("need_fit", "feasibility", "budget", "sustainability", "participation")
    return {"no_conflict": True, **dict.fromkeys(criteria, each), "comment": "可行", **fields}


async def contracted(api: Api, *, pool_fen: int = 2_000_000) -> tuple[int, dict]:
    """A round moved to implementing with one proposal (the demo resident's, 10,000 CNY:
    lines of 6,000 and 4,000) selected and contracted; answers (round id, project)."""
    rnd = await open_round(api, pool_fen=pool_fen, support_threshold=1)
    proposal = await submitted(api, rnd["id"])
    await advance(api, rnd["id"], "supporting")
    url = f"/api/v1/ventures/proposals/{proposal['id']}"
    assert (await api.post(PARTY, f"{url}/support")).status_code == 200
    await advance(api, rnd["id"], "reviewing")
    assert (await api.post(REVIEWER, f"{url}/review", scores(17))).status_code == 200
    for phase in ("announcing", "implementing"):
        await advance(api, rnd["id"], phase)
    answer = await api.post(ADMIN, f"{url}/contract", {"contract_no": "HT-1"})
    assert answer.status_code == 200, answer.text
    return rnd["id"], answer.json()
