"""Stand-ins on 127.0.0.1 for WeChat's web-authorisation API and for a misbehaving OIDC issuer.

`FakeWechat` answers like api.weixin.qq.com documents: tokens for a code, `errcode` 40029 for an
unknown code and 40163 for a used one, 42001 for an expired access token, the refresh endpoint,
and userinfo. `FakeIssuer` is an OIDC issuer whose next ID token can be made wrong on purpose
(audience, expiry, signature), which a real provider will not do.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from joserfc import jwt
from joserfc.jwk import ECKey


class _Server:
    """A tiny JSON server on a free loopback port, run in a daemon thread."""

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self._answer(self.rfile.read(length).decode())

            def _answer(self, body: str = "") -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                query.update({k: v[0] for k, v in parse_qs(body).items()})
                status, data = owner.route(url.path, query, dict(self.headers))
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.calls: list[str] = []
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def route(self, path: str, query: dict, headers: dict) -> tuple[int, dict]:
        raise NotImplementedError

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeWechat(_Server):
    def __init__(self, apps: dict[str, str]) -> None:
        super().__init__()
        self.apps = apps  # appid → secret
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.refresh: dict[str, dict] = {}

    def authorise(self, app_id: str, openid: str, *, scope: str = "snsapi_base", **person) -> str:
        """What WeChat does when the person agrees: a one-use code for the callback."""
        code = secrets.token_hex(8)
        self.codes[code] = {"app": app_id, "openid": openid, "scope": scope, **person}
        return code

    def expire_access_tokens(self) -> None:
        for token in self.tokens.values():
            token["expired"] = True

    def _issue(self, grant: dict) -> dict:
        access, refresh = secrets.token_hex(12), secrets.token_hex(12)
        self.tokens[access] = {**grant, "expired": grant.get("expire_at_once", False)}
        self.refresh[refresh] = grant
        answer = {
            "access_token": access,
            "expires_in": 7200,
            "refresh_token": refresh,
            "openid": grant["openid"],
            "scope": grant["scope"],
        }
        if grant.get("unionid"):
            answer["unionid"] = grant["unionid"]
        return answer

    def route(self, path: str, query: dict, headers: dict) -> tuple[int, dict]:
        self.calls.append(path)
        if path == "/sns/oauth2/access_token":
            if self.apps.get(query.get("appid", "")) != query.get("secret"):
                return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
            grant = self.codes.get(query.get("code", ""))
            if grant is None or grant["app"] != query["appid"]:
                return 200, {"errcode": 40029, "errmsg": "invalid code"}
            if grant.get("used"):
                return 200, {"errcode": 40163, "errmsg": "code been used"}
            grant["used"] = True
            return 200, self._issue(grant)
        if path == "/sns/oauth2/refresh_token":
            grant = self.refresh.get(query.get("refresh_token", ""))
            if grant is None or query.get("appid") != grant["app"]:
                return 200, {"errcode": 40030, "errmsg": "invalid refresh_token"}
            return 200, self._issue({**grant, "expire_at_once": False})
        if path == "/sns/userinfo":
            token = self.tokens.get(query.get("access_token", ""))
            if token is None:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}
            if token["expired"]:
                return 200, {"errcode": 42001, "errmsg": "access_token expired"}
            if query.get("openid") != token["openid"]:
                return 200, {"errcode": 40003, "errmsg": "invalid openid"}
            return 200, {
                "openid": token["openid"],
                "nickname": token.get("nickname", ""),
                "headimgurl": token.get("headimgurl", ""),
                "privilege": [],
                **({"unionid": token["unionid"]} if token.get("unionid") else {}),
            }
        return 404, {"errcode": 404, "errmsg": "not found"}


class FakeIssuer(_Server):
    """An OIDC issuer whose ID tokens the test shapes: `mode` in good|wrong_aud|expired|bad_sig."""

    def __init__(self, client_id: str) -> None:
        super().__init__()
        self.client_id = client_id
        self.key = ECKey.generate_key("P-256", parameters={"kid": "k1", "use": "sig"})
        self.codes: dict[str, dict] = {}

    def authorise(self, nonce: str, sub: str, mode: str = "good", **claims: object) -> str:
        code = secrets.token_hex(8)
        self.codes[code] = {"nonce": nonce, "sub": sub, "mode": mode, "claims": claims}
        return code

    def _id_token(self, grant: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": grant["sub"],
            "aud": "someone-else" if grant["mode"] == "wrong_aud" else self.client_id,
            "iat": now - 7200 if grant["mode"] == "expired" else now,
            "exp": now - 3600 if grant["mode"] == "expired" else now + 300,
            "nonce": grant["nonce"],
            **grant["claims"],
        }
        key = self.key
        if grant["mode"] == "bad_sig":
            key = ECKey.generate_key("P-256", parameters={"kid": "k1"})
        return jwt.encode({"alg": "ES256", "kid": "k1"}, claims, key)

    def route(self, path: str, query: dict, headers: dict) -> tuple[int, dict]:
        self.calls.append(path)
        if path == "/.well-known/openid-configuration":
            return 200, {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/auth",
                "token_endpoint": f"{self.url}/token",
                "jwks_uri": f"{self.url}/jwks",
            }
        if path == "/jwks":
            return 200, {"keys": [self.key.as_dict(private=False)]}
        if path == "/token":
            grant = self.codes.pop(query.get("code", ""), None)
            if grant is None:
                return 400, {"error": "invalid_grant", "error_description": "unknown code"}
            return 200, {
                "access_token": secrets.token_hex(8),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self._id_token(grant),
            }
        return 404, {"error": "not_found"}
