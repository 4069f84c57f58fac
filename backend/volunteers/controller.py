"""Routes of hours, points, rewards and the leaderboard."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.db import utcnow
from backend.quality.periods import SHANGHAI
from backend.volunteers import hours, rewards, statement
from backend.volunteers.bodies import (
    BalancePublic,
    CorrectionBody,
    HoursPublic,
    LeaderboardLine,
    PointsRuleBody,
    PointsRulePublic,
    PreferencesBody,
    PreferencesPublic,
    RedeemBody,
    RedemptionPublic,
    RestockBody,
    RewardCreate,
    RewardPublic,
    Statement,
)

Db = NamedDependency[AsyncSession]
Who = NamedDependency[Caller]


class VolunteerController(Controller):
    path = "/api/v1"
    tags = ["volunteers"]

    @post(
        "/orders/{order_id:int}/confirm-hours", status_code=HTTP_200_OK, operation_id="confirmHours"
    )
    async def confirm_hours(self, order_id: FromPath[int], caller: Who, db: Db) -> HoursPublic:
        """Worker: confirm a volunteer's hours on a finished order (a rating confirms too)."""
        return await hours.confirm_by_worker(db, caller=caller, order_id=order_id, now=utcnow())

    @get("/orders/{order_id:int}/hours", operation_id="orderHours")
    async def order_hours(self, order_id: FromPath[int], caller: Who, db: Db) -> HoursPublic:
        """The credited hours of an order: its volunteer and the community's workers."""
        return await hours.present_for(db, caller=caller, order_id=order_id)

    @get("/communities/{community_id:int}/points/statement", operation_id="myPointsStatement")
    async def my_statement(self, community_id: FromPath[int], caller: Who, db: Db) -> Statement:
        """The caller's hours and points in this community, by month, newest first."""
        return await statement.statement(
            db, caller=caller, community_id=community_id, user_id=caller.id
        )

    @get(
        "/communities/{community_id:int}/volunteers/{user_id:int}/statement",
        operation_id="volunteerStatement",
    )
    async def statement_of(
        self, community_id: FromPath[int], user_id: FromPath[int], caller: Who, db: Db
    ) -> Statement:
        """Worker: a volunteer's statement."""
        return await statement.statement(
            db, caller=caller, community_id=community_id, user_id=user_id
        )

    @post(
        "/communities/{community_id:int}/points/corrections",
        status_code=HTTP_201_CREATED,
        operation_id="correctPoints",
    )
    async def correct(
        self, community_id: FromPath[int], data: JSONBody[CorrectionBody], caller: Who, db: Db
    ) -> BalancePublic:
        """Worker: add or take points with a reason (never below zero: 409)."""
        return await statement.correct(db, caller=caller, community_id=community_id, body=data)

    @get("/communities/{community_id:int}/points/rule", operation_id="getPointsRule")
    async def get_rule(self, community_id: FromPath[int], caller: Who, db: Db) -> PointsRulePublic:
        """Points earned per confirmed hour (default 10)."""
        return await statement.get_rule(db, caller=caller, community_id=community_id)

    @put("/communities/{community_id:int}/points/rule", operation_id="setPointsRule")
    async def set_rule(
        self, community_id: FromPath[int], data: JSONBody[PointsRuleBody], caller: Who, db: Db
    ) -> PointsRulePublic:
        """Worker: change the rate for hours confirmed from now on."""
        return await statement.set_rule(db, caller=caller, community_id=community_id, body=data)

    @get("/communities/{community_id:int}/leaderboard", operation_id="volunteerLeaderboard")
    async def leaderboard(
        self,
        community_id: FromPath[int],
        caller: Who,
        db: Db,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> list[LeaderboardLine]:
        """The year's volunteers by confirmed hours; those who opted out are left out."""
        year = year or utcnow().astimezone(SHANGHAI).year
        return await statement.leaderboard(
            db, caller=caller, community_id=community_id, year=year, limit=limit
        )

    @put("/volunteers/me/preferences", operation_id="setVolunteerPreferences")
    async def preferences(
        self, data: JSONBody[PreferencesBody], caller: Who, db: Db
    ) -> PreferencesPublic:
        """Opt out of (or back into) the leaderboards."""
        return await statement.set_preferences(db, caller=caller, opt_out=data.leaderboard_opt_out)

    @get("/communities/{community_id:int}/rewards", operation_id="listRewards")
    async def list_rewards(
        self, community_id: FromPath[int], caller: Who, db: Db
    ) -> list[RewardPublic]:
        """The community's rewards catalogue, cheapest first."""
        return await rewards.list_rewards(db, caller=caller, community_id=community_id)

    @post(
        "/communities/{community_id:int}/rewards",
        status_code=HTTP_201_CREATED,
        operation_id="createReward",
    )
    async def create_reward(
        self, community_id: FromPath[int], data: JSONBody[RewardCreate], caller: Who, db: Db
    ) -> RewardPublic:
        """Worker: add a reward with its cost in points and its stock."""
        return await rewards.create_reward(db, caller=caller, community_id=community_id, body=data)

    @post("/rewards/{reward_id:int}/restock", status_code=HTTP_200_OK, operation_id="restockReward")
    async def restock(
        self, reward_id: FromPath[int], data: JSONBody[RestockBody], caller: Who, db: Db
    ) -> RewardPublic:
        """Worker: add stock."""
        return await rewards.restock(db, caller=caller, reward_id=reward_id, body=data)

    @post(
        "/rewards/{reward_id:int}/redeem", status_code=HTTP_201_CREATED, operation_id="redeemReward"
    )
    async def redeem(
        self,
        reward_id: FromPath[int],
        caller: Who,
        db: Db,
        data: JSONBody[RedeemBody | None] = None,
    ) -> RedemptionPublic:
        """Volunteer: spend points on a reward (409 when points or stock fall short)."""
        return await rewards.redeem(
            db, caller=caller, reward_id=reward_id, body=data or RedeemBody()
        )
