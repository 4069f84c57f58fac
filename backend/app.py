"""create_app(): the one explicit Litestar(...) call that assembles Linli."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from backend.audit.context import remember_client_ip
from backend.audit.controller import AuditController
from backend.auth.controller import AuthController, MeController
from backend.auth.security import authentication, provide_caller
from backend.catalog.controller import CatalogController
from backend.db import Database, provide_session
from backend.directory.controller import DirectoryController
from backend.errors import problem_details
from backend.files.controller import DisclosedFileController, FileController
from backend.files.storage import make_storage
from backend.health import HealthController
from backend.jobs.registry import jobs_for
from backend.jobs.runner import JobRunner
from backend.lifecycle import watch_shutdown_signals
from backend.notify.controller import InboxController, PreferencesController, PushController
from backend.notify.hub import EventHub
from backend.notify.sms import make_sms_sender
from backend.notify.stream import EventStreamController
from backend.observability.logs import install_record_factory, logging_config
from backend.observability.metrics import metrics, prometheus
from backend.observability.requestid import RequestIdMiddleware
from backend.open311.controller import IntegrationController, Open311Controller
from backend.openapi import document_problems, ids_in_range
from backend.orders.controller import OrderController
from backend.orders.lists import OrderLists
from backend.places.controller import PlacesController
from backend.privacy.controller import MyDataController, PrivacyAdminController
from backend.quality.callback_controller import CallbackController
from backend.quality.dashboard_controller import DashboardController
from backend.quality.ranking_controller import RankingController
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
from backend.volunteers.controller import VolunteerController
from backend.volunteers.party_controller import PartyController
from backend.web import pwa


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    install_record_factory()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.database = Database.connect(settings)
        app.state.order_lists = OrderLists(app.state.database.plain_reader)
        runner = None
        if settings.jobs_enabled:
            runner = JobRunner(
                app.state.database.writer_sessions,
                jobs_for(settings),
                interval=settings.jobs_interval_seconds,
            )
            runner.start()
        redact.install(development=settings.env == "development")
        try:
            with watch_shutdown_signals(app):
                yield
        finally:
            if runner is not None:
                await runner.stop()
            await app.state.database.dispose()
            await app.state.limiter.counter.close()

    app = Litestar(
        route_handlers=[
            HealthController,
            metrics,
            AuthController,
            MeController,
            CatalogController,
            PlacesController,
            OrderController,
            CallbackController,
            RankingController,
            DashboardController,
            DirectoryController,
            VolunteerController,
            PartyController,
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
            DisclosedFileController,
            MyDataController,
            PrivacyAdminController,
            PushController,
            PreferencesController,
            EventStreamController,
            pwa,
        ],
        dependencies={
            "db": Provide(provide_session),
            "caller": Provide(provide_caller, sync_to_thread=False),
        },
        middleware=[prometheus.middleware, remember_client_ip, authentication],
        before_send=[security_headers],
        before_request=ids_in_range,
        cors_config=cors_config(settings.cors_origins),
        plugins=[problem_details, EventHub(settings)],
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
        logging_config=logging_config(settings.log_format, settings.log_level),
        debug=False,
    )
    document_problems(app)
    # Outermost, like Litestar's own CORS wrapper: unknown paths get a request id too.
    app.asgi_handler = RequestIdMiddleware(app.asgi_handler)
    return app


logging.getLogger("linli").setLevel(logging.INFO)
