"""WeChat and OpenID Connect configuration, from the environment.

A provider is switched on by setting its id, secret (WeChat) or issuer (OIDC) and callback URL;
leave them unset and `GET /api/v1/auth/providers` tells the PWA not to show the button. The base
URLs of WeChat's two hosts can be overridden only so tests can point them at a local stand-in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


class SsoSettingsError(RuntimeError):
    """A provider is half configured (an id without its secret, …)."""


@dataclass(frozen=True)
class WechatApp:
    """One WeChat application: the 公众号 (inside WeChat) or the 开放平台 website app (QR code)."""

    app_id: str
    secret: str


@dataclass(frozen=True)
class SsoSettings:
    wechat_mp: WechatApp | None = None
    wechat_qr: WechatApp | None = None
    wechat_callback_url: str = ""
    wechat_open_url: str = "https://open.weixin.qq.com"
    wechat_api_url: str = "https://api.weixin.qq.com"
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_url: str = ""
    oidc_post_logout_url: str = ""
    oidc_scopes: str = "openid profile email phone"
    oidc_label: str = ""
    http_timeout_seconds: float = 10.0

    @property
    def wechat_enabled(self) -> bool:
        return bool((self.wechat_mp or self.wechat_qr) and self.wechat_callback_url)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_redirect_url)


def _app(id_var: str, secret_var: str) -> WechatApp | None:
    app_id, secret = os.environ.get(id_var, ""), os.environ.get(secret_var, "")
    if bool(app_id) != bool(secret):
        raise SsoSettingsError(f"{id_var} and {secret_var} must be set together")
    return WechatApp(app_id, secret) if app_id else None


def load_sso_settings() -> SsoSettings:
    settings = SsoSettings(
        wechat_mp=_app("LINLI_WECHAT_APP_ID", "LINLI_WECHAT_APP_SECRET"),
        wechat_qr=_app("LINLI_WECHAT_QR_APP_ID", "LINLI_WECHAT_QR_APP_SECRET"),
        wechat_callback_url=os.environ.get("LINLI_WECHAT_CALLBACK_URL", ""),
        oidc_issuer=os.environ.get("LINLI_OIDC_ISSUER", "").rstrip("/"),
        oidc_client_id=os.environ.get("LINLI_OIDC_CLIENT_ID", ""),
        oidc_client_secret=os.environ.get("LINLI_OIDC_CLIENT_SECRET", ""),
        oidc_redirect_url=os.environ.get("LINLI_OIDC_REDIRECT_URL", ""),
        oidc_post_logout_url=os.environ.get("LINLI_OIDC_POST_LOGOUT_URL", ""),
        oidc_scopes=os.environ.get("LINLI_OIDC_SCOPES", "") or SsoSettings.oidc_scopes,
        oidc_label=os.environ.get("LINLI_OIDC_LABEL", ""),
    )
    if (settings.wechat_mp or settings.wechat_qr) and not settings.wechat_callback_url:
        raise SsoSettingsError("a WeChat app id needs LINLI_WECHAT_CALLBACK_URL")
    oidc_set = [settings.oidc_issuer, settings.oidc_client_id, settings.oidc_redirect_url]
    if any(oidc_set) and not all(oidc_set):
        raise SsoSettingsError(
            "LINLI_OIDC_ISSUER, LINLI_OIDC_CLIENT_ID and LINLI_OIDC_REDIRECT_URL go together"
        )
    return settings
