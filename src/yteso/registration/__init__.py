"""Registration: kiosk, eligibility, queues, tickets and the XML0 check-in (issue 6).

The kiosk flow (identify → confirm → department → ticket) opens the visit in the shared
record; insurance cards go through `insurance_gateway` (the portal or its simulator).
"""

from yteso.registration.checkin import CheckIn, enqueue_checkin
from yteso.registration.eligibility import Eligibility, assess
from yteso.registration.insurance_portal import (
    CardLookup,
    CardQuery,
    InsuranceGateway,
    insurance_gateway,
)
from yteso.registration.queues import queue_overview, service_day
from yteso.registration.schemas import DepartmentQueueOut, TicketOut

__all__ = [
    "CardLookup",
    "CardQuery",
    "CheckIn",
    "DepartmentQueueOut",
    "Eligibility",
    "InsuranceGateway",
    "TicketOut",
    "assess",
    "enqueue_checkin",
    "insurance_gateway",
    "queue_overview",
    "service_day",
]
