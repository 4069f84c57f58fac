"""Access tokens (JWT, HS256, via joserfc) and the hashing of secrets kept at rest."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from backend.auth.caller import Caller
from backend.errors import Unauthorized

_ISSUER = "linli"


@functools.lru_cache(maxsize=4)  # one secret per app: derived once, not on every request
def _key(secret: str) -> OctKey:
    return OctKey.import_key(hashlib.sha256(("jwt:" + secret).encode()).digest())


def encode_access_token(caller: Caller, *, secret: str, minutes: int) -> str:
    now = int(time.time())
    claims = {"iss": _ISSUER, "sub": str(caller.id), "iat": now, "exp": now + minutes * 60}
    claims.update(caller.to_claims())
    return jwt.encode({"alg": "HS256"}, claims, _key(secret))


_REGISTRY = jwt.JWTClaimsRegistry(
    iss={"essential": True, "value": _ISSUER}, sub={"essential": True}, exp={"essential": True}
)


def decode_access_token(token: str, *, secret: str) -> Caller:
    try:
        decoded = jwt.decode(token, _key(secret), algorithms=["HS256"])
        _REGISTRY.validate(decoded.claims)
        return Caller.from_claims(decoded.claims)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise Unauthorized("auth.invalid_token", "the access token is invalid or expired") from exc


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(value: str, *, secret: str, purpose: str) -> str:
    """Keyed hash for codes and refresh tokens: a leaked table alone reveals nothing usable."""
    return hmac.new(f"{purpose}:{secret}".encode(), value.encode(), hashlib.sha256).hexdigest()


def new_otp_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"
