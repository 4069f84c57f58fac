"""OpenID Connect for staff: discovery, code flow with PKCE, ID token checked with joserfc.

authlib's httpx client runs the protocol (authorisation URL with the S256 challenge, the code
exchange, the userinfo call); the ID token is verified here against the issuer's JWKS, fetched at
each sign-in so a rotated key is picked up at once: signature, `iss`, `aud`, `exp` and `nonce`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from backend.errors import BadGateway, BadRequest, Unauthorized
from backend.sso.settings import SsoSettings

DISCOVERY_TTL_SECONDS = 300
ID_TOKEN_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]
_discovered: dict[str, tuple[float, dict]] = {}


@dataclass(frozen=True)
class OidcResult:
    issuer: str
    subject: str
    claims: dict  # ID token claims, completed by userinfo
    id_token: str


def _unreachable(exc: Exception) -> BadGateway:
    return BadGateway("auth.provider_unreachable", f"the identity provider is unreachable: {exc}")


async def _get_json(sso: SsoSettings, url: str) -> dict:
    try:
        async with httpx.AsyncClient(timeout=sso.http_timeout_seconds) as client:
            answer = await client.get(url)
            answer.raise_for_status()
            data = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise _unreachable(exc) from exc
    if not isinstance(data, dict):
        raise BadGateway("auth.provider_error", f"{url} did not answer a JSON object")
    return data


async def discover(sso: SsoSettings) -> dict:
    cached = _discovered.get(sso.oidc_issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    meta = await _get_json(sso, f"{sso.oidc_issuer}/.well-known/openid-configuration")
    if meta.get("issuer", "").rstrip("/") != sso.oidc_issuer:
        raise BadGateway("auth.provider_error", "the discovery document names another issuer")
    _discovered[sso.oidc_issuer] = (time.monotonic() + DISCOVERY_TTL_SECONDS, meta)
    return meta


def _client(sso: SsoSettings, meta: dict) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=sso.oidc_client_id,
        client_secret=sso.oidc_client_secret or None,
        token_endpoint_auth_method="client_secret_basic" if sso.oidc_client_secret else "none",
        scope=sso.oidc_scopes,
        redirect_uri=sso.oidc_redirect_url,
        code_challenge_method="S256",
        timeout=sso.http_timeout_seconds,
        token_endpoint=meta["token_endpoint"],
    )


async def authorize_url(sso: SsoSettings, *, state: str, nonce: str, code_verifier: str) -> str:
    meta = await discover(sso)
    async with _client(sso, meta) as client:
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"], state=state, code_verifier=code_verifier, nonce=nonce
        )
    return url


async def sign_in(sso: SsoSettings, *, code: str, code_verifier: str, nonce: str) -> OidcResult:
    meta = await discover(sso)
    async with _client(sso, meta) as client:
        try:
            token = await client.fetch_token(
                meta["token_endpoint"], code=code, code_verifier=code_verifier
            )
        except OAuthError as exc:
            if exc.error in ("invalid_grant", "invalid_request"):
                raise BadRequest(
                    "auth.code_rejected", f"the provider refused the code: {exc}"
                ) from exc
            raise BadGateway("auth.provider_error", f"the provider answered: {exc}") from exc
        except httpx.HTTPError as exc:
            raise _unreachable(exc) from exc
        if "id_token" not in token:
            raise BadGateway("auth.provider_error", "the token answer holds no ID token")
        keys = await _get_json(sso, meta["jwks_uri"])
        claims = verify_id_token(
            str(token["id_token"]),
            keys,
            issuer=meta["issuer"],
            audience=sso.oidc_client_id,
            nonce=nonce,
        )
        if meta.get("userinfo_endpoint"):
            try:
                answer = await client.get(meta["userinfo_endpoint"])
                answer.raise_for_status()
                info = answer.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise _unreachable(exc) from exc
            # OIDC Core 5.3.2: userinfo for another subject must not be used.
            if info.get("sub") == claims["sub"]:
                claims = {**info, **claims}
    return OidcResult(meta["issuer"], str(claims["sub"]), claims, str(token["id_token"]))


def verify_id_token(id_token: str, jwks: dict, *, issuer: str, audience: str, nonce: str) -> dict:
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        decoded = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=ID_TOKEN_ALGORITHMS)
        registry.validate(decoded.claims)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise Unauthorized("auth.id_token_invalid", f"the ID token was refused: {exc}") from exc
    return decoded.claims


async def end_session_url(sso: SsoSettings, *, id_token_hint: str | None, state: str) -> str | None:
    """RP-initiated logout, where the provider offers an `end_session_endpoint`."""
    meta = await discover(sso)
    endpoint = meta.get("end_session_endpoint")
    if not endpoint:
        return None
    params = {"client_id": sso.oidc_client_id, "state": state}
    if id_token_hint:
        params["id_token_hint"] = id_token_hint
    if sso.oidc_post_logout_url:
        params["post_logout_redirect_uri"] = sso.oidc_post_logout_url
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
