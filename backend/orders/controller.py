"""Routes of the order loop. Thin: parse, call the service, answer."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.auth.security import requires_any_role
from backend.db import PLAIN_READ
from backend.orders import creation, lists, service
from backend.orders.models import (
    CompleteBody,
    DispatchBody,
    EmptyBody,
    OrderCreate,
    OrderDetail,
    OrderPage,
    RateBody,
    ReasonBody,
)
from backend.security.limits import limited

Status = Literal[
    "submitted",
    "dispatched",
    "accepted",
    "in_progress",
    "completed",
    "closed",
    "rejected",
    "cancelled",
]


class OrderController(Controller):
    path = "/api/v1/orders"
    tags = ["orders"]

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        operation_id="createOrder",
        guards=[requires_any_role("resident", "worker"), limited("order_create", "caller")],
    )
    async def create(
        self,
        data: JSONBody[OrderCreate],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key")] = None,
    ) -> Response[OrderDetail]:
        """Order a service (resident) or order for a resident (worker, with `beneficiary`).
        A retry with the same `Idempotency-Key` answers the first result again."""
        status, body = await creation.create_order(
            db, caller=caller, body=data, idempotency_key=idempotency_key
        )
        return Response(OrderDetail.model_validate(body), status_code=status)

    @get("/", operation_id="listOrders")
    async def list(
        self,
        request: Request[Caller, str, State],
        view: FromQuery[Literal["mine", "community", "pool", "assigned"]] = "mine",
        status: FromQuery[Status | None] = None,
        category_id: FromQuery[int | None] = None,
        grid_id: FromQuery[int | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        due: FromQuery[Literal["overdue", "soon"] | None] = None,
        sort: FromQuery[Literal["newest", "deadline"]] = "newest",
    ) -> OrderPage:
        """Orders visible to the caller in one view, newest first, keyset-paginated.
        `grid_id` keeps orders in that grid's buildings; `due=overdue|soon` keeps open orders
        past (or near) their pending deadline; `sort=deadline` lists open orders by that
        deadline, the most pressing first."""
        # The hottest read takes no dependencies: with two (the caller and a session) Litestar
        # resolves them in a task group of their own on every request. It needs no session
        # either, one SELECT on the engine of PLAIN_READ routes (lists.py, list_rows.py).
        # `OrderPage` is the schema; the page comes as the dict it would dump to (lists.py),
        # which Litestar serialises as it is.
        query = lists.ListQuery(
            view=view, status=status, category_id=category_id, grid_id=grid_id, cursor=cursor,
            limit=limit, due=due, sort=sort,
        )  # fmt: skip
        return await request.app.state.order_lists.page(  # type: ignore[no-any-return]
            request.user, query, soon_minutes=request.app.state.settings.due_soon_minutes
        )

    @get("/{order_id:int}", operation_id="getOrder", opt=PLAIN_READ)
    async def detail(
        self,
        order_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> OrderDetail:
        """One order with its timeline and the actions the caller may take now."""
        return await service.get_order(db, caller=caller, order_id=order_id)

    @post("/{order_id:int}/dispatch", status_code=HTTP_200_OK, operation_id="dispatchOrder")
    async def dispatch(
        self,
        order_id: FromPath[int],
        data: JSONBody[DispatchBody],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> OrderDetail:
        """Worker: to the pool, to a named volunteer or party member, or to an organisation."""
        return await service.act(db, caller=caller, order_id=order_id, action="dispatch", body=data)

    @post("/{order_id:int}/accept", status_code=HTTP_200_OK, operation_id="acceptOrder")
    async def accept(
        self,
        order_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
        data: JSONBody[EmptyBody | None] = None,
    ) -> OrderDetail:
        """Take the order: the assignee accepts, or an eligible volunteer claims it from the pool
        (exactly one claimant wins; the others get 409 `order.already_claimed`)."""
        return await service.act(db, caller=caller, order_id=order_id, action="accept", body=data)

    @post("/{order_id:int}/decline", status_code=HTTP_200_OK, operation_id="declineOrder")
    async def decline(
        self,
        order_id: FromPath[int],
        data: JSONBody[ReasonBody],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> OrderDetail:
        """The assignee hands the order back to the community (back to `submitted`)."""
        return await service.act(db, caller=caller, order_id=order_id, action="decline", body=data)

    @post("/{order_id:int}/start", status_code=HTTP_200_OK, operation_id="startOrder")
    async def start(
        self,
        order_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
        data: JSONBody[EmptyBody | None] = None,
    ) -> OrderDetail:
        """The taker starts the job."""
        return await service.act(db, caller=caller, order_id=order_id, action="start", body=data)

    @post("/{order_id:int}/complete", status_code=HTTP_200_OK, operation_id="completeOrder")
    async def complete(
        self,
        order_id: FromPath[int],
        data: JSONBody[CompleteBody],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> OrderDetail:
        """The taker reports the job done, with a note and the hours spent (0 < hours ≤ 24)."""
        return await service.act(db, caller=caller, order_id=order_id, action="complete", body=data)

    @post("/{order_id:int}/rate", status_code=HTTP_200_OK, operation_id="rateOrder")
    async def rate(
        self,
        order_id: FromPath[int],
        data: JSONBody[RateBody],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> OrderDetail:
        """The resident (or the proxy worker) rates the job, which closes the order."""
        return await service.act(db, caller=caller, order_id=order_id, action="rate", body=data)

    @post("/{order_id:int}/cancel", status_code=HTTP_200_OK, operation_id="cancelOrder")
    async def cancel(
        self,
        order_id: FromPath[int],
        data: JSONBody[ReasonBody],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> OrderDetail:
        """Resident before it is accepted; worker before it is completed."""
        return await service.act(db, caller=caller, order_id=order_id, action="cancel", body=data)

    @post("/{order_id:int}/reject", status_code=HTTP_200_OK, operation_id="rejectOrder")
    async def reject(
        self,
        order_id: FromPath[int],
        data: JSONBody[ReasonBody],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> OrderDetail:
        """Worker: refuse a submitted order, with the reason the resident will read."""
        return await service.act(db, caller=caller, order_id=order_id, action="reject", body=data)

    @post("/{order_id:int}/reopen", status_code=HTTP_200_OK, operation_id="reopenOrder")
    async def reopen(
        self,
        order_id: FromPath[int],
        data: JSONBody[ReasonBody],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> OrderDetail:
        """Resident: the job was not done — back to `submitted`, within 7 days, before rating."""
        return await service.act(db, caller=caller, order_id=order_id, action="reopen", body=data)

    @post("/{order_id:int}/complaint", status_code=HTTP_200_OK, operation_id="complainOrder")
    async def complaint(
        self,
        order_id: FromPath[int],
        data: JSONBody[ReasonBody],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> OrderDetail:
        """Worker: a complaint (e.g. from a callback) sends a completed, not yet rated job back
        to `submitted`, to be dispatched anew."""
        return await service.act(
            db, caller=caller, order_id=order_id, action="complaint", body=data
        )
