"""Client for the BHXH portal's card check (Cổng tiếp nhận dữ liệu giám định BHYT, "egw").

What is known, from several independent public HIS clients of the portal (the official
guide, Công văn 1923/BHXH-CNTT of 20/06/2024 and its appendix, is not public):
- token: POST {base}/api/token/take with username and the MD5 of the password; the answer
  is {"maKetQua": "200", "APIKey": {"access_token", "id_token", "token_type", "username",
  "expires_in"}}. Form-encoded per the appendix as quoted by one source, JSON in others;
  we send a form. Upper-case MD5 hex per one source (lower-case works in others): unverified
  which the portal requires, it appears to accept both.
- card check: POST {base}/api/egw/KQNhanLichSuKCB2024?token=…&id_token=…&username=…&
  password=<md5> with a JSON body {maThe, hoTen, ngaySinh, hoTenCb, cccdCb}: maThe is the
  card number or the CCCD, ngaySinh dd/mm/yyyy or yyyy, hoTenCb/cccdCb the staff member
  doing the lookup (required since the 2024 version). Answer: maKetQua, ghiChu, maThe,
  hoTen, ngaySinh, gioiTinh ("Nam"/"Nữ"), diaChi, maDKBD, gtTheTu, gtTheDen (dd/mm/yyyy),
  maKV, ngayDu5Nam, maSoBHXH, maTheMoi, gtTheTuMoi, gtTheDenMoi, maDKBDMoi.
- expires_in is a timestamp in some clients, unclear in others (unverified): we accept
  seconds or an ISO timestamp and otherwise keep a token for `token_ttl` (50 min, as the
  cautious clients do), and take a new one once when the portal answers 401.
Standard library only (urllib), so the runtime needs no HTTP client dependency.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from yteso.core.text import is_digits
from yteso.registration.card_lookup import (
    PORTAL_FAILURE_CODES,
    CardLookup,
    CardQuery,
    PortalUnavailable,
)

TOKEN_PATH = "/api/token/take"
CARD_PATH = "/api/egw/KQNhanLichSuKCB2024"
_MAX_ANSWER_BYTES = 1 << 20  # a card answer is a few kB; more is not the portal
_TOKEN_MARGIN_SECONDS = 60.0
_AUTH_FAILED = frozenset({401, 403})

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PortalAccount:
    base_url: str  # https://egw.baohiemxahoi.gov.vn
    username: str  # the facility's portal account, e.g. "19001_BV"
    password: str = field(repr=False)  # plain; sent as its MD5 as the portal asks
    staff_name: str = ""  # hoTenCb
    staff_cccd: str = ""  # cccdCb

    @property
    def password_md5(self) -> str:
        # The portal's protocol, not our choice of hash: nothing is protected by it here.
        return hashlib.md5(self.password.encode("utf-8")).hexdigest().upper()


@dataclass(frozen=True)
class _Token:
    access_token: str
    id_token: str
    expires_at: float  # on the monotonic clock


class _AuthRejected(Exception):
    """The portal refused the token: take a new one and try once more."""


class HttpInsuranceGateway:
    """The real portal. Thread-safe; one instance per process keeps the token."""

    def __init__(
        self,
        account: PortalAccount,
        timeout: float = 5.0,
        token_ttl: float = 50 * 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._account = account
        self._timeout = timeout
        self._token_ttl = token_ttl
        self._clock = clock
        self._token: _Token | None = None
        self._lock = threading.Lock()

    def look_up_card(self, query: CardQuery) -> CardLookup:
        try:
            answer = self._check_card(self._current_token(), query)
        except _AuthRejected:
            self._forget_token()
            try:
                answer = self._check_card(self._current_token(), query)
            except _AuthRejected:
                raise PortalUnavailable("the portal refused a fresh token") from None
        return _card_lookup(answer)

    def _current_token(self) -> _Token:
        with self._lock:
            if self._token is None or self._clock() >= self._token.expires_at:
                self._token = self._take_token()
            return self._token

    def _forget_token(self) -> None:
        with self._lock:
            self._token = None

    def _take_token(self) -> _Token:
        form = urllib.parse.urlencode(
            {"username": self._account.username, "password": self._account.password_md5}
        ).encode("ascii")
        answer = self._post(TOKEN_PATH, form, "application/x-www-form-urlencoded")
        key = answer.get("APIKey")
        if str(answer.get("maKetQua")) != "200" or not isinstance(key, dict):
            log.error("insurance portal refused the login (maKetQua=%s)", answer.get("maKetQua"))
            raise PortalUnavailable(f"login refused (maKetQua={answer.get('maKetQua')})")
        access, id_token = key.get("access_token"), key.get("id_token")
        if not isinstance(access, str) or not access or not isinstance(id_token, str):
            raise PortalUnavailable("token answer without access_token/id_token")
        lifetime = _lifetime_seconds(key.get("expires_in"), self._token_ttl)
        return _Token(access, id_token, self._clock() + lifetime - _TOKEN_MARGIN_SECONDS)

    def _check_card(self, token: _Token, query: CardQuery) -> dict[str, Any]:
        params = urllib.parse.urlencode(
            {
                "token": token.access_token,
                "id_token": token.id_token,
                "username": self._account.username,
                "password": self._account.password_md5,
            }
        )
        body = {
            "maThe": query.card_or_cccd,
            "hoTen": query.full_name,
            "ngaySinh": query.birth_date,
            "hoTenCb": self._account.staff_name,
            "cccdCb": self._account.staff_cccd,
        }
        answer = self._post(
            f"{CARD_PATH}?{params}", json.dumps(body).encode("utf-8"), "application/json"
        )
        code = str(answer.get("maKetQua") or "")
        if code in ("401", "403"):
            raise _AuthRejected
        if not code or code in PORTAL_FAILURE_CODES:
            raise PortalUnavailable(f"card check failed (maKetQua={code or 'none'})")
        return answer

    def _post(self, path: str, data: bytes, content_type: str) -> dict[str, Any]:
        request = urllib.request.Request(
            self._account.base_url.rstrip("/") + path,
            data=data,
            method="POST",
            headers={"Content-Type": content_type, "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                raw = response.read(_MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            if error.code in _AUTH_FAILED:
                raise _AuthRejected from None
            raise PortalUnavailable(f"portal answered HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise PortalUnavailable(f"portal unreachable: {error}") from None
        if len(raw) > _MAX_ANSWER_BYTES:
            raise PortalUnavailable("portal answer too large")
        try:
            answer = json.loads(raw)
        except ValueError:
            raise PortalUnavailable("portal answer is not JSON") from None
        if not isinstance(answer, dict):
            raise PortalUnavailable("portal answer is not a JSON object")
        return answer


def _lifetime_seconds(expires_in: object, default: float) -> float:
    """Seconds a token lives: a number of seconds, an ISO timestamp, or the default."""
    if isinstance(expires_in, int | float) and expires_in > 0:
        return float(expires_in)
    if isinstance(expires_in, str) and expires_in.strip():
        text = expires_in.strip()
        if is_digits(text):
            return float(text)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return default
        now = datetime.now(moment.tzinfo)
        return max((moment - now).total_seconds(), 0.0)
    return default


def _text(answer: dict[str, Any], key: str) -> str | None:
    value = answer.get(key)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _day(answer: dict[str, Any], key: str) -> date | None:
    """dd/mm/yyyy as the portal writes dates; anything else is treated as absent."""
    text = _text(answer, key)
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        log.warning("insurance portal: unreadable date in %s", key)
        return None


def _sex(answer: dict[str, Any]) -> int | None:
    said = (_text(answer, "gioiTinh") or "").lower()
    return {"nam": 1, "nữ": 2, "nu": 2, "1": 1, "2": 2}.get(said)


def _card_lookup(answer: dict[str, Any]) -> CardLookup:
    return CardLookup(
        result_code=str(answer["maKetQua"]),
        note=_text(answer, "ghiChu") or "",
        card_number=_text(answer, "maThe"),
        full_name=_text(answer, "hoTen"),
        birth_date=_text(answer, "ngaySinh"),
        sex=_sex(answer),
        address=_text(answer, "diaChi"),
        registered_facility=_text(answer, "maDKBD"),
        valid_from=_day(answer, "gtTheTu"),
        valid_to=_day(answer, "gtTheDen"),
        five_years_from=_day(answer, "ngayDu5Nam"),
        social_insurance_number=_text(answer, "maSoBHXH"),
        area_code=_text(answer, "maKV"),
        new_card_number=_text(answer, "maTheMoi"),
        new_valid_from=_day(answer, "gtTheTuMoi"),
        new_valid_to=_day(answer, "gtTheDenMoi"),
        new_registered_facility=_text(answer, "maDKBDMoi"),
        source="portal",
    )
