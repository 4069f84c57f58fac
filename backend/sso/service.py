"""Started sign-ins (`state`), WeChat sign-in and binding, and the person's linked identities.

A WeChat identity never creates an account on its own: the first sign-in answers a short-lived,
signed bind ticket, and only a phone confirmed by one-time code (the same `check_code` as the
phone sign-in) turns it into a bound identity. So one person never ends up with two accounts.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.auth import service as auth_service
from backend.auth.caller import Caller
from backend.auth.models import TokenPair, User
from backend.db import utcnow
from backend.errors import BadRequest, Conflict, NotFound
from backend.settings import Settings
from backend.sso import wechat
from backend.sso.models import (
    AuthorizeRedirect,
    ExternalIdentity,
    IdentityPublic,
    ProvidersPublic,
    SsoState,
    WechatSignIn,
)
from backend.sso.settings import SsoSettings, WechatApp

STATE_MINUTES = 10
BIND_TICKET_SECONDS = 600


def providers(sso: SsoSettings) -> ProvidersPublic:
    return ProvidersPublic(
        wechat_in_app=bool(sso.wechat_enabled and sso.wechat_mp),
        wechat_qr=bool(sso.wechat_enabled and sso.wechat_qr),
        oidc=sso.oidc_enabled,
        oidc_label=(sso.oidc_label or None) if sso.oidc_enabled else None,
    )


def wechat_app(sso: SsoSettings, mode: str) -> WechatApp:
    app = sso.wechat_qr if mode == "qr" else sso.wechat_mp
    if not sso.wechat_enabled or app is None:
        raise NotFound("auth.provider_disabled", f"WeChat sign-in ({mode}) is not configured")
    return app


async def new_state(session: AsyncSession, state: str | None = None, **fields: object) -> SsoState:
    row = SsoState(
        state=state or secrets.token_urlsafe(32),
        expires_at=utcnow() + timedelta(minutes=STATE_MINUTES),
        **fields,
    )
    session.add(row)
    await session.commit()
    return row


async def spend_state(
    session: AsyncSession, *, state: str | None, provider: str, purpose: str
) -> SsoState:
    """One use per state, decided by a conditional UPDATE; committed before any provider call."""
    now = utcnow()
    spent = await session.execute(
        update(SsoState)
        .where(
            SsoState.state == (state or ""),
            SsoState.provider == provider,
            SsoState.purpose == purpose,
            SsoState.used_at.is_(None),
            SsoState.expires_at > now,
        )
        .values(used_at=now)
    )
    if not state or spent.rowcount != 1:
        await session.rollback()
        raise BadRequest(
            "auth.state_invalid", "this sign-in was not started here, expired or was already used"
        )
    await session.commit()
    row = await session.scalar(select(SsoState).where(SsoState.state == state))
    assert row is not None
    return row


async def start_wechat(
    session: AsyncSession, *, sso: SsoSettings, mode: str, scope: str, user_id: int | None = None
) -> AuthorizeRedirect:
    app = wechat_app(sso, mode)
    row = await new_state(
        session,
        provider="wechat",
        purpose="bind" if user_id else "sign_in",
        user_id=user_id,
        app_id=app.app_id,
    )
    url = wechat.authorize_url(sso, app, mode=mode, scope=scope, state=row.state)
    return AuthorizeRedirect(authorize_url=url, state=row.state)


def _app_by_id(sso: SsoSettings, app_id: str | None) -> WechatApp:
    for app in (sso.wechat_mp, sso.wechat_qr):
        if app is not None and app.app_id == app_id:
            return app
    raise BadRequest("auth.state_invalid", "this sign-in was started for another WeChat app")


async def _profile(
    session: AsyncSession, sso: SsoSettings, *, code: str | None, state: str | None, purpose: str
) -> tuple[SsoState, wechat.WechatProfile]:
    row = await spend_state(session, state=state, provider="wechat", purpose=purpose)
    if not code:
        raise BadRequest("auth.code_rejected", "the callback carried no code")
    return row, await wechat.fetch_profile(sso, _app_by_id(sso, row.app_id), code)


async def _find_identity(
    session: AsyncSession, profile: wechat.WechatProfile
) -> ExternalIdentity | None:
    match = (ExternalIdentity.issuer == profile.app_id) & (
        ExternalIdentity.subject == profile.openid
    )
    if profile.unionid:  # the same person through the other app (公众号 ↔ website QR code)
        match = or_(match, ExternalIdentity.unionid == profile.unionid)
    return await session.scalar(
        select(ExternalIdentity)
        .where(ExternalIdentity.provider == "wechat", match)
        .order_by(ExternalIdentity.id)
        .limit(1)
    )


def _ticket_key(settings: Settings) -> OctKey:
    return OctKey.import_key(
        hashlib.sha256(("wechat-bind:" + settings.secret_key).encode()).digest()
    )


def _bind_ticket(settings: Settings, profile: wechat.WechatProfile) -> str:
    now = int(time.time())
    claims = {
        "iss": "linli-wechat-bind",
        "exp": now + BIND_TICKET_SECONDS,
        "app": profile.app_id,
        "sub": profile.openid,
        "uid": profile.unionid,
        "nick": profile.nickname,
        "img": profile.avatar_url,
    }
    return jwt.encode({"alg": "HS256"}, claims, _ticket_key(settings))


def _read_ticket(settings: Settings, ticket: str) -> wechat.WechatProfile:
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": "linli-wechat-bind"}, exp={"essential": True}
    )
    try:
        claims = jwt.decode(ticket, _ticket_key(settings), algorithms=["HS256"]).claims
        registry.validate(claims)
        return wechat.WechatProfile(
            claims["app"], claims["sub"], claims.get("uid"), claims.get("nick"), claims.get("img")
        )
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise BadRequest(
            "auth.bind_ticket_invalid", "the WeChat sign-in expired: start it again"
        ) from exc


async def wechat_sign_in(
    session: AsyncSession, *, settings: Settings, code: str | None, state: str | None
) -> WechatSignIn:
    _, profile = await _profile(session, settings.sso, code=code, state=state, purpose="sign_in")
    identity = await _find_identity(session, profile)
    if identity is None:
        return WechatSignIn(
            bind_ticket=_bind_ticket(settings, profile),
            nickname=profile.nickname,
            avatar_url=profile.avatar_url,
        )
    user = await session.get(User, identity.user_id)
    assert user is not None
    pair = await auth_service.issue_tokens(session, settings=settings, user=user)
    await session.commit()
    return WechatSignIn(tokens=pair, nickname=identity.display_name, avatar_url=identity.avatar_url)


def _masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


async def _attach(
    session: AsyncSession, user: User, profile: wechat.WechatProfile, actor: Caller | None
) -> None:
    """Bind the profile to `user`, or say with 409 what stands in the way and what to do."""
    bound = await _find_identity(session, profile)
    if bound is not None and bound.user_id != user.id:
        owner = await session.get(User, bound.user_id)
        raise Conflict(
            "auth.wechat_bound_elsewhere",
            "this WeChat is bound to another phone: sign in with WeChat (or that phone) and "
            "unbind it under 我的 first",
            bound_phone=_masked(owner.phone) if owner else None,
            way_forward="unbind_then_bind",
        )
    if bound is not None:
        return
    other = await session.scalar(
        select(ExternalIdentity).where(
            ExternalIdentity.user_id == user.id,
            ExternalIdentity.provider == "wechat",
            ExternalIdentity.issuer == profile.app_id,
        )
    )
    if other is not None:
        raise Conflict(
            "auth.phone_has_other_wechat",
            "this phone is bound to another WeChat: sign in by phone and unbind it under 我的",
            way_forward="unbind_then_bind",
        )
    session.add(
        ExternalIdentity(
            provider="wechat",
            issuer=profile.app_id,
            subject=profile.openid,
            unionid=profile.unionid,
            user_id=user.id,  # type: ignore[arg-type]
            display_name=(profile.nickname or None) and profile.nickname[:64],
            avatar_url=profile.avatar_url,
        )
    )
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent bind of the same WeChat won
        await session.rollback()
        raise Conflict("auth.wechat_bound_elsewhere", "this WeChat was just bound") from exc
    await audit.record(
        session,
        actor=actor,
        action="identity.link",
        target=("user", user.id),
        after={"provider": "wechat"},
    )


async def wechat_bind_phone(
    session: AsyncSession, *, settings: Settings, ticket: str, phone: str, code: str
) -> TokenPair:
    """First WeChat sign-in: confirm the phone by one-time code, then bind (and sign in)."""
    profile = _read_ticket(settings, ticket)
    await auth_service.check_code(session, settings, phone, code)
    user = await session.scalar(select(User).where(User.phone == phone))
    if user is None:
        user = User(phone=phone, name=(profile.nickname or f"居民{phone[-4:]}")[:64])
        session.add(user)
        await session.flush()
    await _attach(session, user, profile, None)
    pair = await auth_service.issue_tokens(session, settings=settings, user=user)
    await session.commit()
    return pair


async def wechat_bind_signed_in(
    session: AsyncSession,
    *,
    settings: Settings,
    caller: Caller,
    code: str | None,
    state: str | None,
) -> IdentityPublic:
    """Bind from 我的: the state was started by this same signed-in person."""
    row, profile = await _profile(session, settings.sso, code=code, state=state, purpose="bind")
    if row.user_id != caller.id:
        raise BadRequest("auth.state_invalid", "this binding was started by someone else")
    user = await session.get(User, caller.id)
    if user is None:
        raise NotFound("auth.account_missing", "the account no longer exists")
    await _attach(session, user, profile, caller)
    await session.commit()
    identity = await _find_identity(session, profile)
    assert identity is not None
    return _public(identity)


def _public(identity: ExternalIdentity) -> IdentityPublic:
    return IdentityPublic(
        id=identity.id,  # type: ignore[arg-type]
        provider=identity.provider,
        display_name=identity.display_name,
        avatar_url=identity.avatar_url,
        created_at=identity.created_at,
    )


async def list_identities(session: AsyncSession, *, caller: Caller) -> list[IdentityPublic]:
    rows = await session.scalars(
        select(ExternalIdentity)
        .where(ExternalIdentity.user_id == caller.id)
        .order_by(ExternalIdentity.id)
    )
    return [_public(r) for r in rows]


async def unbind(session: AsyncSession, *, caller: Caller, identity_id: int) -> None:
    """A person unbinds their own WeChat; staff SSO links are an admin's to remove."""
    identity = await session.get(ExternalIdentity, identity_id)
    if identity is None or identity.user_id != caller.id or identity.provider != "wechat":
        raise NotFound("auth.identity_not_found", "no such WeChat binding on this account")
    await session.delete(identity)
    await audit.record(
        session,
        actor=caller,
        action="identity.unlink",
        target=("user", caller.id),
        before={"provider": "wechat"},
    )
    await session.commit()
