"""Load the demo province into the database: facilities, people, staff and API clients.

Everything written here is demo data: rows carry is_demo and the UI says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from yteso import facilities, patients
from yteso.core.auth import service as auth
from yteso.synth.facilities import SynthFacility, generate_facilities
from yteso.synth.people import SynthPerson, generate_people

# Demo only: known passwords so a visitor can log in to the demo; printed by the seed.
DEMO_PASSWORD = "demo-yteso-2026"


@dataclass
class DemoSeedReport:
    facilities: int = 0
    people: int = 0
    users: list[tuple[str, str, str | None]] = field(default_factory=list)
    clients: list[tuple[str, str, str]] = field(default_factory=list)


def _facility_in(facility: SynthFacility) -> facilities.FacilityIn:
    return facilities.FacilityIn(
        code=facility.code,
        name=facility.name,
        kind=facility.kind,
        owner=facility.owner,
        technical_level=facility.technical_level,
        commune_code=facility.commune_code,
        address=facility.address,
        phone=facility.phone,
        emr_status=facility.emr_status,
        iso15189_lab=facility.iso15189_lab,
        telemedicine_hub=facility.telemedicine_hub,
        departments=[facilities.Department(code=c, name=n) for c, n in facility.departments],
    )


def person_in(person: SynthPerson) -> patients.PersonIn:
    identifiers = [patients.Identifier(kind=patients.IdentifierKind.NATIONAL_ID, value=person.cccd)]
    if person.bhyt:
        identifiers.append(
            patients.Identifier(kind=patients.IdentifierKind.INSURANCE_NUMBER, value=person.bhyt)
        )
    return patients.PersonIn.model_construct(
        family_name=person.family_name,
        middle_name=person.middle_name,
        given_name=person.given_name,
        sex=person.sex,
        birth_date=person.birth_date,
        birth_date_precision="day",
        commune_code=person.commune_code,
        address_line=person.address_line,
        phone=person.phone,
        identifiers=identifiers,
    )


def seed_facilities(
    session: Session, seed: int, rules: facilities.RegistryRules
) -> list[SynthFacility]:
    generated = generate_facilities(seed, rules.province_code)
    for facility in generated:
        facilities.create_facility(session, _facility_in(facility), rules, is_demo=True)
    return generated


def seed_people(
    session: Session, count: int, seed: int, province_code: int, reference_date: date
) -> Iterator[int]:
    """Insert `count` demo people; yields progress counts as batches land."""
    people = (person_in(p) for p in generate_people(count, seed, province_code, reference_date))
    yield from patients.bulk_add_people(session, people, is_demo=True, processes=1)


def seed_accounts(session: Session, hospital: SynthFacility, report: DemoSeedReport) -> None:
    staff = [
        ("admin", "Quản trị hệ thống (demo)", "admin", None),
        ("phantich", "Chuyên viên Sở Y tế (demo)", "doh_analyst", None),
        ("tiepdon", "Nhân viên tiếp đón (demo)", "receptionist", hospital.code),
        ("bacsi", "Bác sĩ (demo)", "clinician", hospital.code),
        ("quantri", "Quản trị cơ sở (demo)", "facility_admin", hospital.code),
    ]
    for username, name, role, facility_code in staff:
        auth.create_user(session, username, name, DEMO_PASSWORD, role, facility_code)
        report.users.append((username, role, facility_code))
    for kind in ("his", "kiosk"):
        client, secret = auth.create_client(
            session, f"{kind.upper()} {hospital.name}", kind, hospital.code
        )
        report.clients.append((client.client_id, secret, hospital.code))


def seed_demo(
    session: Session,
    people: int,
    seed: int,
    rules: facilities.RegistryRules,
    on_progress: Callable[[int], None] = lambda _n: None,
    reference_date: date = date(2026, 1, 1),
) -> DemoSeedReport:
    """The whole demo province in the caller's transaction."""
    report = DemoSeedReport()
    generated = seed_facilities(session, seed, rules)
    report.facilities = len(generated)
    for batch in seed_people(session, people, seed, rules.province_code, reference_date):
        report.people += batch
        on_progress(batch)
    hospital = next(f for f in generated if f.kind == "hospital" and f.telemedicine_hub)
    seed_accounts(session, hospital, report)
    return report
