"""The one FastAPI application: every module's routes, pages and error handling."""

from __future__ import annotations

import gc
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from yteso import facilities, records
from yteso.claims import api as claims_api
from yteso.core.audit import api as audit_api
from yteso.core.auth import api as auth_api
from yteso.core.auth import pages as auth_pages
from yteso.core.db import make_engine, make_session_factory
from yteso.core.logs import configure_logging
from yteso.core.settings import Settings, load_settings
from yteso.core.web.access_log import AccessLog
from yteso.core.web.deps import AppSettings, Db, MaybePrincipal
from yteso.core.web.errors import install_error_handlers
from yteso.core.web.limits import BodySizeLimit
from yteso.core.web.templating import templates
from yteso.facilities import api as facilities_api
from yteso.facilities import pages as facilities_pages
from yteso.patients import api as patients_api
from yteso.patients import index_api as patients_index_api
from yteso.patients import pages as patients_pages
from yteso.records import api as records_api
from yteso.reference import admin_units
from yteso.reference import api as reference_api
from yteso.reference import pages as reference_pages
from yteso.registration import api as registration_api
from yteso.registration import board as registration_board
from yteso.registration import counter_api as registration_counter
from yteso.registration import pages as registration_pages

log = logging.getLogger("yteso")


def _start_page(
    request: Request, db: Db, settings: AppSettings, principal: MaybePrincipal
) -> Response:
    province = admin_units.get_province(settings.province_code)
    context: dict[str, Any] = {
        "principal": principal,
        "province_name": province.name if province else settings.province_code,
        "province_code": settings.province_code,
        "facility_count": facilities.count_active_facilities(db),
        "commune_count": len(admin_units.communes(settings.province_code)),
        "demo": facilities.has_demo_facilities(db),
    }
    return templates.TemplateResponse(request, "index.html", context)


def _healthz() -> dict[str, str]:
    """The process is up (liveness)."""
    return {"status": "ok"}


def _readyz(db: Db) -> Response:
    """The database answers and is migrated (readiness)."""
    try:
        version = db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as error:  # any database failure means not ready
        return JSONResponse(
            {"status": "unavailable", "reason": type(error).__name__}, status_code=503
        )
    return JSONResponse({"status": "ready", "schema": version})


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    configure_logging(settings.log_level, settings.log_format)
    app = FastAPI(
        title="Y Tế Số",
        version="0.1.0",
        description="Nền tảng dữ liệu y tế tỉnh — provincial health-data platform (Thái Nguyên).",
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.session_factory = make_session_factory(app.state.engine)
    install_error_handlers(app)
    app.add_exception_handler(records.FhirError, records_api.fhir_error_response)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLog)
    app.mount("/static", StaticFiles(packages=[("yteso.core.web", "static")]), name="static")
    app.add_api_route("/", _start_page, include_in_schema=False)
    app.add_api_route("/healthz", _healthz, tags=["ops"])
    app.add_api_route("/readyz", _readyz, tags=["ops"])
    # Starlette tries routes in order: the FHIR API, the busiest, first.
    for router in (
        records_api.router,
        auth_api.router,
        auth_pages.router,
        audit_api.router,
        reference_api.router,
        reference_pages.router,
        facilities_api.router,
        facilities_pages.router,
        patients_api.router,
        patients_index_api.router,
        patients_pages.router,
        claims_api.router,
        registration_api.router,
        registration_counter.router,
        registration_board.router,
        registration_pages.router,
    ):
        app.include_router(router)
    log.info("app created", extra={"database": settings.database_url.split("@")[-1]})
    return app


def create_served_app() -> FastAPI:
    """The app of a server process (uvicorn's factory); tests use `create_app`."""
    app = create_app()
    # What lives as long as the process (routes, mappers, reference data: ~120 k objects)
    # out of the cyclic collector's reach: its full passes over them stalled every request
    # of the worker for 50-150 ms every few seconds under load (the p99 of reads by id).
    # Garbage made from now on is collected as before.
    gc.collect()
    gc.freeze()
    return app
