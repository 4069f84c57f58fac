"""What an order's transition tells whom: one live event for everyone concerned, and inbox
notices for the people it is about (never the person who acted)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Category
from backend.notify.events import Event, publish_after_commit
from backend.notify.service import notify
from backend.orders.models import Order

# action → who is told in the inbox: the order's owner(s) or its taker
TELL_OWNER = {"accept", "start", "complete", "reject"}
TELL_TAKER = {"rate", "reopen"}


async def announce(
    session: AsyncSession,
    order: Order,
    category: Category,
    action: str,
    target: str,
    values: dict[str, Any],
    actor_id: int,
) -> None:
    """Call before the commit of a transition; `order` holds the values before it, `values`
    the columns it changed."""
    after_user = values.get("assignee_user_id", order.assignee_user_id)
    after_provider = values.get("assignee_provider_id", order.assignee_provider_id)
    pooled_before = order.status == "dispatched" and order.dispatch_mode == "pool"
    pooled_after = target == "dispatched" and values.get("dispatch_mode") == "pool"
    owners = [u for u in (order.resident_id, order.proxy_id) if u is not None]
    takers = [u for u in (order.assignee_user_id, after_user) if u is not None]
    providers = [p for p in (order.assignee_provider_id, after_provider) if p is not None]
    payload = {
        "order_id": order.id,
        "number": order.number,
        "action": action,
        "from_status": order.status if action != "submit" else None,
        "status": target,
        "urgency": order.urgency,
        "category_id": category.id,
    }
    await publish_after_commit(
        session,
        Event(
            kind=f"order.{action}",
            payload=payload,
            community_id=order.community_id,
            order_id=order.id,
            user_ids=owners + takers,
            roles=("worker", "admin"),
            taker_kinds=category.taker_kinds if pooled_before or pooled_after else None,
            provider_ids=providers,
        ),
    )
    told: list[int] = []
    if action in TELL_OWNER or (action == "cancel" and actor_id not in owners):
        told = owners
    elif action in TELL_TAKER or action == "cancel":
        told = takers
    elif action == "dispatch" and after_user is not None:
        told = [after_user]
    elif action == "submit" and order.proxy_id is not None:
        told = [order.resident_id]  # an elder ordered for by a worker hears of it
    told = [u for u in told if u != actor_id]
    if told:
        await notify(
            session,
            user_ids=told,
            kind=f"order.{action}",
            payload=payload,
            order_id=order.id,
            proxied=order.proxy_id is not None,
        )
