"""Request-scoped dependencies: the unit of work and who is asking.

`Db` opens one transaction per request and commits it before the response is sent
(scope="function"), so a client never sees success for a change that failed to commit.
The dependencies are `async` where they do no I/O, or only on a path that runs it in the
thread pool: each sync dependency would cost a hop through the pool on every request.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from yteso.core.audit import service as audit
from yteso.core.audit.group_commit import AuditWriter
from yteso.core.auth import service as auth
from yteso.core.auth.principal import Principal, Role
from yteso.core.db import finish_unit_of_work
from yteso.core.errors import Forbidden, Unauthenticated
from yteso.core.settings import Settings

SESSION_COOKIE = "yteso_session"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


async def _db(request: Request) -> AsyncIterator[Session]:
    # Opening a session does no I/O (the connection is taken at the first query); the
    # commit, or the rollback after an error, runs in a worker thread.
    # Refused accesses are written once this transaction has ended (their own transaction
    # would otherwise wait for this one's write lock on SQLite).
    session = get_session_factory(request)()
    refusals = audit.defer_refusals()
    try:
        yield session
    except BaseException:
        try:
            await _finish(session, False)
        finally:
            await _write_refusals(refusals)
        raise
    try:
        if session.in_transaction():
            await _finish(session, True)
        else:
            session.close()  # nothing began, or the route committed already (commit_in_route)
    finally:
        await _write_refusals(refusals)


async def _finish(session: Session, succeeded: bool) -> None:
    # Outside the shared limit of worker threads (as FastAPI runs a sync dependency's exit):
    # a commit that waited for a thread held by a request waiting for a pooled connection
    # would deadlock. FastAPI shields this exit from cancellation.
    await _in_thread(finish_unit_of_work, session, succeeded)


async def _write_refusals(refusals: list[Any]) -> None:
    if refusals:
        await _in_thread(audit.write_refusals, refusals)


async def _in_thread(work: Callable[..., None], *args: Any) -> None:
    await to_thread.run_sync(work, *args, limiter=CapacityLimiter(1))


def audit_writer(request: Request) -> AuditWriter:
    """The process's group commit of read audit events for the app's database."""
    state = request.app.state
    writer: AuditWriter | None = getattr(state, "audit_writer", None)
    if writer is None:
        with _audit_writer_lock:
            writer = getattr(state, "audit_writer", None)
            if writer is None:
                writer = state.audit_writer = AuditWriter(state.engine)
    return writer


_audit_writer_lock = threading.Lock()


def commit_in_route(session: Session) -> None:
    """For a sync route's last step: commit the request's transaction in the route's own
    worker thread, so `Db` has nothing left to do and skips its hop through the pool.
    The response still follows the commit; a failed commit fails the request."""
    finish_unit_of_work(session, True)


Db = Annotated[Session, Depends(_db, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]


async def _optional_principal(request: Request, db: Db) -> Principal | None:
    return await _principal(request, db)


async def principal_of(request: Request) -> Principal | None:
    """`MaybePrincipal` for a route without the request's unit of work (a lean read): a
    token the cache does not know is looked up in a session of its own."""
    return await _principal(request, None)


async def _principal(request: Request, db: Session | None) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        principal = auth.cached_principal(token) or await run_in_threadpool(
            _look_up, request, db, auth.principal_from_token, token
        )
        if principal is None:
            raise Unauthenticated("Mã truy cập (bearer token) không hợp lệ hoặc đã hết hạn")
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    return await run_in_threadpool(_look_up, request, db, auth.principal_from_session, cookie)


def _look_up(
    request: Request,
    db: Session | None,
    look_up: Callable[[Session, str], Principal | None],
    credential: str,
) -> Principal | None:
    if db is not None:
        return look_up(db, credential)
    with get_session_factory(request)() as own:
        return look_up(own, credential)


MaybePrincipal = Annotated[Principal | None, Depends(_optional_principal, scope="function")]


async def _required_principal(principal: MaybePrincipal) -> Principal:
    if principal is None:
        raise Unauthenticated(
            "Cần đăng nhập: gửi 'Authorization: Bearer <token>' (máy khách) "
            "hoặc đăng nhập tại /login (nhân viên)"
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(_required_principal, scope="function")]


def require_roles(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency that lets only staff with one of these roles through."""
    allowed = {str(r) for r in roles}

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.kind != "staff" or principal.role not in allowed:
            raise Forbidden(
                f"Vai trò '{principal.role}' không được làm việc này; cần một trong: "
                + ", ".join(sorted(allowed))
            )
        return principal

    return check


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def ensure_facility_scope(
    request: Request, principal: Principal, facility_code: str, action: str, resource_type: str
) -> None:
    """Refuse (and audit the refusal) when the principal does not act for this facility."""
    if principal.may_act_for(facility_code):
        return
    audit.record_refusal(
        get_session_factory(request),
        principal,
        action,
        resource_type,
        facility_code,
        f"ngoài phạm vi cơ sở {principal.facility_code}",
        client_address(request),
    )
    raise Forbidden(
        f"Tài khoản thuộc cơ sở {principal.facility_code} không được truy cập dữ liệu "
        f"của cơ sở {facility_code}"
    )
