"""The QR code printed on a ticket, as inline SVG (segno; no image files, no network).

It carries only the facility, the ticket id and its number, so a counter's scanner can
bring the ticket up; nothing about the person.
"""

from __future__ import annotations

import segno
from sqlalchemy.orm import Session

from yteso.registration import queues
from yteso.registration.models import QueueTicket
from yteso.registration.schemas import TicketOut


def ticket_qr_svg(facility_code: str, ticket_id: int, display_number: str) -> str:
    # A fixed mask skips scoring all eight (6x faster); any mask scans on a clean print.
    code = segno.make(
        f"YTESO-TICKET|{facility_code}|{ticket_id}|{display_number}",
        error="m",
        mask=0,
        boost_error=False,
    )
    svg: str = code.svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=True)
    return svg


def ticket_with_qr(session: Session, ticket: QueueTicket, name: str | None = None) -> TicketOut:
    """The ticket as the kiosk prints it; `name`: the department's, when already known."""
    out = queues.ticket_out(session, ticket, name=name)
    out.qr_svg = ticket_qr_svg(ticket.facility_code, ticket.id, out.display_number)
    return out
