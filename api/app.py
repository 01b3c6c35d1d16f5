"""The FastAPI application: the LINE webhook, and in development the LINE simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from activities.line import LineMessenger
from api import attachment_links, cases, webhook
from api.back_office import mount_back_office
from api.client_address import mount_client_address
from api.codec_endpoint import codec_router
from api.conversations import ConversationGateway
from api.docs import mount_docs
from api.health import health_router
from api.metrics import mount_metrics
from api.security_headers import mount_security_headers
from api.unstorable_text import mount_unstorable_text_refusal
from configuration.log_privacy import hide_line_user_ids_in_access_log
from configuration.logging_setup import configure_logging
from configuration.settings import Settings, get_settings
from database.pool import create_pool
from database.startup import prepare_database
from orchestration.client import API_RETRIES, connect_temporal


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("api")  # before uvicorn's own lines, so they come out in the same format
    hide_line_user_ids_in_access_log()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await create_pool(settings)
        await prepare_database(pool, settings)
        client = await connect_temporal(settings, retry_config=API_RETRIES)
        app.state.pool = pool
        app.state.temporal = client
        line = LineMessenger(settings)  # the webhook answers an ended case's alert button itself
        app.state.conversations = ConversationGateway(client, pool, settings, line)
        yield
        await app.state.conversations.close()
        await line.close()
        await pool.close()

    app = FastAPI(
        title="ESS Help Me",
        description="ระบบแจ้งเหตุฉุกเฉินทางสังคม — Emergency Social Services on LINE",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,  # ReDoc has no offline bundle; Swagger UI at /docs does
        # The schema maps every endpoint for whoever asks: production publishes it only when told to.
        openapi_url="/openapi.json" if settings.serves_api_docs else None,
    )
    app.state.settings = settings
    mount_security_headers(app, settings)
    mount_unstorable_text_refusal(app)
    if settings.serves_api_docs:
        mount_docs(app)
    app.include_router(webhook.router)
    app.include_router(cases.router)
    app.include_router(attachment_links.router)
    mount_back_office(app)
    app.include_router(codec_router(settings))
    app.include_router(health_router())
    mount_metrics(app, settings)
    mount_client_address(app, settings)  # the last middleware added runs first

    if settings.is_development:
        from line_simulator import mount_simulator

        mount_simulator(app, settings)

        # At ESS_PUBLIC_URL (localhost under `make run`), also when this page was opened at
        # 127.0.0.1: the Temporal UI decodes with the back office's session, sent only to localhost.
        home = settings.public_url.rstrip("/")

        @app.get("/", response_class=HTMLResponse, include_in_schema=False)
        async def development_home() -> str:
            return (
                "<!doctype html><meta charset='utf-8'><title>ESS Help Me</title>"
                "<h1>ESS Help Me (development)</h1><ul>"
                f"<li><a href='{home}/dev/'>LINE simulator — แชตแจ้งเหตุจำลอง</a></li>"
                f"<li><a href='{home}/office'>Back office — ระบบหลังบ้าน</a> (demo accounts: admin, bangkok-admin, "
                "bangkok-191, khlongtoei, bangkok-team)</li>"
                f"<li><a href='{home}/docs'>API documentation</a></li>"
                f"<li><a href='{settings.temporal_ui_url}'>Temporal UI</a></li></ul>"
            )

    return app


app = create_app()
