"""The FHIR R4 REST API at /fhir (application/fhir+json). Errors are OperationOutcomes."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any, ParamSpec

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from yteso.core.errors import DomainError
from yteso.core.text import is_digits
from yteso.core.web.deps import (
    Db,
    MaybePrincipal,
    audit_writer,
    client_address,
    commit_in_route,
    get_session_factory,
    principal_of,
)
from yteso.records import bulk, bundles, capability, read_by_id, reading, responses, service
from yteso.records.access import Caller
from yteso.records.definitions import RESOURCE_TYPES
from yteso.records.indexing import EARLIEST, LATEST, date_range
from yteso.records.outcome import FhirError, Issue, fail, from_domain_error


class FhirRoute(APIRoute):
    """Every failure under /fhir, dependencies included, answers with an OperationOutcome.

    The error leaves the route as a FhirError, answered by `fhir_error_response` (installed on
    the app): it must pass the request's unit of work on its way out so the transaction is
    rolled back, which a response made here would hide."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as error:
                raise from_domain_error(error) from None

        return handle


async def fhir_error_response(request: Request, error: Exception) -> Response:
    assert isinstance(error, FhirError)
    return responses.outcome(error.issues, error.status)


router = APIRouter(prefix="/fhir", tags=["fhir"], route_class=FhirRoute)


_NO_TOKEN = "Cần mã truy cập: gửi 'Authorization: Bearer <token>'"


async def _caller(request: Request, principal: MaybePrincipal) -> Caller:
    # async: no I/O here, so FastAPI runs it without a hop through the thread pool.
    if principal is None:
        raise fail(401, "login", _NO_TOKEN)
    source = request.headers.get("x-source-document")
    return Caller(principal, get_session_factory(request), client_address(request), source)


Who = Annotated[Caller, Depends(_caller, scope="function")]
Params = ParamSpec("Params")


def _commits(
    route: Callable[Params, Response],
) -> Callable[Params, Response]:
    """Reads (every one writes its audit event) commit in their own worker thread: one hop
    through the thread pool per request instead of two."""

    @functools.wraps(route)
    def run(*args: Params.args, **kwargs: Params.kwargs) -> Response:
        response = route(*args, **kwargs)
        db = kwargs["db"]
        assert isinstance(db, Session)
        commit_in_route(db)
        return response

    return run


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def _type(res_type: str) -> str:
    if res_type not in RESOURCE_TYPES:
        raise fail(404, "not-supported", f"Loại tài nguyên không hỗ trợ: {res_type}")
    return res_type


def _moment(value: str | None, end: int) -> datetime | None:
    """Start (end=0) or end (end=1) of a FHIR date parameter; 400 when malformed."""
    if value is None:
        return None
    try:
        return date_range(value)[end]
    except ValueError as error:
        raise fail(400, "value", str(error)) from None


def _strict(request: Request) -> bool:
    return "handling=strict" in request.headers.get("prefer", "")


@router.get("/metadata")
def metadata(request: Request) -> Response:
    return responses.fhir(capability.capability_statement(_base(request)))


@router.post("")
async def transaction_or_batch(request: Request, db: Db, who: Who) -> Response:
    bundle = service.parse_body(await request.body())
    return responses.fhir(bundles.process(db, who, _base(request), bundle))


@router.post("/$import")
async def bulk_import(request: Request, db: Db, who: Who) -> Response:
    """NDJSON body (application/fhir+ndjson), one resource per line; all or nothing."""
    result = bulk.import_ndjson(db, who, (await request.body()).splitlines())
    message = f"Đã nhập {result.created} tài nguyên mới, cập nhật {result.updated}"
    return responses.outcome([Issue("information", "informational", message)], 200)


