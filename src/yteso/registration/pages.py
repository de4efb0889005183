"""Kiosk, counter and board pages, and the kiosk's one-time activation."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from yteso.core.audit import record as audit_record
from yteso.core.audit import record_refusal
from yteso.core.auth import service as auth
from yteso.core.errors import DomainError, NotFound
from yteso.core.web.deps import (
    SESSION_COOKIE,
    AppSettings,
    Db,
    MaybePrincipal,
    client_address,
    get_session_factory,
)
from yteso.core.web.templating import add_template_package, templates
from yteso.facilities import FacilityOut
from yteso.registration import devices, queues
from yteso.registration.api import facility_or_404
from yteso.registration.counter_api import require_staff

add_template_package("yteso.registration")
router = APIRouter(include_in_schema=False)

_ASSETS = {"kiosk.js": "text/javascript", "counter.js": "text/javascript",
           "board.js": "text/javascript", "kiosk.css": "text/css"}  # fmt: skip


@router.get("/kiosk-assets/{name}")
def asset(name: str) -> Response:
    """The pages' own script and style sheet (packaged with the module)."""
    if name not in _ASSETS:
        raise NotFound(f"Không có tệp {name}")
    body = resources.files("yteso.registration").joinpath("static", name).read_bytes()
    return Response(body, media_type=_ASSETS[name], headers={"Cache-Control": "max-age=300"})


def _kiosk_is_active(request: Request, db: Db, code: str) -> bool:
    try:
        devices.kiosk_principal(db, request.cookies.get(devices.KIOSK_COOKIE), code)
    except DomainError:
        return False
    return True


@router.get("/kiosk/{code}")
def kiosk_page(request: Request, db: Db, principal: MaybePrincipal, code: str) -> Response:
    """The patient's screen once activated; before that, the activation page for staff."""
    facility = facility_or_404(db, code)
    context: dict[str, object] = {"facility": facility, "principal": principal}
    if _kiosk_is_active(request, db, code):
        return templates.TemplateResponse(request, "registration/kiosk.html", context)
    context["may_activate"] = devices.may_activate(principal, code)
    return templates.TemplateResponse(request, "registration/activate.html", context)


@router.post("/kiosk/{code}/activate")
def activate(
    request: Request, db: Db, settings: AppSettings, principal: MaybePrincipal, code: str
) -> Response:
    """Turn this browser into the facility's kiosk and sign the staff member out of it."""
    facility: FacilityOut = facility_or_404(db, code)
    if principal is None:
        return RedirectResponse(f"/login?next=/kiosk/{code}", status_code=303)
    try:
        client_id, token = devices.activate(db, principal, facility)
    except DomainError as error:
        record_refusal(
            get_session_factory(request), principal, "kiosk.activate", "Facility", code,
            error.message, client_address(request),
        )  # fmt: skip
        raise
    audit_record(
        db,
        principal,
        "kiosk.activate",
        "ApiClient",
        client_id,
        client_address=client_address(request),
    )
    staff_session = request.cookies.get(SESSION_COOKIE)
    if staff_session:
        auth.end_session(db, staff_session)
    response = RedirectResponse(f"/kiosk/{code}", status_code=303)
    response.set_cookie(
        devices.KIOSK_COOKIE,
        token,
        max_age=devices.KIOSK_TOKEN_DAYS * 86400,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/kiosk/{code}/counter")
def counter_page(request: Request, db: Db, principal: MaybePrincipal, code: str) -> Response:
    facility = facility_or_404(db, code)
    if principal is None:
        return RedirectResponse(f"/login?next=/kiosk/{code}/counter", status_code=303)
    require_staff(request, db, principal, code)
    context = {
        "facility": facility,
        "principal": principal,
        "departments": queues.departments(db, code),
    }
    return templates.TemplateResponse(request, "registration/counter.html", context)


@router.get("/kiosk/{code}/board")
def board_page(request: Request, db: Db, code: str) -> Response:
    """For a TV in the hall: public, numbers and rooms only."""
    facility = facility_or_404(db, code)
    return templates.TemplateResponse(request, "registration/board.html", {"facility": facility})
