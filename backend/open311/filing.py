"""POST requests: a 311 client files an order with an integration's API key.

The form is read as the specification names it (`service_code`, `lat`/`long` or
`address_string` or `address_id`, `description`, `first_name`, `last_name`, `phone`, `email`,
`media_url`, `attribute[CODE]`, `api_key`) and handed to the one order-creation path
(`orders/creation.py`) with an `Origin` naming the integration. A reporter's phone, when given,
finds or creates their resident account, so they can sign in and follow the order themselves;
without one the order belongs to the integration's system account. `email`, `device_id` and
`account_id` are accepted and not stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field

from backend.auth.caller import Caller
from backend.errors import BadRequest, Forbidden
from backend.open311 import service
from backend.open311.integrations import authenticate
from backend.open311.models import Integration
from backend.orders.creation import Origin, create_order
from backend.orders.models import OrderCreate
from backend.places.models import Building, Community
from backend.validation import check_mainland_mobile

MAX_DESCRIPTION = 4000


class IntegrationOrderCreate(OrderCreate):
    """Open311 allows descriptions of up to 4,000 characters; the PWA's form keeps to 2,000."""

    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)


def _bad(field: str, message: str) -> BadRequest:
    return BadRequest("open311.invalid", f"{field}: {message}")


def _coordinate(form: Mapping[str, str], name: str, limit: float) -> float | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise _bad(name, "not a number") from exc
    if not -limit <= value <= limit:  # also refuses nan
        raise _bad(name, f"must be between -{limit:g} and {limit:g}")
    return value


def reporter_phone(raw: str | None) -> str | None:
    """A mainland mobile number, with spaces, dashes and a +86 prefix tolerated."""
    if not raw or not raw.strip():
        return None
    digits = "".join(ch for ch in raw if ch.isdigit() or ch == "+")
    for prefix in ("+86", "0086"):
        digits = digits.removeprefix(prefix)
    try:
        return check_mainland_mobile(digits)
    except ValueError as exc:
        raise _bad("phone", "must be a mainland China mobile number") from exc


def _media_url(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    url = raw.strip()
    if urlsplit(url).scheme not in ("http", "https") or len(url) > 500:
        raise _bad("media_url", "must be an http(s) URL of at most 500 characters")
    return url


async def integration_for(session: AsyncSession, api_key: str | None) -> tuple[Integration, list]:
    if not api_key:
        raise Forbidden("open311.api_key_required", "api_key was not provided")
    found = await authenticate(session, api_key)
    if found is None:
        raise Forbidden("open311.api_key_invalid", "api_key is not valid")
    return found


async def _building(session: AsyncSession, community: Community, raw: str | None) -> int | None:
    if not raw:
        return None
    building = await session.get(Building, int(raw)) if raw.isdigit() else None
    if building is None or building.community_id != community.id:
        raise _bad("address_id", "no such address in this jurisdiction")
    return building.id


def _body(
    community: Community, category_id: int, form: Mapping[str, str], building_id: int | None
) -> IntegrationOrderCreate:
    attrs = {k[len("attribute[") : -1]: v for k, v in form.items() if k.startswith("attribute[")}
    fields = {
        "community_id": community.id,
        "category_id": category_id,
        "description": (form.get("description") or "").strip() or None,
        "address_text": (form.get("address_string") or "").strip() or None,
        "building_id": building_id,
        # Only the attributes the service definition names; others are ignored, as clients
        # such as FixMyStreet send their own.
        **{a["code"]: attrs[a["code"]] for a in service.ATTRIBUTES if attrs.get(a["code"])},
    }
    try:
        return IntegrationOrderCreate.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "request"
        if name not in ("description", "address_text", "building_id"):
            name = f"attribute[{name}]"
        raise _bad(name.replace("address_text", "address_string"), first["msg"]) from exc


async def file_request(
    session: AsyncSession, *, form: Mapping[str, str], integration: Integration, communities: list
) -> list[dict]:
    community = await service.community_for(session, form.get("jurisdiction_id"))
    if community.id not in communities:
        raise Forbidden("open311.jurisdiction_forbidden", "api_key is not valid here")
    code = (form.get("service_code") or "").strip()
    if not code:
        raise BadRequest("open311.service_code_required", "service_code was not provided")
    category = await service.find_category(session, community, code)
    lat, lng = _coordinate(form, "lat", 90), _coordinate(form, "long", 180)
    if (lat is None) != (lng is None):
        raise _bad("lat", "give both lat and long")
    building_id = await _building(session, community, (form.get("address_id") or "").strip())
    if lat is None and not (form.get("address_string") or "").strip() and building_id is None:
        raise BadRequest(
            "open311.location_required",
            "location (lat and long, address_string or address_id) was not provided",
        )
    description = (form.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise _bad("description", f"at most {MAX_DESCRIPTION} characters")
    if not description:
        form = {**form, "description": category.name}
    name = " ".join(filter(None, [form.get("last_name"), form.get("first_name")])).strip()
    origin = Origin(
        integration_id=integration.id,  # type: ignore[arg-type]
        reporter_phone=reporter_phone(form.get("phone")),
        reporter_name=name[:64] or None,
        latitude=lat,
        longitude=lng,
        media_url=_media_url(form.get("media_url")),
        public_token=secrets.token_urlsafe(12),
    )
    caller = Caller(
        id=integration.system_user_id,  # type: ignore[arg-type]
        name=integration.name,
        roles={cid: frozenset({"integration"}) for cid in communities},
    )
    body = _body(community, category.id, form, building_id)  # type: ignore[arg-type]
    _status, answer = await create_order(
        session, caller=caller, body=body, idempotency_key=None, origin=origin
    )
    return [
        {
            "service_request_id": answer["number"],
            "token": answer["public_token"],
            "service_notice": None,
            "account_id": None,
        }
    ]


async def community_slugs(session: AsyncSession, ids: list[int]) -> list[str]:
    return list(await session.scalars(select(Community.slug).where(Community.id.in_(ids))))