@router.get("/Patient/{patient_id}/$everything")
@_commits
def everything(request: Request, db: Db, who: Who, patient_id: str) -> Response:
    params = request.query_params
    since = _moment(params.get("_since"), 0)
    window = None
    if "start" in params or "end" in params:
        low = _moment(params.get("start"), 0) or EARLIEST
        high = _moment(params.get("end"), 1) or LATEST
        window = (low, high)
    return responses.fhir(reading.everything(db, who, _base(request), patient_id, since, window))


@router.get("/{res_type}")
@_commits
def search_type(request: Request, db: Db, who: Who, res_type: str) -> Response:
    pairs = list(request.query_params.multi_items())
    bundle = reading.run_search(db, who, _base(request), _type(res_type), pairs, _strict(request))
    return responses.fhir(bundle)


@router.post("/{res_type}")
async def create(request: Request, db: Db, who: Who, res_type: str) -> Response:
    body = service.parse_body(await request.body())
    if isinstance(body, dict) and body.get("resourceType") != _type(res_type):
        raise fail(400, "invalid", f"resourceType phải là {res_type}", "resourceType")
    status, stored = service.create(db, who, body, request.headers.get("if-none-exist"))
    return responses.resource(stored, status, _base(request))


@router.put("/{res_type}")
async def conditional_update(request: Request, db: Db, who: Who, res_type: str) -> Response:
    body = service.parse_body(await request.body())
    pairs = list(request.query_params.multi_items())
    status, stored = service.conditional_update(db, who, _type(res_type), pairs, body)
    return responses.resource(stored, status, _base(request))


@router.get("/{res_type}/_history")
@_commits
def type_history(request: Request, db: Db, who: Who, res_type: str) -> Response:
    return _history(request, db, who, _type(res_type), None)


@router.get("/{res_type}/{res_id}")
async def read(request: Request, res_type: str, res_id: str) -> Response:
    """The hottest route, kept lean: no unit of work and no hop through the thread pool
    (the audit thread reads, and commits the event together with other reads')."""
    principal = await principal_of(request)
    if principal is None:
        raise fail(401, "login", _NO_TOKEN)
    writer, address = audit_writer(request), client_address(request)
    stored = await read_by_id.read(writer, principal, address, _type(res_type), res_id)
    return responses.resource(stored)


@router.put("/{res_type}/{res_id}")
async def update(request: Request, db: Db, who: Who, res_type: str, res_id: str) -> Response:
    body = service.parse_body(await request.body())
    status, stored = service.update(
        db, who, _type(res_type), res_id, body, request.headers.get("if-match")
    )
    return responses.resource(stored, status, _base(request))


@router.delete("/{res_type}/{res_id}")
def delete(db: Db, who: Who, res_type: str, res_id: str) -> Response:
    service.delete(db, who, _type(res_type), res_id)
    return Response(status_code=204)


@router.get("/{res_type}/{res_id}/_history")
@_commits
def instance_history(request: Request, db: Db, who: Who, res_type: str, res_id: str) -> Response:
    return _history(request, db, who, _type(res_type), res_id)


@router.get("/{res_type}/{res_id}/_history/{version}")
@_commits
def vread(db: Db, who: Who, res_type: str, res_id: str, version: str) -> Response:
    if not is_digits(version):
        raise fail(404, "not-found", f"Phiên bản không hợp lệ: {version}")
    return responses.resource(service.vread(db, who, _type(res_type), res_id, int(version)))


def _history(request: Request, db: Db, who: Caller, res_type: str, res_id: str | None) -> Response:
    params = request.query_params
    since = _moment(params.get("_since"), 0)
    count_text, offset_text = params.get("_count", "50"), params.get("_offset", "0")
    if not (is_digits(count_text) and is_digits(offset_text)):
        raise fail(400, "invalid", "_count và _offset phải là số nguyên không âm")
    count, offset = min(int(count_text), 500), int(offset_text)
    rows = service.history(db, who, res_type, res_id, since, count, offset)
    return responses.fhir(responses.history_bundle(_base(request), rows))
