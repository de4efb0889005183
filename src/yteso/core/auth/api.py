"""OAuth2 client-credentials token endpoint (RFC 6749 §4.4) for facility systems and kiosks."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel

from yteso.core.auth import service as auth
from yteso.core.errors import DomainError, Unauthenticated
from yteso.core.web.deps import AppSettings, Db

router = APIRouter(tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int


class UnsupportedGrant(DomainError):
    code = "unsupported_grant_type"


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated("Tiêu đề Authorization Basic không đọc được") from None
    return client_id, secret


@router.post("/oauth/token", response_model=TokenResponse)
def token(
    request: Request,
    db: Db,
    settings: AppSettings,
    grant_type: Annotated[str, Form()],
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
) -> TokenResponse:
    """Exchange a client's id and secret (form fields or HTTP Basic) for a bearer token."""
    if grant_type != "client_credentials":
        raise UnsupportedGrant("Chỉ hỗ trợ grant_type=client_credentials")
    credentials = _basic_credentials(request) or (client_id or "", client_secret or "")
    access_token = auth.issue_token(db, credentials[0], credentials[1], settings.token_minutes)
    return TokenResponse(access_token=access_token, expires_in=settings.token_minutes * 60)
