"""Settings from the environment (YTESO_*), with defaults that run on a laptop."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(f"YTESO_{name}", default)


def _default_database_url() -> str:
    return f"sqlite:///{Path('var') / 'yteso.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", _default_database_url()))
    # The province this instance serves (GSO code; Thái Nguyên = 19).
    province_code: int = field(default_factory=lambda: int(_env("PROVINCE_CODE", "19")))
    # Facility codes keep the province prefix they were issued with, so a merged province
    # accepts its former provinces' prefixes too (Thái Nguyên: 19, former Bắc Kạn: 06).
    facility_prefixes: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            p.strip() for p in _env("FACILITY_PREFIXES", "19,06").split(",") if p.strip()
        )
    )
    log_level: str = field(default_factory=lambda: _env("LOG_LEVEL", "INFO"))
    log_format: str = field(default_factory=lambda: _env("LOG_FORMAT", "json"))
    session_hours: int = field(default_factory=lambda: int(_env("SESSION_HOURS", "12")))
    token_minutes: int = field(default_factory=lambda: int(_env("TOKEN_MINUTES", "60")))
    max_body_bytes: int = field(default_factory=lambda: int(_env("MAX_BODY_BYTES", "10485760")))
    secure_cookies: bool = field(default_factory=lambda: _env("SECURE_COOKIES", "0") == "1")
    # Claim data on time: hours from NGAY_RA to reception (TT 48/2017; STANDARDS.md §1).
    claim_ontime_hours: float = field(
        default_factory=lambda: float(_env("CLAIM_ONTIME_HOURS", "24"))
    )
    # Insurance (BHXH) card check: "simulator" (demo population) or "http" (the real portal).
    insurance_gateway: str = field(default_factory=lambda: _env("INSURANCE_GATEWAY", "simulator"))
    insurance_portal_url: str = field(
        default_factory=lambda: _env("INSURANCE_PORTAL_URL", "https://egw.baohiemxahoi.gov.vn")
    )
    insurance_portal_username: str = field(
        default_factory=lambda: _env("INSURANCE_PORTAL_USERNAME", "")
    )
    insurance_portal_password: str = field(
        default_factory=lambda: _env("INSURANCE_PORTAL_PASSWORD", ""), repr=False
    )
    # Since 2024 each lookup names the staff member doing it (hoTenCb, cccdCb).
    insurance_staff_name: str = field(default_factory=lambda: _env("INSURANCE_STAFF_NAME", ""))
    insurance_staff_cccd: str = field(default_factory=lambda: _env("INSURANCE_STAFF_CCCD", ""))
    insurance_timeout_seconds: float = field(
        default_factory=lambda: float(_env("INSURANCE_TIMEOUT_SECONDS", "5"))
    )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings() -> Settings:
    return Settings()
