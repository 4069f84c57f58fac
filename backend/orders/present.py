"""Turns loaded rows into the order answers of the API contract, applying the privacy rules.

An order is presented as plain JSON-ready values (dicts, in the field order of `OrderPublic`),
not as pydantic objects: a list page of 20 orders spent a third of its CPU building and then
dumping ~100 SQLModel objects (docs/performance.md, "Round three: the hot lists' CPU"). The list
sends these dicts as they are; the detail, answered far less often, still goes through
`OrderDetail`. tests/orders/test_list_answers.py checks the lists' bytes against what
`OrderPage` would have answered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row

from backend.auth.caller import Caller
from backend.files.models import FilePublic
from backend.orders import workflow
from backend.orders.access import mask_name, pool_only, relations, sees_contact
from backend.orders.models import Actor, OrderDetail, TimelineEntry


def present_detail(
    row: Row,
    caller: Caller,
    now: datetime,
    timeline: list[TimelineEntry],
    *,
    photos: list[FilePublic] | None = None,
) -> OrderDetail:
    return OrderDetail(**present_order(row, caller, now), timeline=timeline, photos=photos or [])


def present_order(row: Row, caller: Caller, now: datetime) -> dict[str, Any]:
    """One order as `OrderPublic` would dump it. `row` is one row of `service.order_rows()`:
    the order's columns and the joined rows' shown fields under their labels."""
    order = row  # the order's own columns keep their names, so the access rules read the row
    rel = relations(order, row.taker_kinds, caller)
    hidden = pool_only(rel)
    assignee = None
    if order.assignee_user_id is not None:
        assignee = {"kind": "user", "id": order.assignee_user_id, "name": row.assignee_user_name}
    elif order.assignee_provider_id is not None:
        assignee = {"kind": "provider", "id": order.assignee_provider_id, "name": row.provider_name}
    contact = None
    if sees_contact(order, rel, now):
        contact = {"name": row.resident_name, "phone": row.resident_phone, "room": order.room}
    rating = None
    if row.rating_id is not None:
        rating = {
            "stars": row.rating_stars,
            "timeliness": row.rating_timeliness,
            "attitude": row.rating_attitude,
            "quality": row.rating_quality,
            "comment": row.rating_comment,
            "created_at": row.rating_created_at,
        }
    return {
        "id": order.id,
        "number": order.number,
        "community_id": order.community_id,
        "category": {"id": order.category_id, "code": row.category_code, "name": row.category_name},
        "status": order.status,
        "description": order.description,
        "address_text": None if hidden else order.address_text,
        "building": (
            {"id": order.building_id, "name": row.building_name}
            if order.building_id is not None
            else None
        ),
        "urgency": order.urgency,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "respond_by": order.respond_by,
        "complete_by": order.complete_by,
        "preferred_start": order.preferred_start,
        "preferred_end": order.preferred_end,
        "resident": {
            "id": order.resident_id,
            "name": mask_name(row.resident_name) if hidden else row.resident_name,
        },
        "proxy": (
            {"id": order.proxy_id, "name": row.proxy_name} if order.proxy_id is not None else None
        ),
        "assignee": assignee,
        "dispatch_mode": order.dispatch_mode,
        # a float column, but a driver may hand back an int (or SQLite an integral REAL as one):
        # the model's float field would have written 2.0, JSON of an int writes 2
        "hours": None if order.hours is None else float(order.hours),
        "completion_note": order.completion_note,
        "completed_at": order.completed_at,
        "rating": rating,
        "contact": contact,
        "allowed_actions": workflow.allowed_actions(
            order.status, rel, completed_at=order.completed_at, now=now
        ),
    }


def present_timeline(events: list[Row]) -> list[TimelineEntry]:
    """`events` are order-event rows with the actor's `actor_user_id` and `actor_name` joined."""
    return [
        TimelineEntry(
            at=event.at,
            action=event.action,
            actor=Actor(id=event.actor_user_id, name=event.actor_name or "", role=event.actor_role),
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
        )
        for event in events
    ]
