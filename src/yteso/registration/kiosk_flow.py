"""The kiosk's use cases: identify → (register) → confirm → ticket.

Takes the session first and never commits. Between the steps the browser holds only a
random token (a `KioskInteraction` row) that stands for the person and the eligibility
result for a few minutes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from yteso import patients
from yteso.core.audit import record as audit_record
from yteso.core.audit import record_refusal
from yteso.core.auth import Principal
from yteso.core.db import utcnow
from yteso.core.errors import FieldProblem, NotFound, TooManyRequests, ValidationFailed
from yteso.core.settings import Settings
from yteso.facilities import FacilityOut
from yteso.patients import Identifier, IdentifierKind, PersonOut, SourceRecordIn
from yteso.registration import identity, queues, repository
from yteso.registration.eligibility import Eligibility, assess, unchecked
from yteso.registration.insurance_portal import CardQuery, PortalUnavailable, insurance_gateway
from yteso.registration.models import KioskInteraction
from yteso.registration.qr import ticket_with_qr
from yteso.registration.schemas import (
    PRIORITY_LABELS_VI,
    ConfirmOut,
    IdentifyIn,
    InsuranceOut,
    RegisterIn,
)

INTERACTION_MINUTES = 10
# Typed numbers that find nobody, per kiosk in INTERACTION_MINUTES, before typing is refused:
# a person may mistype a few times; someone trying numbers to learn who is insured may not.
UNKNOWN_NUMBERS_LIMIT = 8
_SEX_VI = {1: "Nam", 2: "Nữ", 3: "Chưa xác định"}


@dataclass(frozen=True)
class KioskContext:
    """Who is asking, from where, for which facility: what every step needs."""

    kiosk: Principal
    facility: FacilityOut
    settings: Settings
    factory: sessionmaker[Session] | None = None
    address: str | None = None

    def audit(self, session: Session, action: str, person_id: int, detail: str = "") -> None:
        audit_record(
            session, self.kiosk, action, "Person", str(person_id), "success", detail or None,
            self.address,
        )  # fmt: skip


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_interaction(session: Session, context: KioskContext, token: str) -> KioskInteraction:
    found = repository.interaction(session, token_hash(token), utcnow())
    if found is None or found.facility_code != context.facility.code:
        raise NotFound("Phiên làm việc đã hết hạn. Vui lòng quét lại CCCD hoặc nhập lại số.")
    return found


def _freeze(eligibility: Eligibility) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(eligibility).items()}


def thaw(snapshot: dict[str, Any]) -> Eligibility | None:
    if not snapshot.get("eligibility"):
        return None
    data = dict(snapshot["eligibility"])
    for name in ("valid_from", "valid_to"):
        data[name] = date.fromisoformat(data[name]) if data.get(name) else None
    return Eligibility(**{f.name: data[f.name] for f in fields(Eligibility)})


def _birth_text(person: PersonOut) -> str:
    if person.birth_date is None:
        return ""
    if person.birth_date_precision == "year":
        return str(person.birth_date.year)
    return person.birth_date.strftime("%d/%m/%Y")


def check_card(
    session: Session, context: KioskContext, person: PersonOut, card: str | None
) -> Eligibility | None:
    """The eligibility check for this visit; None when the person has nothing to look up."""
    card = card or identity.identifier_of(person, IdentifierKind.INSURANCE_NUMBER)
    cccd = identity.identifier_of(person, IdentifierKind.NATIONAL_ID)
    if not card and not cccd:
        return None
    query = CardQuery(card, cccd, person.full_name, _birth_text(person))
    gateway = insurance_gateway(context.settings, session)
    try:
        lookup = gateway.look_up_card(query)
    except PortalUnavailable as error:
        return unchecked(error)
    return assess(lookup, context.facility, queues.service_day())


def insurance_out(eligibility: Eligibility | None) -> InsuranceOut:
    if eligibility is None:
        return InsuranceOut(
            status="none",
            message_vi="Không có thẻ BHYT: khám dịch vụ (tự chi trả).",
            message_en="No insurance card: self-paying visit.",
        )
    return InsuranceOut(
        status=eligibility.status,
        message_vi=eligibility.message_vi,
        message_en=eligibility.message_en,
        card_number_masked=identity.masked_card(eligibility.card_number),
        group=eligibility.group,
        benefit_level=eligibility.benefit_level,
        registered_facility=eligibility.registered_facility,
        valid_to=eligibility.valid_to,
        in_network=eligibility.in_network if eligibility.status == "valid" else None,
    )


def _new_interaction(
    session: Session, context: KioskContext, person_id: int | None, identifier: Identifier
) -> tuple[str, KioskInteraction]:
    repository.delete_expired_interactions(session, utcnow())
    token = secrets.token_urlsafe(24)
    row = KioskInteraction(
        token_hash=token_hash(token),
        facility_code=context.facility.code,
        client_id=context.kiosk.id,
        person_id=person_id,
        identifier_kind=identifier.kind.value,
        identifier_value=identifier.value,
        snapshot={},
        expires_at=utcnow() + timedelta(minutes=INTERACTION_MINUTES),
    )
    session.add(row)
    session.flush()
    return token, row


def confirm(
    session: Session, context: KioskContext, token: str, row: KioskInteraction, person: PersonOut,
    card: str | None, warnings: list[str],
) -> ConfirmOut:  # fmt: skip
    """Check the card, remember the result with the token, and say what the screen shows."""
    eligibility = check_card(session, context, person, card)
    priority = identity.automatic_priority(person, queues.service_day())
    row.person_id = person.id
    row.snapshot = {"eligibility": _freeze(eligibility) if eligibility else None,
                    "priority": priority}  # fmt: skip
    session.flush()
    existing = repository.open_ticket_of(
        session, context.facility.code, person.id, queues.service_day()
    )
    insurance = insurance_out(eligibility)
    context.audit(session, "kiosk.confirm", person.id, f"insurance {insurance.status}")
    return ConfirmOut(
        token=token,
        known=True,
        masked_name=identity.masked_name(person.full_name),
        birth_year=person.birth_date.year if person.birth_date else None,
        sex_label=_SEX_VI.get(person.sex),
        insurance=insurance,
        priority=priority,  # type: ignore[arg-type]
        priority_label=PRIORITY_LABELS_VI[priority],
        identifier_kind=row.identifier_kind,
        warnings=warnings,
        existing_ticket=ticket_with_qr(session, existing) if existing else None,
    )


def _scanned_record(context: KioskContext, presented: identity.Presented) -> SourceRecordIn:
    qr = presented.qr
    assert qr is not None  # only called for a scan
    return SourceRecordIn(
        facility_code=context.facility.code,
        local_id=f"kiosk-cccd-{qr.cccd.value}",
        origin="kiosk",
        full_name=qr.full_name,
        birth_date=qr.birth_date.iso(),
        sex=qr.sex,
        identifiers=[presented.identifier],
        address_line=qr.address[:255] or None,
    )


def identify(session: Session, context: KioskContext, data: IdentifyIn) -> ConfirmOut:
    """A scan always yields a person (the index creates one if needed); a typed number
    either finds its person or asks for the short registration form."""
    presented = identity.presented(data)
    warnings: list[str] = []
    if presented.qr is not None:
        decision = patients.match_record(
            session, _scanned_record(context, presented), actor=context.kiosk.id
        )
        warnings = decision.warnings
        person: PersonOut | None = patients.get_person(session, decision.person_id)
        context.audit(session, "kiosk.identify", decision.person_id, f"qr {decision.outcome}")
    else:
        _check_typing_allowed(session, context)
        person = patients.find_by_identifier(
            session, presented.identifier.kind, presented.identifier.value
        )
        if person is not None:
            context.audit(session, "kiosk.identify", person.id, presented.identifier.kind)
    token, row = _new_interaction(
        session, context, person.id if person else None, presented.identifier
    )
    if person is None:
        return ConfirmOut(token=token, known=False, identifier_kind=row.identifier_kind)
    # A typed card is the one to check, even if the person holds an older one too.
    typed_card = presented.identifier.kind == IdentifierKind.INSURANCE_NUMBER
    card = presented.identifier.value if typed_card else None
    return confirm(session, context, token, row, person, card, warnings)


def _check_typing_allowed(session: Session, context: KioskContext) -> None:
    since = utcnow() - timedelta(minutes=INTERACTION_MINUTES)
    if repository.unknown_numbers_since(session, context.kiosk.id, since) < UNKNOWN_NUMBERS_LIMIT:
        return
    message = (
        "Ki-ốt này đã nhận quá nhiều số không tìm thấy trong ít phút qua nên tạm ngừng nhận "
        "số nhập tay. Vui lòng quét mã QR trên CCCD hoặc đến quầy tiếp đón để được hỗ trợ."
    )
    if context.factory is not None:
        why = "quá nhiều số không tìm thấy"
        record_refusal(context.factory, context.kiosk, "kiosk.identify", "Facility",
                       context.facility.code, why, context.address)  # fmt: skip
    raise TooManyRequests(message)


def _check_registration(row: KioskInteraction, data: RegisterIn) -> None:
    if data.birth_date > queues.service_day() or data.birth_date.year < 1900:
        message = "Ngày sinh không hợp lệ."
        raise ValidationFailed(message, [FieldProblem("birth_date", message)])
    if row.identifier_kind == IdentifierKind.NATIONAL_ID and row.identifier_value:
        identity.check_cccd_agrees(row.identifier_value, data.birth_date.year, data.sex,
                                   "birth_date")  # fmt: skip


def register(session: Session, context: KioskContext, data: RegisterIn) -> ConfirmOut:
    """The short form for a typed number nobody in the index holds yet."""
    row = load_interaction(session, context, data.token)
    if row.person_id is not None:  # submitted twice: the person already exists
        person = patients.get_person(session, row.person_id)
        return confirm(session, context, data.token, row, person, None, [])
    _check_registration(row, data)
    kind = IdentifierKind(row.identifier_kind or IdentifierKind.NATIONAL_ID)
    identifier = Identifier(kind=kind, value=row.identifier_value or "")
    decision = patients.match_record(
        session,
        SourceRecordIn(
            facility_code=context.facility.code,
            local_id=f"kiosk-{kind.value}-{identifier.value}",
            origin="kiosk",
            full_name=" ".join(data.full_name.split()),
            birth_date=data.birth_date.isoformat(),
            sex=data.sex,
            identifiers=[identifier],
            commune_code=data.commune_code,
            phone=data.phone,
        ),
        actor=context.kiosk.id,
    )
    context.audit(session, "kiosk.register", decision.person_id, decision.outcome)
    person = patients.get_person(session, decision.person_id)
    card = identifier.value if kind == IdentifierKind.INSURANCE_NUMBER else None
    return confirm(session, context, data.token, row, person, card, decision.warnings)
