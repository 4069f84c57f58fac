"""The Tencent Cloud SMS adapter: its request signing (TC3-HMAC-SHA256) reproduces the worked
example in Tencent's API documentation, and a real HTTP exchange with a stand-in gateway sends
what Tencent expects, retries what Tencent says is temporary, and gives up on what is not."""

from __future__ import annotations

import hashlib
import json

import pytest

from backend.notify.sms import (
    RetryingSms,
    SmsRefused,
    TencentSms,
    make_sms_sender,
    tc3_authorization,
)
from backend.settings import SettingsError, TencentSmsSettings, load_settings
from tests.notify.conftest import Receiver

# "Signature v3" in Tencent Cloud's API documentation: DescribeInstances on CVM, with the
# documentation's example keys, at timestamp 1551113065 (2019-02-25 UTC).
DOC_ID, DOC_KEY = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
DOC_BODY = (
    b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
)
DOC_AUTHORIZATION = (
    "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, "
    "SignedHeaders=content-type;host, "
    "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
)


def test_the_signature_matches_tencents_documented_example() -> None:
    # The documentation's intermediate value for the body, then the final header.
    assert hashlib.sha256(DOC_BODY).hexdigest() == (
        "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    )
    authorization = tc3_authorization(
        secret_id=DOC_ID,
        secret_key=DOC_KEY,
        service="cvm",
        host="cvm.tencentcloudapi.com",
        timestamp=1551113065,
        payload=DOC_BODY,
    )
    assert authorization == DOC_AUTHORIZATION


def config(receiver: Receiver, outcome: str) -> TencentSmsSettings:
    return TencentSmsSettings(
        secret_id="AKIDtest",
        secret_key="test-secret-key",
        app_id="1400006666",
        sign_name="邻里",
        templates={"login_code": ["449739", "code", "minutes"]},
        endpoint=f"{receiver.base}/tencent/{outcome}",
    )


async def test_a_code_goes_out_as_tencent_expects_it(receiver: Receiver) -> None:
    settings = config(receiver, "ok")
    sms = TencentSms(settings, clock=lambda: 1763776800.0)  # 2025-11-22 02:00 UTC
    await sms.send("13800000001", "login_code", {"code": "482913", "minutes": "5"})
    [sent] = receiver.to("/tencent/ok")
    body = json.loads(sent["body"])
    assert body == {
        "PhoneNumberSet": ["+8613800000001"],
        "SmsSdkAppId": "1400006666",
        "SignName": "邻里",
        "TemplateId": "449739",
        "TemplateParamSet": ["482913", "5"],  # in the template's order
    }
    headers = sent["headers"]
    assert headers["x-tc-action"] == "SendSms" and headers["x-tc-version"] == "2021-01-11"
    assert headers["x-tc-timestamp"] == "1763776800" and headers["x-tc-region"] == "ap-guangzhou"
    # What the gateway would check: the header signs exactly these bytes, this host and time.
    assert headers["authorization"] == tc3_authorization(
        secret_id="AKIDtest",
        secret_key="test-secret-key",
        service="sms",
        host=headers["host"],
        timestamp=1763776800,
        payload=sent["body"],
    )
    assert "/2025-11-22/sms/tc3_request" in headers["authorization"]


async def test_a_busy_gateway_is_tried_again_and_a_refusal_is_not(receiver: Receiver) -> None:
    busy = RetryingSms(TencentSms(config(receiver, "busy")), base_delay=0.01)
    await busy.send("13800000001", "login_code", {"code": "1", "minutes": "5"})
    assert len(receiver.to("/tencent/busy")) == 2  # InternalError, then sent

    limited = RetryingSms(TencentSms(config(receiver, "limit")), base_delay=0.01)
    with pytest.raises(SmsRefused, match="PhoneNumberDailyLimit"):
        await limited.send("13800000001", "login_code", {"code": "2", "minutes": "5"})
    assert len(receiver.to("/tencent/limit")) == 1

    with pytest.raises(SmsRefused, match="no Tencent template"):
        await limited.send("13800000001", "order.accept", {"number": "20261122-0001"})


def test_the_tencent_backend_is_configured_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LINLI_SMS_BACKEND", "tencent")
    monkeypatch.setenv("LINLI_TENCENT_SMS_TEMPLATES", '{"login_code": ["449739", "code"]}')
    with pytest.raises(SettingsError, match="LINLI_TENCENT_SECRET_ID"):
        load_settings()
    for name, value in {
        "LINLI_TENCENT_SECRET_ID": "AKIDtest",
        "LINLI_TENCENT_SECRET_KEY": "secret",
        "LINLI_TENCENT_SMS_APP_ID": "1400006666",
        "LINLI_TENCENT_SMS_SIGN": "邻里",
    }.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.tencent_sms is not None
    assert settings.tencent_sms.templates == {"login_code": ["449739", "code"]}
    sender = make_sms_sender(settings)
    assert isinstance(sender, RetryingSms) and isinstance(sender.inner, TencentSms)
    monkeypatch.setenv("LINLI_TENCENT_SMS_TEMPLATES", '{"order.accept": ["1", "number"]}')
    with pytest.raises(SettingsError, match="login_code"):
        load_settings()
    monkeypatch.setenv("LINLI_TENCENT_SMS_TEMPLATES", "not json")
    with pytest.raises(SettingsError, match="LINLI_TENCENT_SMS_TEMPLATES"):
        load_settings()
