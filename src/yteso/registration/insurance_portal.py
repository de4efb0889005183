"""The insurance gateway the kiosk uses: the real BHXH portal or the demo simulator.

`insurance_gateway(settings, session)` picks the implementation from
YTESO_INSURANCE_GATEWAY ("simulator", the default, or "http"). The HTTP client is shared per
settings so its portal token is reused across requests until it expires.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy.orm import Session

from yteso.core.settings import Settings
from yteso.registration.card_lookup import (
    RESULT_MESSAGES_VI,
    CardLookup,
    CardQuery,
    InsuranceGateway,
    PortalUnavailable,
)
from yteso.registration.insurance_http import HttpInsuranceGateway, PortalAccount
from yteso.registration.insurance_simulator import (
    SimulatedInsuranceGateway,
    card_validity,
    find_demo_card,
)

__all__ = [
    "RESULT_MESSAGES_VI",
    "CardLookup",
    "CardQuery",
    "HttpInsuranceGateway",
    "InsuranceGateway",
    "PortalAccount",
    "PortalUnavailable",
    "SimulatedInsuranceGateway",
    "card_validity",
    "find_demo_card",
    "insurance_gateway",
]


@cache
def _http_gateway(settings: Settings) -> HttpInsuranceGateway:
    account = PortalAccount(
        base_url=settings.insurance_portal_url,
        username=settings.insurance_portal_username,
        password=settings.insurance_portal_password,
        staff_name=settings.insurance_staff_name,
        staff_cccd=settings.insurance_staff_cccd,
    )
    return HttpInsuranceGateway(account, timeout=settings.insurance_timeout_seconds)


def insurance_gateway(settings: Settings, session: Session) -> InsuranceGateway:
    """The configured gateway; the simulator reads the demo population through `session`."""
    if settings.insurance_gateway == "http":
        return _http_gateway(settings)
    if settings.insurance_gateway == "simulator":
        return SimulatedInsuranceGateway(session)
    raise ValueError(
        f"YTESO_INSURANCE_GATEWAY={settings.insurance_gateway!r}: use 'simulator' or 'http'"
    )
