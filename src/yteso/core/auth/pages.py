"""Staff login and logout pages (session cookie)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from yteso.core.audit import service as audit
from yteso.core.auth import service as auth
from yteso.core.web.deps import SESSION_COOKIE, AppSettings, Db, MaybePrincipal, client_address
from yteso.core.web.templating import templates

router = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    # Only local paths, so the login form cannot be used to send people to another site.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_form(request: Request, principal: MaybePrincipal, next: str = "/") -> Response:
    context = {"next": _safe_next(next), "error": None, "username": "", "principal": principal}
    return templates.TemplateResponse(request, "login.html", context)


@router.post("/login")
def login(
    request: Request,
    db: Db,
    settings: AppSettings,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    user = auth.authenticate(db, username.strip(), password)
    if user is None:
        context = {
            "next": _safe_next(next),
            "username": username,
            "principal": None,
            "error": "Sai tên đăng nhập hoặc mật khẩu (hoặc tài khoản đã bị khóa). Hãy thử lại.",
        }
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    token = auth.start_session(db, user, settings.session_hours)
    principal = auth.principal_from_session(db, token)
    audit.record(
        db, principal, "login", "StaffUser", user.username, client_address=client_address(request)
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


@router.post("/logout")
def logout(request: Request, db: Db) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.end_session(db, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
