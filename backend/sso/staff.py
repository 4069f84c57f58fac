"""Staff single sign-on: who may come in through OIDC, with which roles — decided in Linli.

The provider proves who someone is; Linli decides what they may do. An identity gets in only when
an admin linked its subject to an account, or when an admin's claim rule matches one of its
claims (a rule then also needs a verified mainland phone number to find or make the account).
Roles come from Linli's own memberships; a matching rule adds its role, and never removes one.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.auth import service as auth_service
from backend.auth.caller import Caller
from backend.auth.models import Membership, User
from backend.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound
from backend.settings import Settings
from backend.sso import oidc
from backend.sso.models import (
    AuthorizeRedirect,
    CallbackBody,
    ExternalIdentity,
    LinkCreate,
    LinkPublic,
    OidcLogout,
    OidcSignIn,
    RuleCreate,
    RulePublic,
    SsoClaimRule,
)
from backend.sso.service import new_state, spend_state
from backend.sso.settings import SsoSettings
from backend.validation import check_mainland_mobile


def _require(sso: SsoSettings) -> None:
    if not sso.oidc_enabled:
        raise NotFound("auth.provider_disabled", "single sign-on is not configured")


async def start(session: AsyncSession, *, sso: SsoSettings) -> AuthorizeRedirect:
    _require(sso)
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(24)
    # Discovery first: an unreachable provider leaves no state row behind.
    state = secrets.token_urlsafe(32)
    url = await oidc.authorize_url(sso, state=state, nonce=nonce, code_verifier=verifier)
    await new_state(
        session,
        provider="oidc",
        purpose="sign_in",
        nonce=nonce,
        code_verifier=verifier,
        state=state,
    )
    return AuthorizeRedirect(authorize_url=url, state=state)


def _claim_values(claims: dict, name: str) -> set[str]:
    value = claims.get(name)
    values = value if isinstance(value, list) else [value]
    return {str(v) for v in values if v is not None}


async def _matching_rules(session: AsyncSession, claims: dict) -> list[SsoClaimRule]:
    rules = await session.scalars(select(SsoClaimRule).order_by(SsoClaimRule.id))
    return [r for r in rules if r.value in _claim_values(claims, r.claim)]


def _verified_phone(claims: dict) -> str | None:
    raw = str(claims.get("phone_number") or "").replace(" ", "").removeprefix("+86")
    if claims.get("phone_number_verified") is not True:
        return None
    try:
        return check_mainland_mobile(raw)
    except ValueError:
        return None


async def _account(session: AsyncSession, result: oidc.OidcResult) -> User:
    identity = await session.scalar(
        select(ExternalIdentity).where(
            ExternalIdentity.provider == "oidc",
            ExternalIdentity.issuer == result.issuer,
            ExternalIdentity.subject == result.subject,
        )
    )
    rules = await _matching_rules(session, result.claims)
    if identity is not None:
        user = await session.get(User, identity.user_id)
    elif not rules:
        raise Forbidden(
            "auth.sso_not_allowed",
            "this identity is not linked to a Linli account: ask your street admin to link it",
        )
    else:
        phone = _verified_phone(result.claims)
        if phone is None:
            raise Forbidden(
                "auth.sso_no_phone",
                "the identity provider gave no verified mainland phone number for this person",
            )
        user = await session.scalar(select(User).where(User.phone == phone))
        if user is None:
            user = User(phone=phone, name=str(result.claims.get("name") or phone)[:64])
            session.add(user)
            await session.flush()
        session.add(
            ExternalIdentity(
                provider="oidc",
                issuer=result.issuer,
                subject=result.subject,
                user_id=user.id,  # type: ignore[arg-type]
                display_name=str(result.claims.get("name") or "")[:64] or None,
            )
        )
    assert user is not None
    held = set(
        await session.execute(
            select(Membership.community_id, Membership.role).where(Membership.user_id == user.id)
        )
    )
    for rule in rules:
        if (rule.community_id, rule.role) not in held:
            held.add((rule.community_id, rule.role))
            session.add(
                Membership(user_id=user.id, community_id=rule.community_id, role=rule.role)  # type: ignore[arg-type]
            )
            # A role granted by a claim rule, not by a person: the rule is named, the actor none.
            await audit.record(
                session,
                actor=None,
                action="membership.grant_by_rule",
                target=("user", user.id),
                community_id=rule.community_id,
                after={"role": rule.role, "rule_id": rule.id},
            )
    await session.flush()
    return user


async def callback(session: AsyncSession, *, settings: Settings, body: CallbackBody) -> OidcSignIn:
    _require(settings.sso)
    row = await spend_state(session, state=body.state, provider="oidc", purpose="sign_in")
    if not body.code:
        raise BadRequest("auth.code_rejected", "the callback carried no code")
    # RFC 9207: a code handed back by some other issuer (a mix-up attack) is not exchanged.
    if body.iss is not None and body.iss.rstrip("/") != settings.sso.oidc_issuer:
        raise BadRequest("auth.issuer_mismatch", "the answer came from another issuer")
    result = await oidc.sign_in(
        settings.sso, code=body.code, code_verifier=row.code_verifier or "", nonce=row.nonce or ""
    )
    user = await _account(session, result)
    pair = await auth_service.issue_tokens(session, settings=settings, user=user)
    await session.commit()
    return OidcSignIn(**pair.model_dump(), id_token=result.id_token)


async def logout(
    session: AsyncSession, *, settings: Settings, refresh_token: str | None, id_token: str | None
) -> OidcLogout:
    if refresh_token:
        await auth_service.revoke_refresh_family(
            session, settings=settings, refresh_token=refresh_token
        )
    if not settings.sso.oidc_enabled:
        return OidcLogout(end_session_url=None)
    url = await oidc.end_session_url(
        settings.sso, id_token_hint=id_token, state=secrets.token_urlsafe(16)
    )
    return OidcLogout(end_session_url=url)


# --- admin: links and claim rules -----------------------------------------------------------


async def list_links(session: AsyncSession) -> list[LinkPublic]:
    rows = await session.execute(
        select(ExternalIdentity, User.name)
        .join(User, User.id == ExternalIdentity.user_id)
        .where(ExternalIdentity.provider == "oidc")
        .order_by(ExternalIdentity.id)
    )
    return [_link(i, name) for i, name in rows]


def _link(identity: ExternalIdentity, name: str) -> LinkPublic:
    return LinkPublic(
        id=identity.id,  # type: ignore[arg-type]
        issuer=identity.issuer,
        subject=identity.subject,
        user_id=identity.user_id,
        user_name=name,
        created_at=identity.created_at,
    )


async def create_link(
    session: AsyncSession, *, caller: Caller, sso: SsoSettings, body: LinkCreate
) -> LinkPublic:
    _require(sso)
    user = await session.get(User, body.user_id)
    if user is None:
        raise Invalid("user_id", "no such account", "sso.user_unknown")
    taken = await session.scalar(
        select(ExternalIdentity).where(
            ExternalIdentity.provider == "oidc",
            ExternalIdentity.issuer == sso.oidc_issuer,
            (ExternalIdentity.subject == body.subject) | (ExternalIdentity.user_id == user.id),
        )
    )
    if taken is not None:
        raise Conflict("sso.link_exists", "this subject or this account is already linked")
    identity = ExternalIdentity(
        provider="oidc",
        issuer=sso.oidc_issuer,
        subject=body.subject,
        user_id=user.id,  # type: ignore[arg-type]
    )
    session.add(identity)
    await session.flush()
    await audit.record(
        session,
        actor=caller,
        action="sso.link_create",
        target=("sso_link", identity.id),
        after={"user_id": user.id, "subject": body.subject},
    )
    await session.commit()
    return _link(identity, user.name)


async def delete_link(session: AsyncSession, *, caller: Caller, link_id: int) -> None:
    identity = await session.get(ExternalIdentity, link_id)
    if identity is None or identity.provider != "oidc":
        raise NotFound("sso.link_not_found", "no such link")
    await session.delete(identity)
    await audit.record(
        session,
        actor=caller,
        action="sso.link_delete",
        target=("sso_link", link_id),
        before={"user_id": identity.user_id, "subject": identity.subject},
    )
    await session.commit()


def _rule(rule: SsoClaimRule) -> RulePublic:
    return RulePublic(**rule.model_dump(include=set(RulePublic.model_fields)))


async def list_rules(session: AsyncSession, *, caller: Caller) -> list[RulePublic]:
    mine = caller.communities_with("admin")
    rows = await session.scalars(
        select(SsoClaimRule).where(SsoClaimRule.community_id.in_(mine)).order_by(SsoClaimRule.id)
    )
    return [_rule(r) for r in rows]


async def create_rule(session: AsyncSession, *, caller: Caller, body: RuleCreate) -> RulePublic:
    if not caller.has("admin", body.community_id):
        raise Invalid("community_id", "not a community you administer", "sso.community_forbidden")
    exists = await session.scalar(
        select(SsoClaimRule).where(
            SsoClaimRule.claim == body.claim,
            SsoClaimRule.value == body.value,
            SsoClaimRule.community_id == body.community_id,
            SsoClaimRule.role == body.role,
        )
    )
    if exists is not None:
        return _rule(exists)
    rule = SsoClaimRule(**body.model_dump(), created_by=caller.id)
    session.add(rule)
    await session.flush()
    await audit.record(
        session,
        actor=caller,
        action="sso.rule_create",
        target=("sso_rule", rule.id),
        community_id=rule.community_id,
        after={"claim": rule.claim, "value": rule.value, "role": rule.role},
    )
    await session.commit()
    return _rule(rule)


async def delete_rule(session: AsyncSession, *, caller: Caller, rule_id: int) -> None:
    rule = await session.get(SsoClaimRule, rule_id)
    if rule is None or not caller.has("admin", rule.community_id):
        raise NotFound("sso.rule_not_found", "no such rule")
    await session.delete(rule)
    await audit.record(
        session,
        actor=caller,
        action="sso.rule_delete",
        target=("sso_rule", rule_id),
        community_id=rule.community_id,
        before={"claim": rule.claim, "value": rule.value, "role": rule.role},
    )
    await session.commit()
