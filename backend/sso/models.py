"""Tables for signing in through WeChat and OpenID Connect, and their request/answer bodies.

`SsoState` is one started sign-in (the `state` sent to the provider, with the OIDC nonce and PKCE
verifier); it is spent by the callback, so a replayed or forged callback finds nothing to use.
`ExternalIdentity` ties a provider's subject to a Linli account. `SsoClaimRule` is how an admin
lets a staff identity in without linking it by hand: a claim value grants a role in a community.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import field_validator
from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.auth.models import StrictBody, TokenPair
from backend.db import UTCDateTime, utcnow
from backend.validation import check_mainland_mobile


class SsoState(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(max_length=64, unique=True)
    provider: str = Field(max_length=16)  # "wechat" | "oidc"
    purpose: str = Field(max_length=16)  # "sign_in" | "bind"
    user_id: int | None = Field(default=None, foreign_key="user.id")  # who binds, for "bind"
    app_id: str | None = Field(default=None, max_length=64)  # the WeChat app the code is for
    nonce: str | None = Field(default=None, max_length=64)
    code_verifier: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class ExternalIdentity(SQLModel, table=True):
    """A WeChat openid (issuer = the app id; unionid spans a developer's apps) or an OIDC `sub`."""

    __table_args__ = (
        UniqueConstraint("provider", "issuer", "subject"),
        UniqueConstraint("user_id", "provider", "issuer"),
    )
    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=16)
    issuer: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    unionid: str | None = Field(default=None, max_length=64, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    display_name: str | None = Field(default=None, max_length=64)
    avatar_url: str | None = Field(default=None, max_length=512)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class SsoClaimRule(SQLModel, table=True):
    """An identity whose claim `claim` holds `value` (or lists it) gets `role` in the community."""

    __table_args__ = (UniqueConstraint("claim", "value", "community_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    claim: str = Field(max_length=64)
    value: str = Field(max_length=255)
    community_id: int = Field(foreign_key="community.id", index=True)
    role: str = Field(max_length=16)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


# --- request and answer bodies -------------------------------------------------------------

RULE_ROLES = ("resident", "volunteer", "party_member", "worker")


class ProvidersPublic(SQLModel):
    """Which sign-in buttons the PWA shows."""

    wechat_in_app: bool
    wechat_qr: bool
    oidc: bool
    oidc_label: str | None = None


class WechatStart(StrictBody):
    mode: Literal["in_app", "qr"] = "in_app"
    scope: Literal["snsapi_base", "snsapi_userinfo"] = "snsapi_base"


class AuthorizeRedirect(SQLModel):
    authorize_url: str
    state: str


class CallbackBody(StrictBody):
    # Optional so that a missing one is the protocol's 400 (state_invalid), not a form's 422.
    code: str | None = Field(default=None, max_length=512)
    state: str | None = Field(default=None, max_length=128)
    iss: str | None = Field(default=None, max_length=255)  # RFC 9207, when the provider sends it


class WechatSignIn(SQLModel):
    """Either tokens (the identity is bound) or a ticket to bind it to a phone by one-time code."""

    tokens: TokenPair | None = None
    bind_ticket: str | None = None
    nickname: str | None = None
    avatar_url: str | None = None


class WechatBindBody(StrictBody):
    bind_ticket: str = Field(min_length=1, max_length=2048)
    phone: str
    code: str = Field(min_length=6, max_length=6, regex=r"^[0-9]{6}$")

    _phone = field_validator("phone")(check_mainland_mobile)


class IdentityPublic(SQLModel):
    id: int
    provider: str
    display_name: str | None
    avatar_url: str | None
    created_at: datetime


class OidcSignIn(TokenPair):
    id_token: str  # kept by the PWA only as the hint for RP-initiated logout


class OidcLogoutBody(StrictBody):
    refresh_token: str | None = Field(default=None, max_length=256)
    id_token: str | None = Field(default=None, max_length=8192)


class OidcLogout(SQLModel):
    end_session_url: str | None


class LinkCreate(StrictBody):
    subject: str = Field(min_length=1, max_length=255)
    user_id: int


class LinkPublic(SQLModel):
    id: int
    issuer: str
    subject: str
    user_id: int
    user_name: str
    created_at: datetime


class RuleCreate(StrictBody):
    claim: str = Field(min_length=1, max_length=64)
    value: str = Field(min_length=1, max_length=255)
    community_id: int
    role: Literal["resident", "volunteer", "party_member", "worker"]


class RulePublic(SQLModel):
    id: int
    claim: str
    value: str
    community_id: int
    role: str
    created_at: datetime
