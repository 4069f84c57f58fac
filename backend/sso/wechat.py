"""WeChat web authorisation on authlib's httpx OAuth 2.0 client, with WeChat's compliance fixes.

WeChat bends OAuth 2.0 in documented ways: the client is `appid`/`secret` in the query string of a
GET token request, the token answer carries `openid` (and `unionid`) but no `token_type`, the
access token goes in the query string, and failures come back as HTTP 200 with `errcode`. The
fixes below teach authlib those rules; the flow itself stays authlib's.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.integrations.httpx_client import AsyncOAuth2Client

from backend.errors import BadGateway, BadRequest
from backend.sso.settings import SsoSettings, WechatApp

# 40029 invalid code, 40163 code already used: the person must start again.
CODE_ERRORS = {40029, 40163}
# 40001 invalid credential, 42001 access token expired, 42007 token refreshed elsewhere.
EXPIRED_TOKEN_ERRORS = {40001, 42001, 42007}


class WechatError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


@dataclass(frozen=True)
class WechatProfile:
    app_id: str
    openid: str
    unionid: str | None
    nickname: str | None = None
    avatar_url: str | None = None


def authorize_url(sso: SsoSettings, app: WechatApp, *, mode: str, scope: str, state: str) -> str:
    """WeChat checks the parameter order, so the URL is built in the documented order."""
    path, scope = (
        ("/connect/qrconnect", "snsapi_login")
        if mode == "qr"
        else ("/connect/oauth2/authorize", scope)
    )
    query = urlencode(
        [
            ("appid", app.app_id),
            ("redirect_uri", sso.wechat_callback_url),
            ("response_type", "code"),
            ("scope", scope),
            ("state", state),
        ]
    )
    return f"{sso.wechat_open_url}{path}?{query}#wechat_redirect"


def _appid_secret_auth(client, method, uri, headers, body):
    params = [("appid", client.client_id)]
    if "grant_type=authorization_code" in uri:
        params.append(("secret", client.client_secret))
    return add_params_to_uri(uri, params), headers, body


def _check_errcode(response: httpx.Response) -> httpx.Response:
    """WeChat answers errors with HTTP 200 and `errcode`; tokens come without `token_type`."""
    try:
        data = response.json()
    except ValueError as exc:
        raise BadGateway(
            "auth.provider_error", "WeChat answered something that is not JSON"
        ) from exc
    if data.get("errcode"):
        raise WechatError(int(data["errcode"]), str(data.get("errmsg", "")))
    if "access_token" in data and "token_type" not in data:
        data["token_type"] = "Bearer"  # noqa: S105 — OAuth token type
        response._content = httpx.Response(200, json=data).content
    return response


def _client(sso: SsoSettings, app: WechatApp) -> AsyncOAuth2Client:
    client = AsyncOAuth2Client(
        client_id=app.app_id,
        client_secret=app.secret,
        token_endpoint_auth_method="wechat_appid_secret",  # noqa: S106 — a method name
        token_placement="uri",  # noqa: S106 — WeChat wants ?access_token=
        timeout=sso.http_timeout_seconds,
    )
    client.register_client_auth_method(("wechat_appid_secret", _appid_secret_auth))
    client.register_compliance_hook("access_token_response", _check_errcode)
    return client


async def fetch_profile(sso: SsoSettings, app: WechatApp, code: str) -> WechatProfile:
    """Exchange the code; with snsapi_userinfo (or the QR login) read the nickname and avatar."""
    try:
        async with _client(sso, app) as client:
            token = await client.fetch_token(
                f"{sso.wechat_api_url}/sns/oauth2/access_token",
                method="GET",
                grant_type="authorization_code",
                code=code,
            )
            profile = WechatProfile(app.app_id, str(token["openid"]), token.get("unionid"))
            scopes = str(token.get("scope", "")).split(",")
            if "snsapi_userinfo" not in scopes and "snsapi_login" not in scopes:
                return profile
            info = await _userinfo(sso, client, profile.openid)
    except WechatError as exc:
        if exc.errcode in CODE_ERRORS:
            raise BadRequest("auth.code_rejected", f"WeChat refused the code: {exc}") from exc
        raise BadGateway("auth.provider_error", f"WeChat answered an error: {exc}") from exc
    except httpx.HTTPError as exc:
        raise BadGateway("auth.provider_unreachable", "WeChat could not be reached") from exc
    return WechatProfile(
        app.app_id,
        profile.openid,
        info.get("unionid") or profile.unionid,
        info.get("nickname") or None,
        info.get("headimgurl") or None,
    )


async def _userinfo(sso: SsoSettings, client: AsyncOAuth2Client, openid: str) -> dict:
    """An access token WeChat calls expired is refreshed once (its refresh token lasts 30 days)."""
    url = f"{sso.wechat_api_url}/sns/userinfo"
    params = {"openid": openid, "lang": "zh_CN"}
    try:
        return _check_errcode(await client.get(url, params=params)).json()
    except WechatError as exc:
        if exc.errcode not in EXPIRED_TOKEN_ERRORS:
            raise
    await client.fetch_token(
        f"{sso.wechat_api_url}/sns/oauth2/refresh_token",
        method="GET",
        grant_type="refresh_token",
        refresh_token=client.token["refresh_token"],
    )
    return _check_errcode(await client.get(url, params=params)).json()
