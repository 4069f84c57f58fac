"""WeChat and OIDC are configured by environment; half a configuration refuses to start."""

from __future__ import annotations

import pytest

from backend.sso.settings import SsoSettingsError, load_sso_settings

WECHAT = {
    "LINLI_WECHAT_APP_ID": "wx1",
    "LINLI_WECHAT_APP_SECRET": "s",
    "LINLI_WECHAT_CALLBACK_URL": "https://linli.example.cn/sign-in/wechat",
}
OIDC = {
    "LINLI_OIDC_ISSUER": "https://idp.example.cn/",
    "LINLI_OIDC_CLIENT_ID": "linli",
    "LINLI_OIDC_REDIRECT_URL": "https://linli.example.cn/sign-in/sso",
}


def _env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name in (*WECHAT, *OIDC, "LINLI_WECHAT_QR_APP_ID", "LINLI_WECHAT_QR_APP_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_nothing_set_means_no_buttons(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, {})
    sso = load_sso_settings()
    assert not sso.wechat_enabled and not sso.oidc_enabled


def test_a_full_configuration_switches_both_on(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, {**WECHAT, **OIDC})
    sso = load_sso_settings()
    assert sso.wechat_enabled and sso.wechat_mp and sso.wechat_qr is None
    assert sso.oidc_enabled and sso.oidc_issuer == "https://idp.example.cn"


@pytest.mark.parametrize(
    "values",
    [
        {"LINLI_WECHAT_APP_ID": "wx1", "LINLI_WECHAT_CALLBACK_URL": "https://x/cb"},
        {"LINLI_WECHAT_APP_ID": "wx1", "LINLI_WECHAT_APP_SECRET": "s"},
        {"LINLI_OIDC_ISSUER": "https://idp.example.cn", "LINLI_OIDC_CLIENT_ID": "linli"},
    ],
)
def test_half_a_configuration_is_refused(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str]
) -> None:
    _env(monkeypatch, values)
    with pytest.raises(SsoSettingsError):
        load_sso_settings()
