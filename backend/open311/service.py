"""The public GeoReport v2 reads: discovery, services, service definitions, requests, tokens.

Requests are orders, shown without residents' names or phone numbers: an address is reduced to
the community and building (a room or home address never leaves Linli), and a phone number or
the resident's name inside the description or a note is masked. Only what a 311 reporter sent
as a public location (`address_string`) is echoed back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.models import User
from backend.catalog.models import Category, Provider
from backend.db import utcnow
from backend.errors import BadRequest, NotFound
from backend.open311.render import SHANGHAI, w3c
from backend.open311.statuses import linli_statuses, open311_status
from backend.orders.access import mask_name
from backend.orders.models import Order, OrderEvent
from backend.places.models import Building, Community
from backend.validation import mask_phone

SPEC = "http://wiki.open311.org/GeoReport_v2"
MAX_REQUESTS = 1000
WINDOW = timedelta(days=90)
NOTE_ACTIONS = ("reject", "cancel", "complete", "reopen")  # notes meant for the public
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

# Every service asks the same optional questions, mapped onto the order's own fields.
ATTRIBUTES: tuple[dict[str, Any], ...] = (
    {
        "variable": True,
        "code": "urgency",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": None,
        "order": 1,
        "description": "紧急程度 (urgency)",
        "values": [{"key": "normal", "name": "普通"}, {"key": "urgent", "name": "紧急"}],
    },
    {
        "variable": True,
        "code": "preferred_start",
        "datatype": "datetime",
        "required": False,
        "datatype_description": "ISO 8601 with a time zone, e.g. 2026-11-23T09:00:00+08:00",
        "order": 2,
        "description": "希望开始的时间 (earliest convenient time)",
    },
    {
        "variable": True,
        "code": "preferred_end",
        "datatype": "datetime",
        "required": False,
        "datatype_description": "ISO 8601 with a time zone, after preferred_start",
        "order": 3,
        "description": "最晚完成的时间 (latest convenient time)",
    },
    {
        "variable": True,
        "code": "room",
        "datatype": "string",
        "required": False,
        "datatype_description": "at most 32 characters; never shown publicly",
        "order": 4,
        "description": "房间号 (room number, for the person who comes)",
    },
)


async def community_for(session: AsyncSession, jurisdiction_id: str | None) -> Community:
    if not jurisdiction_id:
        raise BadRequest("open311.jurisdiction_required", "jurisdiction_id was not provided")
    community = await session.scalar(select(Community).where(Community.slug == jurisdiction_id))
    if community is None:
        raise NotFound("open311.jurisdiction_not_found", "jurisdiction_id was not found")
    return community


def discovery(base_url: str, changeset: datetime) -> dict:
    stamp = w3c(changeset)
    return {
        "changeset": stamp,
        "contact": "Ask the street office (街道办) that runs this Linli server.",
        "key_service": "API keys are issued by a Linli admin: `linli integration create` "
        "or POST /api/v1/admin/integrations.",
        "endpoints": [
            {
                "specification": SPEC,
                "url": base_url,
                "changeset": stamp,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def _group(kinds: Sequence[str]) -> str:
    """Who does it: volunteers (and party members), or professional organisations only."""
    return "volunteer" if {"volunteer", "party_member"} & set(kinds) else "professional"


async def find_category(session: AsyncSession, community: Community, code: str) -> Category:
    category = await session.scalar(
        select(Category).where(
            Category.community_id == community.id,
            Category.code == code,
            Category.active.is_(True),
        )
    )
    if category is None:
        raise NotFound("open311.service_not_found", "service_code was not found")
    return category


async def services(session: AsyncSession, community: Community) -> list[dict]:
    rows = await session.scalars(
        select(Category)
        .where(Category.community_id == community.id, Category.active.is_(True))
        .order_by(Category.sort_order, Category.id)
    )
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": c.description,
            "metadata": True,
            "type": "realtime",
            "keywords": f"{c.code}, {c.name}",
            "group": _group(c.taker_kinds),
        }
        for c in rows
    ]


async def definition(session: AsyncSession, community: Community, code: str) -> dict:
    category = await find_category(session, community, code)
    return {"service_code": category.code, "attributes": [dict(a) for a in ATTRIBUTES]}


# --- requests ------------------------------------------------------------------------------


def scrub(text: str | None, resident_name: str) -> str | None:
    """Mask phone numbers and the resident's name in free text shown to the public."""
    if not text:
        return text
    text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    if len(resident_name) >= 2:
        text = text.replace(resident_name, mask_name(resident_name))
    return text


