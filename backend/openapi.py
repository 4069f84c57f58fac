"""Makes the OpenAPI document say what the API really answers: every error as problem details.

Litestar documents a route's success answer and a generic 400; Linli's errors are RFC 9457
problem details (`application/problem+json`, see errors.py) with 401/403/404/409/422/429 on most
routes. Rather than repeat `responses=` on each of ~50 handlers, the app adds them to every
documented handler once, at start-up; a handler's own `responses=` entries win. The fuzzing test
(tests/security/test_fuzz.py) fails on any status code or body the schema does not declare.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from sqlmodel import SQLModel

from backend.errors import NotFound

PROBLEM = "application/problem+json"


class FieldError(SQLModel):
    field: str
    message: str


class ProblemDetails(SQLModel):
    """RFC 9457 problem details plus Linli's stable `code` (and, for 422, the fields at fault)."""

    model_config = {"extra": "allow"}  # type: ignore[assignment]

    status: int
    title: str
    detail: str | None = None
    type: str | None = None
    code: str
    field: str | None = None
    errors: list[FieldError] | None = None
    retry_after: int | None = None


_WHY = {
    400: "The request could not be read (malformed syntax or multipart body).",
    401: "No valid access token, or a bad credential.",
    403: "The caller may see this but the action is not theirs.",
    404: "Nothing the caller may see exists here.",
    409: "The state changed meanwhile: an illegal transition or a lost race.",
    413: "The request body is larger than this route accepts.",
    422: "Invalid input; `field` and `errors` name what is wrong.",
    429: "Too many requests; wait `Retry-After` seconds.",
}


def _spec(status: int) -> ResponseSpec:
    return ResponseSpec(
        data_container=ProblemDetails,
        generate_examples=False,
        description=_WHY[status],
        media_type=PROBLEM,
    )


DEFAULT_ERRORS = (400, 401, 403, 404, 409, 422, 429)


def document_problems(app: Litestar) -> None:
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or not handler.include_in_schema:
                continue
            if route.path.startswith("/open311"):
                continue  # GeoReport v2 answers errors in its own JSON/XML shape, not RFC 9457
            codes: list[int] = list(DEFAULT_ERRORS)
            if handler.request_max_body_size is not None:
                codes.append(413)
            own: dict[int, Any] = dict(handler.responses or {})
            handler.responses = {**{c: _spec(c) for c in codes}, **own}


# Ids are 32-bit in the schema (PostgreSQL INTEGER); a bigger one cannot name anything.
MAX_ID = 2**31 - 1


async def ids_in_range(request: Request) -> None:
    """`before_request` hook: an integer path parameter no row can have is a plain 404, not a
    database overflow (found by the fuzzer on every `{…_id:int}` route)."""
    for value in request.path_params.values():
        if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
            raise NotFound("not_found", "no such resource")
