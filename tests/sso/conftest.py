"""Apps configured for WeChat and OIDC against stand-ins on loopback (see fakes.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.settings import Settings
from backend.sso.settings import SsoSettings, WechatApp
from tests.factories import Api
from tests.sso.fakes import FakeIssuer, FakeWechat

MP = WechatApp("wx-mp-linli", "mp-secret")
QR = WechatApp("wx-web-linli", "web-secret")
CALLBACK = "http://127.0.0.1:8000/sign-in/wechat"


@pytest.fixture(scope="session")
def fake_wechat() -> Iterator[FakeWechat]:
    server = FakeWechat({MP.app_id: MP.secret, QR.app_id: QR.secret})
    yield server
    server.close()


@pytest.fixture(scope="session")
def fake_issuer() -> Iterator[FakeIssuer]:
    server = FakeIssuer("linli")
    yield server
    server.close()


async def _serve(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_app(settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
async def wechat_client(settings: Settings, fake_wechat: FakeWechat) -> AsyncIterator:
    sso = SsoSettings(
        wechat_mp=MP,
        wechat_qr=QR,
        wechat_callback_url=CALLBACK,
        wechat_open_url="https://open.weixin.qq.com",
        wechat_api_url=fake_wechat.url,
    )
    async for client in _serve(replace(settings, sso=sso)):
        yield client


@pytest.fixture(scope="session")
async def issuer_client(settings: Settings, fake_issuer: FakeIssuer) -> AsyncIterator:
    sso = SsoSettings(
        oidc_issuer=fake_issuer.url,
        oidc_client_id="linli",
        oidc_redirect_url="http://127.0.0.1:8000/sign-in/sso",
    )
    async for client in _serve(replace(settings, sso=sso)):
        yield client


@pytest.fixture
def wechat(wechat_client: AsyncTestClient, world: dict, sessions: async_sessionmaker[AsyncSession]):
    return Api(wechat_client, world, wechat_client.app, sessions)


@pytest.fixture
def issuer(issuer_client: AsyncTestClient, world: dict, sessions: async_sessionmaker[AsyncSession]):
    return Api(issuer_client, world, issuer_client.app, sessions)
