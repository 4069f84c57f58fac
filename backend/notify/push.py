"""Web Push: the server's VAPID keys, people's device subscriptions, and sending one message.

The key pair is made the first time any process needs it and kept in the database, so every
replica signs with the same key and subscriptions survive restarts. Of two processes making it at
once, the loser of the primary-key race reads the winner's. A push service answering 404 or 410
says the subscription is gone; it is deleted then.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush_async
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.errors import Invalid, NotFound
from backend.notify.models import (
    PushSubscription,
    PushSubscriptionCreate,
    PushSubscriptionPublic,
    VapidKey,
)
from backend.settings import Settings

log = logging.getLogger("linli.push")
GONE = {404, 410}
CONTACT = "mailto:ops@linli.invalid"  # the push services' contact claim; set per deployment


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def vapid_key(session: AsyncSession) -> VapidKey:
    """The kept key pair, made and stored on first use. Commits when it makes one."""
    found = await session.get(VapidKey, 1)
    if found is not None:
        return found
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    key = VapidKey(id=1, private_pem=pem, public_key=_b64(point))
    session.add(key)
    try:
        await session.commit()
    except IntegrityError:  # another process made it first: use theirs
        await session.rollback()
        return await session.get(VapidKey, 1, populate_existing=True)  # type: ignore[return-value]
    return key


def _check_endpoint(endpoint: str, settings: Settings) -> None:
    parts = urlsplit(endpoint)
    secure = parts.scheme == "https"
    local_test = parts.scheme == "http" and settings.env != "production"
    if not parts.hostname or not (secure or local_test):
        raise Invalid("endpoint", "must be the https URL the browser's push service gave")


async def subscribe(
    session: AsyncSession, *, caller: Caller, settings: Settings, body: PushSubscriptionCreate
) -> PushSubscriptionPublic:
    """Store (or move to the caller) the subscription of one device; one row per endpoint."""
    _check_endpoint(body.endpoint, settings)
    row = await session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == body.endpoint)
    )
    if row is None:
        row = PushSubscription(user_id=caller.id, endpoint=body.endpoint, p256dh="", auth="")
        session.add(row)
    # A device signed in as someone else now belongs to the caller.
    row.user_id, row.p256dh, row.auth = caller.id, body.keys.p256dh, body.keys.auth
    await session.commit()
    return PushSubscriptionPublic.model_validate(row, from_attributes=True)


async def unsubscribe(session: AsyncSession, *, caller: Caller, subscription_id: int) -> None:
    row = await session.get(PushSubscription, subscription_id)
    if row is None or row.user_id != caller.id:
        raise NotFound("push.not_found", "no such device among yours")
    await session.delete(row)
    await session.commit()


async def send(key: VapidKey, subscription: PushSubscription, message: dict[str, Any]) -> bool:
    """Push `message` (JSON) to one device; False when the push service says it is gone.
    Other failures are logged and swallowed: a dead push service never blocks anything."""
    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    try:
        await webpush_async(
            info,
            data=json.dumps(message, ensure_ascii=False),
            vapid_private_key=Vapid02.from_pem(key.private_pem.encode()),
            vapid_claims={"sub": CONTACT},
            timeout=10,
            ttl=24 * 3600,
        )
    except WebPushException as exc:
        if exc.status_code in GONE:
            return False
        log.warning("push to subscription %s failed: %s", subscription.id, exc)
    except Exception as exc:  # timeouts, refused connections, bad keys
        log.warning("push to subscription %s failed: %s", subscription.id, exc)
    return True


async def forget(session: AsyncSession, subscription_id: int) -> None:
    await session.execute(delete(PushSubscription).where(PushSubscription.id == subscription_id))
    await session.commit()
