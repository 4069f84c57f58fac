"""Turns loaded rows into the order answers of the API contract, applying the privacy rules."""

from __future__ import annotations

from datetime import datetime

from backend.auth.caller import Caller
from backend.auth.models import User
from backend.catalog.models import Category, Provider
from backend.orders import workflow
from backend.orders.access import mask_name, pool_only, relations, sees_contact
from backend.orders.models import (
    Actor,
    AssigneePublic,
    CategoryRef,
    Contact,
    Order,
    OrderEvent,
    OrderPublic,
    PersonRef,
    PlaceRef,
    Rating,
    RatingPublic,
    TimelineEntry,
)
from backend.places.models import Building


def present_order(
    row: tuple[
        Order,
        Category,
        User,
        User | None,
        User | None,
        Provider | None,
        Rating | None,
        Building | None,
    ],
    caller: Caller,
    now: datetime,
) -> OrderPublic:
    order, category, resident, proxy, assignee_user, provider, rating, building = row
    rel = relations(order, category.taker_kinds, caller)
    hidden = pool_only(rel)
    assignee = None
    if assignee_user is not None:
        assignee = AssigneePublic(kind="user", id=assignee_user.id, name=assignee_user.name)
    elif provider is not None:
        assignee = AssigneePublic(kind="provider", id=provider.id, name=provider.name)
    contact = None
    if sees_contact(order, rel, now):
        contact = Contact(name=resident.name, phone=resident.phone, room=order.room)
    return OrderPublic(
        id=order.id,
        number=order.number,
        community_id=order.community_id,
        category=CategoryRef(id=category.id, code=category.code, name=category.name),
        status=order.status,
        description=order.description,
        address_text=None if hidden else order.address_text,
        building=PlaceRef(id=building.id, name=building.name) if building else None,
        urgency=order.urgency,
        created_at=order.created_at,
        updated_at=order.updated_at,
        respond_by=order.respond_by,
        complete_by=order.complete_by,
        preferred_start=order.preferred_start,
        preferred_end=order.preferred_end,
        resident=PersonRef(
            id=resident.id, name=mask_name(resident.name) if hidden else resident.name
        ),
        proxy=PersonRef(id=proxy.id, name=proxy.name) if proxy else None,
        assignee=assignee,
        dispatch_mode=order.dispatch_mode,
        hours=order.hours,
        completion_note=order.completion_note,
        completed_at=order.completed_at,
        rating=RatingPublic.model_validate(rating, from_attributes=True) if rating else None,
        contact=contact,
        allowed_actions=workflow.allowed_actions(
            order.status, rel, completed_at=order.completed_at, now=now
        ),
    )


def present_timeline(events: list[tuple[OrderEvent, User | None]]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=event.at,
            action=event.action,
            actor=Actor(
                id=actor.id if actor else None,
                name=actor.name if actor else "",
                role=event.actor_role,
            ),
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
        )
        for event, actor in events
    ]
