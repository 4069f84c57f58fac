"""Every error the API answers, as RFC 9457 problem details with a stable `code`.

Services raise the domain errors below; Litestar's own exceptions (validation, routing, auth)
are converted here too, so the PWA and outside programs see one shape: `status`, `title`,
`detail`, `code`, `request_id` (the id in the logs and the `X-Request-ID` header), and for 422
the offending `field` plus `errors: [{field, message}]`.
A server error never carries a stack trace to the client; it is logged instead.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)

from backend.observability.requestid import request_id_for

log = logging.getLogger("linli.errors")


class DomainError(Exception):
    status = 400
    code = "request.error"

    def __init__(
        self,
        code: str | None = None,
        detail: str = "",
        *,
        headers: dict | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or code or self.code)
        self.code = code or self.code
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


class BadRequest(DomainError):
    """A request answered with 400: a protocol step out of order (an unknown or spent SSO
    `state`, a refused code), or a malformed Open311 request (its own error shape)."""

    status = 400
    code = "request.bad"


class Unauthorized(DomainError):
    status = 401
    code = "auth.unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "auth.forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    """Bad input that only the service can judge (a building of another community, …)."""

    status = 422
    code = "request.invalid"

    def __init__(self, field: str, message: str, code: str | None = None) -> None:
        super().__init__(
            code, f"{field}: {message}", field=field, errors=[{"field": field, "message": message}]
        )


class TooManyRequests(DomainError):
    status = 429
    code = "request.rate_limited"

    def __init__(self, code: str, retry_after: int) -> None:
        super().__init__(
            code,
            f"retry after {retry_after} s",
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
        )


class BadGateway(DomainError):
    """A service Linli depends on (an identity provider) is unreachable or answered nonsense."""

    status = 502
    code = "upstream.error"


class Problem(ProblemDetailsException):
    """Problem details that also name the request, so an answer leads to its log lines."""

    def to_response(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        if isinstance(self.extra, dict):
            self.extra["request_id"] = request_id_for(request.scope)
        return super().to_response(request)


def _problem(
    status: int, code: str, detail: str = "", headers: dict | None = None, **extra: Any
) -> ProblemDetailsException:
    return Problem(
        status_code=status,
        title=HTTPStatus(status).phrase,
        detail=detail or HTTPStatus(status).description,
        headers=headers,
        extra={"code": code, **extra},
    )


def _from_domain(exc: DomainError) -> ProblemDetailsException:
    return _problem(exc.status, exc.code, exc.detail, exc.headers or None, **exc.extra)


def _field_name(item: dict) -> str:
    key = str(item.get("key") or item.get("source") or "body")
    return key.removeprefix("body.")


def _from_validation(exc: ValidationException) -> ProblemDetailsException:
    items = exc.extra if isinstance(exc.extra, list) else []
    errors = [{"field": _field_name(i), "message": str(i.get("message", ""))} for i in items]
    if not errors:  # a body that is not JSON at all, or not an object
        errors = [{"field": "body", "message": str(exc.detail)}]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return _problem(422, "request.invalid", detail, field=errors[0]["field"], errors=errors)


_HTTP_CODES = {
    NotAuthorizedException: "auth.unauthorized",
    PermissionDeniedException: "auth.forbidden",
    NotFoundException: "not_found",
    MethodNotAllowedException: "request.method_not_allowed",
}


def _from_http(exc: HTTPException) -> ProblemDetailsException:
    code = next((c for t, c in _HTTP_CODES.items() if isinstance(exc, t)), "request.error")
    if exc.status_code == 429:
        code = "request.rate_limited"
    detail = exc.detail if exc.status_code < 500 else ""
    return _problem(exc.status_code, code, detail, exc.headers)


def _from_unexpected(exc: Exception) -> ProblemDetailsException:
    log.error("unhandled error", exc_info=exc)
    return _problem(500, "internal.error")


problem_details = ProblemDetailsPlugin(
    ProblemDetailsConfig(
        enable_for_all_http_exceptions=True,
        exception_to_problem_detail_map={
            DomainError: _from_domain,
            ValidationException: _from_validation,
            HTTPException: _from_http,
            Exception: _from_unexpected,
        },
    )
)
