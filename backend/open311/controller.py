"""Routes: the public GeoReport v2 endpoints under /open311/v2, and the admins' key management.

Every GeoReport resource answers in the format its suffix names (`.xml` or `.json`); errors
too, as the specification's `[{code, description}]` / `<errors><error>` with 400, 403, 404
(and 429 when a key goes over its rate limit).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import parse_qsl

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.auth.security import requires_any_role
from backend.errors import DomainError, NotFound
from backend.open311 import filing, integrations, service
from backend.open311.limits import spend
from backend.open311.models import (
    IntegrationCreate,
    IntegrationIssued,
    IntegrationPage,
    IntegrationPublic,
)
from backend.open311.render import SHANGHAI, document, errors, format_of_path, split_format

CHANGESET = datetime(2026, 11, 22, tzinfo=SHANGHAI)  # when this endpoint's behaviour last changed
_SPEC_STATUS = {401: 403, 409: 400, 422: 400}  # the specification knows 400, 403 and 404


def _as_spec_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, DomainError):
        status, text, headers = exc.status, exc.detail or exc.code, exc.headers
    else:
        assert isinstance(exc, HTTPException)
        status, text, headers = exc.status_code, str(exc.detail), dict(exc.headers or {})
    status = _SPEC_STATUS.get(status, status)
    return errors(status, text, format_of_path(request.url.path), headers)


async def _form(request: Request) -> dict[str, str]:
    """The posted fields. URL-encoded bodies are decoded as UTF-8 whether or not the client
    percent-encoded them, as the specification assumes UTF-8 everywhere."""
    if request.content_type[0] == "multipart/form-data":
        return {key: str(value) for key, value in (await request.form()).items()}
    text = (await request.body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(text, keep_blank_values=True))


def _op(name: str):  # type: ignore[no-untyped-def]
    """One operation id per format: `open311ListServicesXml`, `open311ListServicesJson`."""

    def operation_id(_handler: object, _method: object, parts: list) -> str:
        last = parts[-1] if parts else ""
        if isinstance(last, str) and "." in last:
            return name + last.rsplit(".", 1)[1].capitalize()
        return name

    return operation_id


Jurisdiction = Annotated[
    str | None,
    QueryParameter(description="the community's slug, e.g. `demo` (required)", max_length=64),
]


class Open311Controller(Controller):
    path = "/open311/v2"
    tags = ["open311"]
    opt = {"exclude_from_auth": True}
    security = []
    exception_handlers = {DomainError: _as_spec_error, HTTPException: _as_spec_error}

    @get(["/discovery.xml", "/discovery.json"], operation_id=_op("open311Discovery"))
    async def discovery(self, request: Request) -> Response:
        """Service discovery: this endpoint, its specification and formats."""
        base = str(request.base_url).rstrip("/") + "/open311/v2"
        body = service.discovery(base, CHANGESET)
        return document("discovery", body, format_of_path(request.url.path))

    @get(["/services.xml", "/services.json"], operation_id=_op("open311ListServices"))
    async def services(
        self, request: Request, db: NamedDependency[AsyncSession], jurisdiction_id: Jurisdiction
    ) -> Response:
        """The community's service catalogue (service_code = category code)."""
        community = await service.community_for(db, jurisdiction_id)
        items = await service.services(db, community)
        return document("services", items, format_of_path(request.url.path))

    @get("/services/{leaf:str}", operation_id="open311ServiceDefinition")
    async def definition(
        self, leaf: FromPath[str], db: NamedDependency[AsyncSession], jurisdiction_id: Jurisdiction
    ) -> Response:
        """`services/{service_code}.xml|json`: the questions a service asks (attributes)."""
        code, fmt = split_format(leaf)
        community = await service.community_for(db, jurisdiction_id)
        return document("service_definition", await service.definition(db, community, code), fmt)

    @get(["/requests.xml", "/requests.json"], operation_id=_op("open311ListRequests"))
    async def requests(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        jurisdiction_id: Jurisdiction,
        service_request_id: FromQuery[str | None] = None,
        service_code: FromQuery[str | None] = None,
        start_date: FromQuery[str | None] = None,
        end_date: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
    ) -> Response:
        """Requests (orders) of the community, newest first: at most 1,000, within 90 days."""
        community = await service.community_for(db, jurisdiction_id)
        params = {
            "service_request_id": service_request_id,
            "service_code": service_code,
            "start_date": start_date,
            "end_date": end_date,
            "status": status,
        }
        items = await service.requests(db, community, params)
        return document("service_requests", items, format_of_path(request.url.path))

    @post(
        ["/requests.xml", "/requests.json"],
        status_code=HTTP_201_CREATED,
        operation_id=_op("open311CreateRequest"),
    )
    async def create(self, request: Request, db: NamedDependency[AsyncSession]) -> Response:
        """File a request (form-encoded, with `api_key`): it becomes a Linli order."""
        form = await _form(request)
        api_key = form.get("api_key") or request.query_params.get("api_key")
        integration, communities = await filing.integration_for(db, api_key)
        await spend(request.app, integration.key_hash)
        form.setdefault("jurisdiction_id", request.query_params.get("jurisdiction_id") or "")
        answer = await filing.file_request(
            db, form=form, integration=integration, communities=communities
        )
        return document("service_requests", answer, format_of_path(request.url.path), 201)

    @get("/requests/{leaf:str}", operation_id="open311GetRequest")
    async def one(
        self, leaf: FromPath[str], db: NamedDependency[AsyncSession], jurisdiction_id: Jurisdiction
    ) -> Response:
        """`requests/{service_request_id}.xml|json`: one request (the order number)."""
        number, fmt = split_format(leaf)
        community = await service.community_for(db, jurisdiction_id)
        return document("service_requests", await service.one_request(db, community, number), fmt)

    @get("/tokens/{leaf:str}", operation_id="open311GetToken")
    async def token(
        self, leaf: FromPath[str], db: NamedDependency[AsyncSession], jurisdiction_id: Jurisdiction
    ) -> Response:
        """`tokens/{token}.xml|json`: the service_request_id a POST's token stands for."""
        value, fmt = split_format(leaf)
        community = await service.community_for(db, jurisdiction_id)
        return document("service_requests", await service.token(db, community, value), fmt)

    @get("/{leaf:str}", operation_id="open311Unknown", include_in_schema=False)
    async def unknown(self, leaf: FromPath[str]) -> Response:
        """Any other resource: the specification's 404 rather than the app's."""
        split_format(leaf)
        raise NotFound("open311.not_found", "no such resource")


class IntegrationController(Controller):
    path = "/api/v1/admin/integrations"
    tags = ["integrations"]
    guards = [requires_any_role("admin")]

    @post("/", status_code=HTTP_201_CREATED, operation_id="createIntegration")
    async def create(
        self,
        data: JSONBody[IntegrationCreate],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> IntegrationIssued:
        """Admin: issue an Open311 API key for communities of your street (shown only now)."""
        return await integrations.issue_for_admin(db, caller=caller, body=data)

    @get("/", operation_id="listIntegrations")
    async def list(
        self,
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> IntegrationPage:
        """Admin: integrations serving your communities, newest first (keys never shown)."""
        return await integrations.list_integrations(db, caller=caller, cursor=cursor, limit=limit)

    @post("/{integration_id:int}/revoke", status_code=HTTP_200_OK, operation_id="revokeIntegration")
    async def revoke(
        self,
        integration_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> IntegrationPublic:
        """Admin: revoke the key for good; 311 clients using it get 403 from then on."""
        return await integrations.revoke(db, caller=caller, integration_id=integration_id)
