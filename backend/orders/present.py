"""Turns loaded rows into the order answers of the API contract, applying the privacy rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row

from backend.auth.caller import Caller
from backend.files.models import FilePublic
from backend.orders import workflow
from backend.orders.access import mask_name, pool_only, relations, sees_contact
from backend.orders.models import (
    Actor,
    AssigneePublic,
    CategoryRef,
    Contact,
    OrderDetail,
    OrderPublic,
    PersonRef,
    PlaceRef,
    RatingPublic,
    TimelineEntry,
)


def present_order(row: Row, caller: Caller, now: datetime) -> OrderPublic:
    """`row` is one row of `service._rows()`: the order's columns and the joined rows' shown
    fields under their labels."""
    return OrderPublic(**_fields(row, caller, now))


def present_detail(
    row: Row,
    caller: Caller,
    now: datetime,
    timeline: list[TimelineEntry],
    *,
    photos: list[FilePublic] | None = None,
) -> OrderDetail:
    return OrderDetail(**_fields(row, caller, now), timeline=timeline, photos=photos or [])


def _fields(row: Row, caller: Caller, now: datetime) -> dict[str, Any]:
    order = row  # the order's own columns keep their names, so the access rules read the row
    rel = relations(order, row.taker_kinds, caller)
    hidden = pool_only(rel)
    assignee = None
    if order.assignee_user_id is not None:
        assignee = AssigneePublic(
            kind="user", id=order.assignee_user_id, name=row.assignee_user_name
        )
    elif order.assignee_provider_id is not None:
        assignee = AssigneePublic(
            kind="provider", id=order.assignee_provider_id, name=row.provider_name
        )
    contact = None
    if sees_contact(order, rel, now):
        contact = Contact(name=row.resident_name, phone=row.resident_phone, room=order.room)
    rating = None
    if row.rating_id is not None:
        rating = RatingPublic(
            stars=row.rating_stars,
            timeliness=row.rating_timeliness,
            attitude=row.rating_attitude,
            quality=row.rating_quality,
            comment=row.rating_comment,
            created_at=row.rating_created_at,
        )
    fields = {
        "id": order.id,
        "number": order.number,
        "community_id": order.community_id,
        "category": CategoryRef(
            id=order.category_id, code=row.category_code, name=row.category_name
        ),
        "status": order.status,
        "description": order.description,
        "address_text": None if hidden else order.address_text,
        "building": (
            PlaceRef(id=order.building_id, name=row.building_name)
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
        "resident": PersonRef(
            id=order.resident_id,
            name=mask_name(row.resident_name) if hidden else row.resident_name,
        ),
        "proxy": (
            PersonRef(id=order.proxy_id, name=row.proxy_name)
            if order.proxy_id is not None
            else None
        ),
        "assignee": assignee,
        "dispatch_mode": order.dispatch_mode,
        "hours": order.hours,
        "completion_note": order.completion_note,
        "completed_at": order.completed_at,
        "rating": rating,
        "contact": contact,
        "allowed_actions": workflow.allowed_actions(
            order.status, rel, completed_at=order.completed_at, now=now
        ),
    }
    return fields


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
