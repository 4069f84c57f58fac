"""Sign-in: one-time codes, passwords, token pairs and refresh-token rotation; the `me` answer."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.auth.models import (
    Membership,
    MembershipPublic,
    MePublic,
    OtpCode,
    RefreshToken,
    StreetRole,
    TokenPair,
    User,
)
from backend.auth.passwords import verify_password
from backend.auth.tokens import (
    encode_access_token,
    hash_secret,
    new_otp_code,
    new_refresh_token,
)
from backend.catalog.models import ProviderStaff
from backend.db import utcnow
from backend.errors import Invalid, TooManyRequests, Unauthorized
from backend.notify.sms import SmsSender
from backend.places.models import Building, Community
from backend.settings import Settings

BAD_CREDENTIALS = "the phone number and code or password do not match"


async def request_otp(
    session: AsyncSession, *, settings: Settings, sms: SmsSender, phone: str
) -> int:
    """Store a fresh hashed code and text it; at most one request per phone per minute."""
    now = utcnow()
    last = await _latest_code(session, phone)
    if last is not None:
        wait = settings.otp_resend_seconds - int((now - last.created_at).total_seconds())
        if wait > 0:
            raise TooManyRequests("auth.otp_too_soon", wait)
    code = new_otp_code()
    session.add(
        OtpCode(
            phone=phone,
            code_hash=hash_secret(code, secret=settings.secret_key, purpose="otp"),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.otp_minutes),
        )
    )
    await session.commit()
    await sms.send(phone, "login_code", {"code": code, "minutes": str(settings.otp_minutes)})
    return settings.otp_minutes * 60


async def _latest_code(session: AsyncSession, phone: str) -> OtpCode | None:
    return await session.scalar(
        select(OtpCode).where(OtpCode.phone == phone).order_by(OtpCode.id.desc()).limit(1)
    )


async def check_code(session: AsyncSession, settings: Settings, phone: str, code: str) -> None:
    """Spend the phone's current one-time code (in the caller's transaction) or answer 401."""
    now = utcnow()
    otp = await _latest_code(session, phone)
    usable = (
        otp is not None
        and otp.used_at is None
        and otp.expires_at > now
        and otp.attempts < settings.otp_max_attempts
    )
    if not usable:
        raise Unauthorized("auth.invalid_credentials", BAD_CREDENTIALS)
    expected = hash_secret(code, secret=settings.secret_key, purpose="otp")
    if not secrets.compare_digest(expected, otp.code_hash):
        otp.attempts += 1  # the fifth wrong try locks this code for good
        await session.commit()
        raise Unauthorized("auth.invalid_credentials", BAD_CREDENTIALS)
    # Spend it with a conditional update so two concurrent sign-ins cannot both use it.
    spent = await session.execute(
        update(OtpCode).where(OtpCode.id == otp.id, OtpCode.used_at.is_(None)).values(used_at=now)
    )
    if spent.rowcount != 1:
        raise Unauthorized("auth.invalid_credentials", BAD_CREDENTIALS)


async def sign_in(
    session: AsyncSession,
    *,
    settings: Settings,
    phone: str,
    code: str | None,
    password: str | None,
) -> TokenPair:
    if (code is None) == (password is None):
        field = "code" if code is None else "password"
        raise Invalid(field, "give either a one-time code or a password")
    user = await session.scalar(select(User).where(User.phone == phone))
    if password is not None:
        ok = await verify_password(user.password_hash if user else None, password)
        if not ok or user is None:
            raise Unauthorized("auth.invalid_credentials", BAD_CREDENTIALS)
    else:
        await check_code(session, settings, phone, code or "")
        if user is None:  # a first sign-in by code creates the account
            user = User(phone=phone, name=f"居民{phone[-4:]}")
            session.add(user)
            await session.flush()
    pair = await issue_tokens(session, settings=settings, user=user)
    await session.commit()
    return pair


async def load_caller(session: AsyncSession, user: User) -> Caller:
    """Roles per community, with street-wide roles spread over the street's communities."""
    rows = await session.execute(
        select(Membership.community_id, Membership.role).where(Membership.user_id == user.id)
    )
    roles: dict[int, set[str]] = {}
    for community_id, role in rows:
        roles.setdefault(community_id, set()).add(role)
    street_rows = await session.execute(
        select(Community.id, StreetRole.role)
        .join(StreetRole, StreetRole.street_id == Community.street_id)
        .where(StreetRole.user_id == user.id)
    )
    for community_id, role in street_rows:
        roles.setdefault(community_id, set()).add(role)
    provider_ids = await session.scalars(
        select(ProviderStaff.provider_id).where(ProviderStaff.user_id == user.id)
    )
    return Caller(
        id=user.id,  # type: ignore[arg-type]
        name=user.name,
        roles={cid: frozenset(r) for cid, r in roles.items()},
        provider_ids=frozenset(provider_ids),
    )


