"""The community's rewards catalogue and redeeming from it.

Stock is taken by one conditional `UPDATE … SET stock = stock - q WHERE stock >= q`: of two
volunteers redeeming the last item at once, exactly one row count is 1. Points are taken in the
same transaction (ledger.take), so a redemption either happens whole or not at all.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.auth.caller import VOLUNTEER_ROLES, Caller
from backend.db import utcnow
from backend.errors import Conflict, Forbidden, NotFound
from backend.quality.access import require_worker
from backend.volunteers import ledger
from backend.volunteers.bodies import (
    RedeemBody,
    RedemptionPublic,
    RestockBody,
    RewardCreate,
    RewardPublic,
)
from backend.volunteers.models import Redemption, Reward


def _public(reward: Reward) -> RewardPublic:
    return RewardPublic.model_validate(reward, from_attributes=True)


async def list_rewards(
    session: AsyncSession, *, caller: Caller, community_id: int
) -> list[RewardPublic]:
    if not caller.roles_in(community_id):
        raise NotFound("community.not_found", "no such community among yours")
    rows = await session.scalars(
        select(Reward)
        .where(Reward.community_id == community_id, Reward.active.is_(True))
        .order_by(Reward.cost, Reward.id)
    )
    return [_public(r) for r in rows]


async def create_reward(
    session: AsyncSession, *, caller: Caller, community_id: int, body: RewardCreate
) -> RewardPublic:
    require_worker(caller, community_id)
    reward = Reward(community_id=community_id, **body.model_dump())
    session.add(reward)
    await session.flush()
    await audit.record(
        session,
        actor=caller,
        action="reward.create",
        target=("reward", reward.id),
        community_id=community_id,
        after={"cost": reward.cost, "stock": reward.stock},
    )
    await session.commit()
    return _public(reward)


async def _visible(session: AsyncSession, caller: Caller, reward_id: int) -> Reward:
    reward = await session.get(Reward, reward_id)
    if reward is None or not caller.roles_in(reward.community_id) or not reward.active:
        raise NotFound("reward.not_found", "no such reward")
    return reward


async def restock(
    session: AsyncSession, *, caller: Caller, reward_id: int, body: RestockBody
) -> RewardPublic:
    reward = await _visible(session, caller, reward_id)
    require_worker(caller, reward.community_id)
    await session.execute(
        update(Reward).where(Reward.id == reward_id).values(stock=Reward.stock + body.add)
    )
    await audit.record(
        session,
        actor=caller,
        action="reward.restock",
        target=("reward", reward_id),
        community_id=reward.community_id,
        after={"added": body.add},
    )
    await session.commit()
    await session.refresh(reward)
    return _public(reward)


async def redeem(
    session: AsyncSession, *, caller: Caller, reward_id: int, body: RedeemBody
) -> RedemptionPublic:
    reward = await _visible(session, caller, reward_id)
    if not caller.roles_in(reward.community_id) & VOLUNTEER_ROLES:
        raise Forbidden("reward.volunteers_only", "only the community's volunteers redeem")
    now = utcnow()
    points = reward.cost * body.quantity
    entry, left = await ledger.take(
        session,
        community_id=reward.community_id,
        user_id=caller.id,
        points=points,
        kind="redeem",
        memo=f"reward:{reward.id}",
        other="redeemed",
        now=now,
        actor_id=caller.id,
    )
    taken = await session.execute(
        update(Reward)
        .where(Reward.id == reward_id, Reward.stock >= body.quantity)
        .values(stock=Reward.stock - body.quantity)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        await session.rollback()
        raise Conflict("reward.out_of_stock", "not enough left in stock")
    made = Redemption(
        reward_id=reward_id,
        user_id=caller.id,
        quantity=body.quantity,
        points=points,
        transaction_id=entry.id,
        created_at=now,
    )
    session.add(made)
    await session.flush()
    await audit.record(
        session,
        actor=caller,
        action="reward.redeem",
        target=("reward", reward_id),
        community_id=reward.community_id,
        before={"balance": left + points},
        after={"balance": left, "quantity": body.quantity, "redemption_id": made.id},
    )
    await session.commit()
    return RedemptionPublic(
        id=made.id,
        reward_id=reward_id,
        quantity=body.quantity,
        points=points,
        balance=left,
        created_at=now,
    )
