"""create_app(): the one explicit Litestar(...) call that assembles Linli."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from backend.audit.context import remember_client_ip
from backend.audit.controller import AuditController
from backend.auth.controller import AuthController, MeController
from backend.auth.security import authentication, provide_caller
from backend.catalog.controller import CatalogController
from backend.db import Database, provide_session
from backend.errors import problem_details
from backend.files.controller import FileController
from backend.files.storage import make_storage
from backend.health import HealthController
from backend.jobs.registry import JOBS
from backend.jobs.runner import JobRunner
from backend.notify.controller import InboxController
from backend.notify.sms import make_sms_sender
from backend.open311.controller import IntegrationController, Open311Controller
from backend.openapi import document_problems, ids_in_range
from backend.orders.controller import OrderController
from backend.privacy.controller import MyDataController, PrivacyAdminController
from backend.security import redact
from backend.security.headers import cors_config, security_headers
from backend.security.limits import make_limiter
from backend.settings import Settings, load_settings
from backend.sso.controller import MyIdentitiesController, SsoAdminController, SsoController
from backend.ventures.controller import NeedController, ObjectionController, RoundController
from backend.ventures.delivery_controller import (
    CommentController,
    MilestoneController,
    ProjectController,
)
from backend.ventures.proposal_controller import ProposalController
from backend.ventures.public_controller import DisclosureController
from backend.web import pwa


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.database = Database.connect(settings)
        runner = None
        if settings.jobs_enabled:
            runner = JobRunner(
                app.state.database.writer_sessions, JOBS, interval=settings.jobs_interval_seconds
            )
            runner.start()
        redact.install(development=settings.env == "development")
        try:
            yield
        finally:
            if runner is not None:
                await runner.stop()
            await app.state.database.dispose()
            await app.state.limiter.counter.close()

    app = Litestar(
        route_handlers=[
            HealthController,
            AuthController,
            MeController,
            CatalogController,
            OrderController,
            InboxController,
            SsoController,
            MyIdentitiesController,
            SsoAdminController,
            Open311Controller,
            IntegrationController,
            RoundController,
            NeedController,
            ProposalController,
            ObjectionController,
            ProjectController,
            MilestoneController,
            CommentController,
            DisclosureController,
            AuditController,
            FileController,
            MyDataController,
            PrivacyAdminController,
            pwa,
        ],
        dependencies={
            "db": Provide(provide_session),
            "caller": Provide(provide_caller, sync_to_thread=False),
        },
        middleware=[remember_client_ip, authentication],
        before_send=[security_headers],
        before_request=ids_in_range,
        cors_config=cors_config(settings.cors_origins),
        plugins=[problem_details],
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                "sms": make_sms_sender(settings),
                "limiter": make_limiter(settings),
                "storage": make_storage(settings),
            }
        ),
        openapi_config=OpenAPIConfig(
            title="Linli API",
            version="1.0.0",
            description="邻里 community services: 点单 → 派单 → 接单 → 评单.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
            security=[{"bearer": []}],
        ),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            loggers={"linli": {"level": "INFO"}},
            log_exceptions="debug",
        ),
        debug=False,
    )
    document_problems(app)
    return app


logging.getLogger("linli").setLevel(logging.INFO)
