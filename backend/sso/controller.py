"""Routes for WeChat and OIDC sign-in, the person's own bindings (我的), and admin SSO access.

The provider sends the browser back to the PWA's callback page; the PWA posts `{code, state}`
here, so tokens never travel in a URL.
"""

from __future__ import annotations

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.auth.models import TokenPair
from backend.auth.security import requires_any_role
from backend.sso import service, staff
from backend.sso.models import (
    AuthorizeRedirect,
    CallbackBody,
    IdentityPublic,
    LinkCreate,
    LinkPublic,
    OidcLogout,
    OidcLogoutBody,
    OidcSignIn,
    ProvidersPublic,
    RuleCreate,
    RulePublic,
    WechatBindBody,
    WechatSignIn,
    WechatStart,
)


class SsoController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]
    opt = {"exclude_from_auth": True}
    security = []

    @get("/providers", operation_id="listSignInProviders")
    async def providers(self, request: Request) -> ProvidersPublic:
        """Which sign-in buttons to show: WeChat (in WeChat / QR code) and staff single sign-on."""
        return service.providers(request.app.state.settings.sso)

    @post("/wechat/start", status_code=HTTP_200_OK, operation_id="startWechatSignIn")
    async def wechat_start(
        self, request: Request, data: JSONBody[WechatStart], db: NamedDependency[AsyncSession]
    ) -> AuthorizeRedirect:
        """Where to send the browser: WeChat's authorisation page (in WeChat) or its QR code."""
        return await service.start_wechat(
            db, sso=request.app.state.settings.sso, mode=data.mode, scope=data.scope
        )

    @post("/wechat/callback", status_code=HTTP_200_OK, operation_id="finishWechatSignIn")
    async def wechat_callback(
        self, request: Request, data: JSONBody[CallbackBody], db: NamedDependency[AsyncSession]
    ) -> WechatSignIn:
        """Tokens when this WeChat is bound; otherwise a `bind_ticket` to confirm a phone with."""
        return await service.wechat_sign_in(
            db, settings=request.app.state.settings, code=data.code, state=data.state
        )

    @post("/wechat/bind", status_code=HTTP_200_OK, operation_id="bindWechatToPhone")
    async def wechat_bind(
        self, request: Request, data: JSONBody[WechatBindBody], db: NamedDependency[AsyncSession]
    ) -> TokenPair:
        """First WeChat sign-in: a one-time code (`POST /auth/otp`) confirms the phone to bind."""
        return await service.wechat_bind_phone(
            db,
            settings=request.app.state.settings,
            ticket=data.bind_ticket,
            phone=data.phone,
            code=data.code,
        )

    @post("/oidc/start", status_code=HTTP_200_OK, operation_id="startOidcSignIn")
    async def oidc_start(
        self, request: Request, db: NamedDependency[AsyncSession]
    ) -> AuthorizeRedirect:
        """Where to send the browser: the identity provider's sign-in page (code flow + PKCE)."""
        return await staff.start(db, sso=request.app.state.settings.sso)

    @post("/oidc/callback", status_code=HTTP_200_OK, operation_id="finishOidcSignIn")
    async def oidc_callback(
        self, request: Request, data: JSONBody[CallbackBody], db: NamedDependency[AsyncSession]
    ) -> OidcSignIn:
        """Linli's token pair for a linked or rule-matched staff identity (403 otherwise)."""
        return await staff.callback(db, settings=request.app.state.settings, body=data)

    @post("/oidc/logout", status_code=HTTP_200_OK, operation_id="signOutOidc")
    async def oidc_logout(
        self, request: Request, data: JSONBody[OidcLogoutBody], db: NamedDependency[AsyncSession]
    ) -> OidcLogout:
        """Revoke the refresh token's sign-in; `end_session_url` signs out at the provider too."""
        return await staff.logout(
            db,
            settings=request.app.state.settings,
            refresh_token=data.refresh_token,
            id_token=data.id_token,
        )


class MyIdentitiesController(Controller):
    path = "/api/v1/me/identities"
    tags = ["auth"]

    @get("/", operation_id="listMyIdentities")
    async def list_mine(
        self, caller: NamedDependency[Caller], db: NamedDependency[AsyncSession]
    ) -> list[IdentityPublic]:
        """The WeChat and single sign-on identities bound to this account."""
        return await service.list_identities(db, caller=caller)

    @post("/wechat/start", status_code=HTTP_200_OK, operation_id="startMyWechatBinding")
    async def wechat_start(
        self,
        request: Request,
        data: JSONBody[WechatStart],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> AuthorizeRedirect:
        """Start binding WeChat to the signed-in account."""
        return await service.start_wechat(
            db,
            sso=request.app.state.settings.sso,
            mode=data.mode,
            scope=data.scope,
            user_id=caller.id,
        )

    @post("/wechat", status_code=HTTP_201_CREATED, operation_id="bindMyWechat")
    async def wechat_bind(
        self,
        request: Request,
        data: JSONBody[CallbackBody],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> IdentityPublic:
        """Finish binding with WeChat's `{code, state}`; 409 when it is bound to another phone."""
        return await service.wechat_bind_signed_in(
            db,
            settings=request.app.state.settings,
            caller=caller,
            code=data.code,
            state=data.state,
        )

    @delete("/{identity_id:int}", status_code=HTTP_204_NO_CONTENT, operation_id="unbindMyWechat")
    async def unbind(
        self,
        identity_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """Unbind a WeChat identity (signing in by phone keeps working)."""
        await service.unbind(db, caller=caller, identity_id=identity_id)


class SsoAdminController(Controller):
    path = "/api/v1/admin/sso"
    tags = ["admin"]
    guards = [requires_any_role("admin")]

    @get("/links", operation_id="listSsoLinks")
    async def list_links(self, db: NamedDependency[AsyncSession]) -> list[LinkPublic]:
        """Staff identities linked to Linli accounts."""
        return await staff.list_links(db)

    @post("/links", status_code=HTTP_201_CREATED, operation_id="createSsoLink")
    async def create_link(
        self,
        request: Request,
        data: JSONBody[LinkCreate],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> LinkPublic:
        """Let the provider's subject `subject` sign in as the account `user_id`."""
        return await staff.create_link(
            db, caller=caller, sso=request.app.state.settings.sso, body=data
        )

    @delete("/links/{link_id:int}", status_code=HTTP_204_NO_CONTENT, operation_id="deleteSsoLink")
    async def delete_link(
        self,
        link_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """Unlink a staff identity; it can no longer sign in (unless a rule matches it)."""
        await staff.delete_link(db, caller=caller, link_id=link_id)

    @get("/rules", operation_id="listSsoRules")
    async def list_rules(
        self, caller: NamedDependency[Caller], db: NamedDependency[AsyncSession]
    ) -> list[RulePublic]:
        """Claim rules of the communities this admin administers."""
        return await staff.list_rules(db, caller=caller)

    @post("/rules", status_code=HTTP_201_CREATED, operation_id="createSsoRule")
    async def create_rule(
        self,
        data: JSONBody[RuleCreate],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> RulePublic:
        """Identities whose claim `claim` holds `value` get `role` in `community_id`."""
        return await staff.create_rule(db, caller=caller, body=data)

    @delete("/rules/{rule_id:int}", status_code=HTTP_204_NO_CONTENT, operation_id="deleteSsoRule")
    async def delete_rule(
        self,
        rule_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """Remove a claim rule (roles it already granted stay until a worker removes them)."""
        await staff.delete_rule(db, caller=caller, rule_id=rule_id)
