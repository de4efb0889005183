"""The lines of a synthetic episode (XML2 drugs, XML3 services, XML4 results) and the XML1
totals, every amount computed with the annex's formulas (claims.split, claims.cents)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from yteso.claims import Record, cents, split
from yteso.reference import claim_specs
from yteso.synth.episode_catalogue import BED, DOCTOR, DRUGS, EXAM, LABS, SUPPLY, Diagnosis, Lab
from yteso.synth.facilities import SynthFacility
from yteso.synth.people import SynthPerson


def ordered(table: str, values: dict[str, str]) -> Record:
    """Every field of the table in annex order; unknown values written empty, as HIS do."""
    return {f.name: values.get(f.name, "") for f in claim_specs.table(table).fields}


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M")


def money_text(value: Decimal) -> str:
    return f"{value:.2f}"


@dataclass(slots=True)
class Visit:
    """What the lines of one episode share."""

    ma_lk: str
    person: SynthPerson
    facility: SynthFacility
    start: datetime
    end: datetime
    benefit: int  # MUC_HUONG; 0 for the uninsured
    department: str
    diagnosis: Diagnosis


def _split_values(visit: Visit, bv: Decimal, bh: Decimal, other: Decimal) -> dict[str, str]:
    parts = split(bv, bh, Decimal(visit.benefit), other)
    return {
        "THANH_TIEN_BV": money_text(bv),
        "THANH_TIEN_BH": money_text(bh),
        "MUC_HUONG": str(visit.benefit),
        "T_NGUONKHAC_NSNN": money_text(other),
        "T_NGUONKHAC_VTNN": "0",
        "T_NGUONKHAC_VTTN": "0",
        "T_NGUONKHAC_CL": "0",
        "T_NGUONKHAC": money_text(other),
        **{name: money_text(value) for name, value in parts.items()},
    }


def _other_funding(rng: random.Random, bv: Decimal) -> Decimal:
    if rng.random() >= 0.05:
        return Decimal(0)
    return cents(bv * Decimal(rng.choice((10, 30, 100))) / 100)


def _drug_line(rng: random.Random, visit: Visit, stt: int, when: datetime) -> Record:
    code, name, strength, unit, route, price, rate = rng.choice(DRUGS)
    quantity = Decimal(rng.choice((1, 2, 5, 10, 14, 20, 30)))
    bh_rate = rate if visit.benefit else 0
    bv = cents(quantity * Decimal(price))
    bh = cents(quantity * Decimal(price) * bh_rate / 100)
    return ordered(
        "XML2",
        {
            "MA_LK": visit.ma_lk,
            "STT": str(stt),
            "MA_THUOC": code,
            "MA_NHOM": "4",
            "TEN_THUOC": name,
            "DON_VI_TINH": unit,
            "HAM_LUONG": strength,
            "DUONG_DUNG": route,
            "LIEU_DUNG": "Ngày 2 lần, mỗi lần 1 " + unit.lower(),
            "SO_DANG_KY": "VD-12345-20",
            "TT_THAU": "G1;N1;2025",
            "PHAM_VI": "1",
            "TYLE_TT_BH": str(bh_rate),
            "SO_LUONG": str(quantity),
            "DON_GIA": price,
            **_split_values(visit, bv, bh, _other_funding(rng, bv)),
            "MA_KHOA": visit.department,
            "MA_BAC_SI": DOCTOR,
            "NGAY_YL": stamp(when),
            "NGAY_TH_YL": stamp(when + timedelta(minutes=15)),
            "MA_PTTT": "1",
            "NGUON_CTRA": "1",
        },
    )


def _service_line(
    visit: Visit, stt: int, service: tuple[str, ...], quantity: Decimal, when: datetime
) -> Record:
    code, name, group, unit, price = service
    bh_rate = 100 if visit.benefit else 0
    bv = cents(quantity * Decimal(price))
    bh = cents(quantity * Decimal(price) * bh_rate / 100)
    supply = group == "10"
    return ordered(
        "XML3",
        {
            "MA_LK": visit.ma_lk,
            "STT": str(stt),
            "MA_DICH_VU": "" if supply else code,
            "MA_VAT_TU": code if supply else "",
            "MA_NHOM": group,
            "TEN_VAT_TU": name if supply else "",
            "TEN_DICH_VU": "" if supply else name,
            "TT_THAU": "G1;N1;2025" if supply else "",
            "DON_VI_TINH": unit,
            "PHAM_VI": "1",
            "SO_LUONG": str(quantity),
            "DON_GIA_BV": price,
            "DON_GIA_BH": price,
            "TYLE_TT_DV": "100",
            "TYLE_TT_BH": str(bh_rate),
            **_split_values(visit, bv, bh, Decimal(0)),
            "MA_KHOA": visit.department,
            "MA_BAC_SI": DOCTOR,
            "NGUOI_THUC_HIEN": DOCTOR if group in ("1", "2", "3") else "",
            "MA_BENH": "",  # empty: for the principal diagnosis (QĐ 130, XML3 MA_BENH)
            "NGAY_YL": stamp(when),
            "NGAY_TH_YL": stamp(when + timedelta(minutes=10)),
            "NGAY_KQ": stamp(when + timedelta(minutes=50)) if group in ("1", "2") else "",
            "MA_PTTT": "1",
        },
    )


def _lab_results(rng: random.Random, visit: Visit, labs: list[Lab], when: datetime) -> list[Record]:
    results: list[Record] = []
    for service, indicators in labs:
        for key, name, unit, low, high in indicators:
            value = rng.uniform(low * 0.8, high * 1.2) if high > 1 else rng.choice((0, 1))
            results.append(
                ordered(
                    "XML4",
                    {
                        "MA_LK": visit.ma_lk,
                        "STT": str(len(results) + 1),
                        "MA_DICH_VU": service[0],
                        "MA_CHI_SO": key,
                        "TEN_CHI_SO": name,
                        "GIA_TRI": f"{value:.1f}"
                        if high > 1
                        else ("Dương tính" if value else "Âm tính"),
                        "DON_VI_DO": unit,
                        "NGAY_KQ": stamp(when + timedelta(minutes=50)),
                        "MA_BS_DOC_KQ": "002345/TN-CCHN",
                    },
                )
            )
    return results


def build_lines(
    rng: random.Random, visit: Visit, kind: str, drugs: int, services: int, labs: int
) -> tuple[list[Record], list[Record], list[Record]]:
    when = visit.start + timedelta(minutes=20)
    drug_lines = [_drug_line(rng, visit, i, when) for i in range(1, drugs + 1)]
    chosen = rng.sample(LABS, k=min(labs, len(LABS)))
    if visit.diagnosis.code.startswith("A97") and LABS[2] not in chosen:
        chosen.append(LABS[2])
    services_list: list[tuple[tuple[str, ...], Decimal]] = [(EXAM, Decimal(1))]
    services_list += [(lab[0], Decimal(1)) for lab in chosen]
    if kind != "outpatient":
        days = (visit.end.date() - visit.start.date()).days + 1
        services_list.append((BED, Decimal(days)))
    while len(services_list) < services:
        services_list.append((SUPPLY, Decimal(rng.randint(1, 5))))
    service_lines = [
        _service_line(visit, i, s, q, when) for i, (s, q) in enumerate(services_list, start=1)
    ]
    return drug_lines, service_lines, _lab_results(rng, visit, chosen, when)


def line_totals(drugs: list[Record], services: list[Record]) -> dict[str, str]:
    def total(records: list[Record], name: str) -> Decimal:
        return sum((Decimal(r[name]) for r in records), Decimal(0))

    lines = drugs + services
    supplies = [r for r in services if r["MA_NHOM"] == "10"]
    return {
        "T_THUOC": money_text(total(drugs, "THANH_TIEN_BV")),
        "T_VTYT": money_text(total(supplies, "THANH_TIEN_BV")),
        "T_TONGCHI_BV": money_text(total(lines, "THANH_TIEN_BV")),
        "T_TONGCHI_BH": money_text(total(lines, "THANH_TIEN_BH")),
        **{n: money_text(total(lines, n)) for n in ("T_BNTT", "T_BNCCT", "T_BHTT", "T_NGUONKHAC")},
        "T_BHTT_GDV": money_text(total(lines, "T_BHTT")),
    }
