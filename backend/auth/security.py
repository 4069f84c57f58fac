"""Authentication middleware (Bearer access token → `request.user`) and the role guards.

Guards answer coarse questions ("is this caller a worker anywhere?"). Whether the caller may see
or act on one particular order is decided next to the data, in `orders/access.py`, because it
depends on the order (404 for what is not theirs to see, 403 for an action not theirs).
"""

from __future__ import annotations

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware

from backend.auth.caller import Caller
from backend.auth.tokens import decode_access_token
from backend.errors import Forbidden, Unauthorized

# Public routes (PWA, health, sign-in) carry the handler option `exclude_from_auth=True`;
# the OpenAPI schema is public too.
PUBLIC_PATHS = [r"^/schema"]


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("auth.unauthorized", "sign in first: an Authorization Bearer token")
        secret = connection.app.state.settings.secret_key
        caller = decode_access_token(token.strip(), secret=secret)
        return AuthenticationResult(user=caller, auth=token)


authentication = DefineMiddleware(BearerTokenMiddleware, exclude=PUBLIC_PATHS)


def requires_any_role(*roles: str):
    """Guard: the caller holds at least one of `roles` in at least one community."""

    def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # CORS preflight and Allow: unauthenticated by design, they answer no data
        caller: Caller | None = connection.scope.get("user")
        if caller is None:
            raise Unauthorized("auth.unauthorized", "sign in first")
        if not caller.has_any(*roles):
            raise Forbidden("auth.role_required", f"needs one of the roles: {', '.join(roles)}")

    guard.__name__ = f"requires_any_role_{'_'.join(roles)}"
    return guard


def provide_caller(request: Request) -> Caller:
    return request.user
