"""Who may see an order and what they are to it (the relations the workflow table speaks of).

One rule for every verb: an order the caller has no relation to is "not found" (404), never
"forbidden", so nobody learns what exists in another community.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ColumnElement, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from backend.auth.caller import VOLUNTEER_ROLES, Caller
from backend.catalog.models import Category
from backend.orders.models import Order
from backend.orders.workflow import CONTACT_WINDOW

TAKEN = frozenset({"accepted", "in_progress", "completed", "closed"})


def may_take(roles: frozenset[str], taker_kinds: list[str]) -> bool:
    """A volunteer (or party member, who is one too) may take a volunteer category;
    only party members may take a category reserved to them."""
    if "volunteer" in taker_kinds and roles & VOLUNTEER_ROLES:
        return True
    return "party_member" in taker_kinds and "party_member" in roles


class _ListsKind(FunctionElement):
    """`kind` is an element of the JSON list in the column (category.taker_kinds)."""

    type = Boolean()
    inherit_cache = True

    def __init__(self, column: Any, kind: str) -> None:
        if kind not in ("volunteer", "party_member", "provider"):
            raise ValueError(kind)  # rendered inline below, so only the known kinds
        self.kind = kind
        super().__init__(column)


@compiles(_ListsKind, "postgresql")
def _lists_kind_pg(element: _ListsKind, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST({column} AS JSONB) @> '{json.dumps([element.kind])}'"


@compiles(_ListsKind, "sqlite")
def _lists_kind_sqlite(element: _ListsKind, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(next(iter(element.clauses)), **kw)
    each = f"json_each({column})"
    return f"EXISTS (SELECT 1 FROM {each} WHERE json_each.value = '{element.kind}')"  # noqa: S608


def may_take_sql(party: ColumnElement[bool] | None) -> ColumnElement[bool]:
    """`may_take` as a condition on the category row, for the communities where the caller
    volunteers (the hall's own filter): the hall's page query takes its categories in a
    subquery instead of looking them up in a round trip of their own first. `party`: the
    condition "the category's community is one where the caller is a party member" (how a
    list of communities is bound differs by engine: orders/lists.py), None where they are one
    nowhere."""
    takes: ColumnElement[bool] = _ListsKind(Category.taker_kinds, "volunteer")
    if party is not None:
        takes = or_(takes, party & _ListsKind(Category.taker_kinds, "party_member"))
    return takes


def relations(order: Order, taker_kinds: list[str], caller: Caller) -> frozenset[str]:
    roles = caller.roles_in(order.community_id)
    found: set[str] = set()
    if caller.id in (order.resident_id, order.proxy_id):
        found.add("owner")
    if "worker" in roles:
        found.add("worker")
    if "admin" in roles:
        found.add("admin")  # sees the street's orders, acts on none of them
    mine = order.assignee_user_id == caller.id or (
        order.assignee_provider_id is not None and order.assignee_provider_id in caller.provider_ids
    )
    if mine and order.status == "dispatched":
        found.add("assignee")
    elif mine and order.status in TAKEN:
        found.add("taker")
    if (
        order.status == "dispatched"
        and order.dispatch_mode == "pool"
        and "owner" not in found  # nobody takes their own order from the hall
        and may_take(roles, taker_kinds)
    ):
        found.add("claimant")
    return frozenset(found)


def lost_claim(order: Order, taker_kinds: list[str], caller: Caller) -> bool:
    """A volunteer who could have claimed this pooled order, had someone not been faster.

    They get 409 rather than 404: they saw it in the hall, so its existence is no secret to them.
    """
    return (
        order.dispatch_mode == "pool"
        and order.status in TAKEN
        and may_take(caller.roles_in(order.community_id), taker_kinds)
    )


def sees_contact(order: Order, rel: frozenset[str], now: datetime) -> bool:
    """Room and phone: the owner and workers always; the taker until 7 days after completion."""
    if rel & {"owner", "worker"}:
        return True
    if "taker" in rel or "assignee" in rel:
        return order.completed_at is None or now - order.completed_at <= CONTACT_WINDOW
    return False


def pool_only(rel: frozenset[str]) -> bool:
    """Seen only as a pooled order: building yes, room, address line and full name no."""
    return rel == {"claimant"}


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1)


def display_role(caller: Caller, community_id: int, rel: frozenset[str]) -> str:
    """The role shown on the timeline for what the caller did."""
    roles = caller.roles_in(community_id)
    if rel & {"assignee", "taker", "claimant"}:
        if "party_member" in roles:
            return "party_member"
        if "volunteer" in roles:
            return "volunteer"
        return "provider"
    if "worker" in rel:
        return "worker"
    return "resident"
