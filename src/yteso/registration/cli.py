"""`yteso kiosk …`: what a demo needs to try the kiosk (addresses and people to present)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from yteso import facilities, patients
from yteso.core.cli_support import command_unit_of_work, console
from yteso.core.errors import NotFound
from yteso.patients import IdentifierKind, PersonOut
from yteso.registration.identity import identifier_of
from yteso.registration.insurance_portal import card_validity
from yteso.registration.queues import service_day

app = typer.Typer(help="Ki-ốt đăng ký khám, quầy gọi số, bảng gọi số.", no_args_is_help=True)
# Demo people are numbered from 1; a few hundred cover every kind of card.
_SCAN_LIMIT = 2000


def qr_string(person: PersonOut) -> str:
    """What a scanner reads from the person's chip-card QR (demo people only)."""
    born = person.birth_date.strftime("%d%m%Y") if person.birth_date else ""
    sex = "Nam" if person.sex == 1 else "Nữ"
    cccd = identifier_of(person, IdentifierKind.NATIONAL_ID) or ""
    return f"{cccd}||{person.full_name}|{born}|{sex}|{person.address_line or ''}|01072021"


def _demo_people(session: Session) -> Iterator[PersonOut]:
    for person_id in range(1, _SCAN_LIMIT):
        try:
            person = patients.get_person(session, person_id)
        except NotFound:
            continue
        if (
            person.is_demo
            and person.birth_date
            and identifier_of(person, IdentifierKind.NATIONAL_ID)
        ):
            yield person


def _kind(person: PersonOut) -> str:
    card = identifier_of(person, IdentifierKind.INSURANCE_NUMBER)
    if card is None:
        return "không có thẻ BHYT"
    _start, end = card_validity(card, person.birth_date, service_day())
    return "thẻ hết hạn" if end < service_day() else "thẻ còn hạn"


@app.command("demo")
def demo(
    facility: Annotated[str, typer.Option(help="MA_CSKCB của bệnh viện")] = "19001",
    count: Annotated[int, typer.Option(help="Số người mẫu mỗi loại thẻ")] = 2,
) -> None:
    """Addresses of a facility's kiosk, counter and board, and demo people to present."""
    with command_unit_of_work() as session:
        found = facilities.get_facility(session, facility)
        console.print(f"[bold]{found.name}[/] ({found.code})")
        for what, path in (("Ki-ốt", ""), ("Quầy gọi số", "/counter"), ("Bảng gọi số", "/board")):
            console.print(f"  {what:<12} http://127.0.0.1:8000/kiosk/{found.code}{path}")
        shown: dict[str, int] = {}
        for person in _demo_people(session):
            kind = _kind(person)
            if shown.get(kind, 0) >= count:
                if len(shown) == 3 and all(n >= count for n in shown.values()):
                    break
                continue
            shown[kind] = shown.get(kind, 0) + 1
            card = identifier_of(person, IdentifierKind.INSURANCE_NUMBER) or "—"
            console.print(f"\n[bold]{person.full_name}[/] · {kind} · BHYT {card}")
            console.print(f"  QR (dán vào ô quét rồi Enter): {qr_string(person)}", soft_wrap=True)