async def issue_tokens(
    session: AsyncSession, *, settings: Settings, user: User, family_id: str | None = None
) -> TokenPair:
    caller = await load_caller(session, user)
    refresh = new_refresh_token()
    now = utcnow()
    session.add(
        RefreshToken(
            user_id=user.id,  # type: ignore[arg-type]
            token_hash=hash_secret(refresh, secret=settings.secret_key, purpose="refresh"),
            family_id=family_id or secrets.token_hex(16),
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_days),
        )
    )
    access = encode_access_token(
        caller, secret=settings.secret_key, minutes=settings.access_token_minutes
    )
    return TokenPair(
        access_token=access, refresh_token=refresh, expires_in=settings.access_token_minutes * 60
    )


async def rotate_refresh_token(
    session: AsyncSession, *, settings: Settings, refresh_token: str
) -> TokenPair:
    """Spend the token and hand out a new pair; a spent token coming back revokes its family."""
    now = utcnow()
    token_hash = hash_secret(refresh_token, secret=settings.secret_key, purpose="refresh")
    spent = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == token_hash,
            RefreshToken.spent_at.is_(None),
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(spent_at=now)
    )
    row = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
    if row is None:
        raise Unauthorized("auth.invalid_token", "the refresh token is not valid")
    if spent.rowcount != 1:
        if row.spent_at is not None and row.revoked_at is None:
            # Someone replayed a spent token: whoever holds the family may be a thief.
            await session.execute(
                update(RefreshToken)
                .where(RefreshToken.family_id == row.family_id, RefreshToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            await session.commit()
            raise Unauthorized("auth.refresh_reused", "the refresh token was already used")
        raise Unauthorized("auth.invalid_token", "the refresh token is not valid")
    user = await session.get(User, row.user_id)
    if user is None:
        raise Unauthorized("auth.invalid_token", "the refresh token is not valid")
    pair = await issue_tokens(session, settings=settings, user=user, family_id=row.family_id)
    await session.commit()
    return pair


async def revoke_refresh_family(
    session: AsyncSession, *, settings: Settings, refresh_token: str
) -> None:
    """Sign-out: every refresh token of this sign-in stops working."""
    token_hash = hash_secret(refresh_token, secret=settings.secret_key, purpose="refresh")
    row = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
    if row is not None:
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == row.family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        await session.commit()


async def describe_me(session: AsyncSession, *, caller: Caller) -> MePublic:
    user = await session.get(User, caller.id)
    if user is None:
        raise Unauthorized("auth.invalid_token", "the account no longer exists")
    fresh = await load_caller(session, user)
    communities = await session.scalars(
        select(Community).where(Community.id.in_(list(fresh.roles))).order_by(Community.id)
    )
    return MePublic(
        id=user.id,  # type: ignore[arg-type]
        name=user.name,
        phone=user.phone,
        memberships=[
            MembershipPublic(
                community_id=c.id,  # type: ignore[arg-type]
                community_slug=c.slug,
                community_name=c.name,
                roles=sorted(fresh.roles_in(c.id)),  # type: ignore[arg-type]
            )
            for c in communities
        ],
        provider_ids=sorted(fresh.provider_ids),
        home_building_id=user.home_building_id,
        home_room=user.home_room,
        home_address=await _home_address(session, user),
    )


async def _home_address(session: AsyncSession, user: User) -> str | None:
    if user.home_building_id is None:
        return None
    building = await session.get(Building, user.home_building_id)
    if building is None:
        return None
    return f"{building.name} {user.home_room}" if user.home_room else building.name
