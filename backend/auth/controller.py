"""Routes for signing in and for the signed-in person's own profile."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth import service
from backend.auth.caller import Caller
from backend.auth.models import (
    MePublic,
    OtpRequest,
    OtpSent,
    RefreshRequest,
    TokenPair,
    TokenRequest,
)
from backend.security.limits import limited


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]
    opt = {"exclude_from_auth": True}
    security = []

    @post(
        "/otp",
        status_code=HTTP_202_ACCEPTED,
        operation_id="requestOtp",
        guards=[limited("otp_ip", "ip"), limited("otp_phone", "body.phone")],
    )
    async def request_otp(
        self, request: Request, data: JSONBody[OtpRequest], db: NamedDependency[AsyncSession]
    ) -> OtpSent:
        """Text a 6-digit one-time code to a mainland mobile number (one request a minute)."""
        expires_in = await service.request_otp(
            db, settings=request.app.state.settings, sms=request.app.state.sms, phone=data.phone
        )
        return OtpSent(expires_in=expires_in)

    @post(
        "/token",
        status_code=HTTP_200_OK,
        operation_id="signIn",
        guards=[limited("signin_ip", "ip"), limited("signin_phone", "body.phone")],
    )
    async def sign_in(
        self, request: Request, data: JSONBody[TokenRequest], db: NamedDependency[AsyncSession]
    ) -> TokenPair:
        """Exchange a phone number and a one-time code (or a password) for a token pair."""
        return await service.sign_in(
            db,
            settings=request.app.state.settings,
            phone=data.phone,
            code=data.code,
            password=data.password,
        )

    @post("/refresh", status_code=HTTP_200_OK, operation_id="refreshToken")
    async def refresh(
        self, request: Request, data: JSONBody[RefreshRequest], db: NamedDependency[AsyncSession]
    ) -> TokenPair:
        """Spend a refresh token for a new pair; replaying a spent one revokes the whole family."""
        return await service.rotate_refresh_token(
            db, settings=request.app.state.settings, refresh_token=data.refresh_token
        )


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["auth"]

    @get("/", operation_id="getMe")
    async def me(
        self, caller: NamedDependency[Caller], db: NamedDependency[AsyncSession]
    ) -> MePublic:
        """The signed-in person with their communities and roles in each."""
        return await service.describe_me(db, caller=caller)