def _joined() -> Select:
    return (
        select(Order, Category, Community, Building, Provider, User.name)
        .join(Category, Category.id == Order.category_id)
        .join(Community, Community.id == Order.community_id)
        .join(User, User.id == Order.resident_id)
        .outerjoin(Building, Building.id == Order.building_id)
        .outerjoin(Provider, Provider.id == Order.assignee_provider_id)
    )


async def _notes(session: AsyncSession, order_ids: list[int]) -> dict[int, str]:
    if not order_ids:
        return {}
    rows = await session.execute(
        select(OrderEvent.order_id, OrderEvent.note)
        .where(
            OrderEvent.order_id.in_(order_ids),
            OrderEvent.action.in_(NOTE_ACTIONS),
            OrderEvent.note.is_not(None),
        )
        .order_by(OrderEvent.id)
    )
    return {order_id: note for order_id, note in rows}  # the latest note wins


def _present(row: Sequence[Any], note: str | None) -> dict:
    order, category, community, building, provider, resident_name = row
    if order.integration_id is not None and order.address_text:
        address = scrub(order.address_text, resident_name)
    else:
        address = " ".join(filter(None, [community.name, building.name if building else None]))
    notes = order.status if note is None else f"{order.status}: {scrub(note, resident_name)}"
    return {
        "service_request_id": order.number,
        "status": open311_status(order.status),
        "status_notes": notes,
        "service_name": category.name,
        "service_code": category.code,
        "description": scrub(order.description, resident_name),
        "agency_responsible": provider.name if provider else community.name,
        "service_notice": None,
        "requested_datetime": w3c(order.created_at),
        "updated_datetime": w3c(order.updated_at),
        "expected_datetime": w3c(order.complete_by),
        "address": address,
        "address_id": order.building_id,
        "zipcode": None,
        "lat": order.latitude,
        "long": order.longitude,
        "media_url": order.media_url,
    }


async def _answer(session: AsyncSession, query: Select) -> list[dict]:
    rows = (await session.execute(query)).all()
    notes = await _notes(session, [row[0].id for row in rows])
    return [_present(row, notes.get(row[0].id)) for row in rows]


def parse_moment(name: str, raw: str) -> datetime:
    """W3C datetime; a bare date or a time without zone is read as Asia/Shanghai."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise BadRequest("open311.bad_date", f"{name} is not a W3C datetime") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _csv(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


async def requests(
    session: AsyncSession, community: Community, params: dict[str, str | None]
) -> list[dict]:
    """GET requests: by id list (which overrides the rest), else by service, status and a window
    of at most 90 days (default: the last 90), newest first, at most 1,000."""
    query = _joined().where(Order.community_id == community.id)
    ids = _csv(params.get("service_request_id"))
    if ids:
        query = query.where(Order.number.in_(ids[:MAX_REQUESTS]))
        return await _answer(session, query.order_by(Order.id.desc()))
    codes = _csv(params.get("service_code"))
    if codes:
        query = query.where(Category.code.in_(codes))
    wanted = _csv(params.get("status"))
    if any(s not in ("open", "closed") for s in wanted):
        raise BadRequest("open311.bad_status", "status must be open, closed or both")
    if wanted:
        query = query.where(Order.status.in_(linli_statuses(wanted)))
    start_raw, end_raw = params.get("start_date"), params.get("end_date")
    start = parse_moment("start_date", start_raw) if start_raw else None
    end = parse_moment("end_date", end_raw) if end_raw else None
    if end is None:
        end = start + WINDOW if start is not None else utcnow()
    start = start if start is not None else end - WINDOW
    if end < start:
        raise BadRequest("open311.bad_window", "end_date is before start_date")
    if end - start > WINDOW:
        raise BadRequest("open311.window_too_long", "start_date and end_date span over 90 days")
    query = query.where(Order.created_at >= start, Order.created_at <= end)
    return await _answer(session, query.order_by(Order.id.desc()).limit(MAX_REQUESTS))


async def one_request(session: AsyncSession, community: Community, number: str) -> list[dict]:
    found = await _answer(
        session, _joined().where(Order.community_id == community.id, Order.number == number)
    )
    if not found:
        raise NotFound("open311.request_not_found", "service_request_id was not found")
    return found


async def token(session: AsyncSession, community: Community, value: str) -> list[dict]:
    number = await session.scalar(
        select(Order.number).where(Order.community_id == community.id, Order.public_token == value)
    )
    if number is None:
        raise NotFound("open311.token_not_found", "token was not found")
    return [{"service_request_id": number, "token": value}]
