"""Errors as people read them: JSON for programs, a page (or the login form) for browsers."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from yteso.core.errors import DomainError, FieldProblem
from yteso.core.web.templating import templates

log = logging.getLogger("yteso.web")

_PYDANTIC_VI = {
    "missing": "thiếu trường bắt buộc",
    "string_too_long": "quá dài",
    "string_too_short": "quá ngắn",
    "string_pattern_mismatch": "sai định dạng",
    "int_parsing": "phải là số nguyên",
    "bool_parsing": "phải là true hoặc false",
    "enum": "giá trị không nằm trong danh mục",
    "literal_error": "giá trị không nằm trong danh mục",
    "extra_forbidden": "trường không được phép",
    "json_invalid": "JSON không hợp lệ",
}


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api", "/oauth", "/fhir")) or "text/html" not in request.headers.get(
        "accept", ""
    )


def _body(code: str, message: str, problems: list[FieldProblem]) -> dict[str, object]:
    return {
        "error": {"code": code, "message": message, "problems": [p.as_dict() for p in problems]}
    }


def _respond(
    request: Request, status: int, code: str, message: str, problems: list[FieldProblem]
) -> Response:
    if _wants_json(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(_body(code, message, problems), status_code=status, headers=headers)
    if status == 401:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "problems": problems},
        status_code=status,
    )


def _validation_problems(exc: RequestValidationError) -> list[FieldProblem]:
    problems = []
    for error in exc.errors():
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")
        ]
        message = _PYDANTIC_VI.get(str(error.get("type")), str(error.get("msg", "")))
        problems.append(FieldProblem(".".join(location) or "body", message))
    return problems


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        return _respond(request, exc.status_code, exc.code, exc.message, exc.problems)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = _validation_problems(exc)
        return _respond(request, 422, "validation_failed", "Dữ liệu gửi lên không hợp lệ", problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {
            404: "Không tìm thấy trang hoặc tài nguyên này",
            405: "Phương thức không được hỗ trợ",
        }
        message = messages.get(exc.status_code, str(exc.detail))
        return _respond(request, exc.status_code, "http_error", message, [])

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", extra={"path": request.url.path})
        return _respond(
            request, 500, "internal_error", "Lỗi hệ thống; đã ghi nhật ký, vui lòng thử lại", []
        )
