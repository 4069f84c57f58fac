"""Routes of party-member registration (在职党员报到)."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.volunteers import party
from backend.volunteers.bodies import (
    PartyCheckinBody,
    PartyDeclare,
    PartyRegistrationPublic,
    PartyReject,
)

Db = NamedDependency[AsyncSession]
Who = NamedDependency[Caller]


class PartyController(Controller):
    path = "/api/v1"
    tags = ["party"]

    @post(
        "/communities/{community_id:int}/party-registrations",
        status_code=HTTP_201_CREATED,
        operation_id="declarePartyMembership",
    )
    async def declare(
        self, community_id: FromPath[int], data: JSONBody[PartyDeclare], caller: Who, db: Db
    ) -> PartyRegistrationPublic:
        """Volunteer: declare party branch and work unit (again only after a rejection)."""
        return await party.declare(db, caller=caller, community_id=community_id, body=data)

    @get(
        "/communities/{community_id:int}/party-registrations",
        operation_id="listPartyRegistrations",
    )
    async def list(
        self,
        community_id: FromPath[int],
        caller: Who,
        db: Db,
        status: FromQuery[Literal["pending", "verified", "rejected"] | None] = None,
    ) -> list[PartyRegistrationPublic]:
        """Worker: registrations, with who is overdue for the six-monthly check-in."""
        return await party.list_for_community(
            db, caller=caller, community_id=community_id, status=status
        )

    @get("/party-registrations/mine", operation_id="myPartyRegistrations")
    async def mine(self, caller: Who, db: Db) -> list[PartyRegistrationPublic]:
        """The caller's own registrations."""
        return await party.mine(db, caller=caller)

    @post(
        "/party-registrations/{registration_id:int}/verify",
        status_code=HTTP_200_OK,
        operation_id="verifyPartyRegistration",
    )
    async def verify(
        self, registration_id: FromPath[int], caller: Who, db: Db
    ) -> PartyRegistrationPublic:
        """Worker: verified — the person becomes a party member of the community."""
        return await party.decide(db, caller=caller, registration_id=registration_id, verify=True)

    @post(
        "/party-registrations/{registration_id:int}/reject",
        status_code=HTTP_200_OK,
        operation_id="rejectPartyRegistration",
    )
    async def reject(
        self, registration_id: FromPath[int], data: JSONBody[PartyReject], caller: Who, db: Db
    ) -> PartyRegistrationPublic:
        """Worker: rejected, with the reason the person reads."""
        return await party.decide(
            db, caller=caller, registration_id=registration_id, verify=False, body=data
        )

    @post(
        "/party-registrations/{registration_id:int}/checkin",
        status_code=HTTP_200_OK,
        operation_id="partyCheckin",
    )
    async def checkin(
        self, registration_id: FromPath[int], data: JSONBody[PartyCheckinBody], caller: Who, db: Db
    ) -> PartyRegistrationPublic:
        """Member: the six-monthly check-in."""
        return await party.checkin(db, caller=caller, registration_id=registration_id, body=data)
