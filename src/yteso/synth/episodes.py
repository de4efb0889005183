"""Synthetic QĐ 130 episodes from the synthetic province: outpatient, inpatient, emergency.

Diagnoses follow rough provincial frequencies, with dengue (A97.x, July–November) and
hand-foot-mouth disease (B08.4, young children, spring and autumn) seasonal. Every amount
is computed with the annex's formulas (claims.split, claims.cents), so the money adds up
exactly. `faults=True` breaks about a third of the episodes with one known error each and
records the rule the validator must report.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from yteso.claims import ClaimDocument, Episode, Record, cents, new_envelope, split, write_envelope
from yteso.reference import claim_specs
from yteso.synth.facilities import SynthFacility, generate_facilities
from yteso.synth.people import SynthPerson, generate_people

KINDS = (("outpatient", 70), ("inpatient", 20), ("emergency", 10))
FAULT_SHARE = 0.3
_YEAR = 2025
_DOCTOR = "001234/TN-CCHN"  # MA_BAC_SI: practising certificate number


@dataclass(frozen=True, slots=True)
class _Diagnosis:
    code: str
    name: str
    weight: float
    kinds: str  # letters: o outpatient, i inpatient, e emergency
    min_age: int = 0
    max_age: int = 120
    female_only: bool = False
    season: tuple[int, ...] = ()  # months with a higher rate


_DENGUE = (7, 8, 9, 10, 11)
_HFMD = (3, 4, 5, 9, 10, 11)
DIAGNOSES = (
    _Diagnosis("J06.9", "Nhiễm trùng đường hô hấp trên cấp", 30, "o"),
    _Diagnosis("J02.9", "Viêm họng cấp", 10, "o"),
    _Diagnosis("J20.9", "Viêm phế quản cấp", 8, "oi"),
    _Diagnosis("I10", "Tăng huyết áp", 14, "o", min_age=35),
    _Diagnosis("E11.9", "Đái tháo đường typ 2", 8, "oi", min_age=35),
    _Diagnosis("K29.7", "Viêm dạ dày", 8, "o", min_age=12),
    _Diagnosis("A09", "Tiêu chảy nhiễm trùng", 6, "oie"),
    _Diagnosis("M54.5", "Đau cột sống thắt lưng", 5, "o", min_age=25),
    _Diagnosis("J18.9", "Viêm phổi", 6, "ie"),
    _Diagnosis("A97.0", "Sốt xuất huyết Dengue", 2, "oi", season=_DENGUE),
    _Diagnosis("A97.1", "Sốt xuất huyết Dengue có dấu hiệu cảnh báo", 1, "ie", season=_DENGUE),
    _Diagnosis("B08.4", "Bệnh tay chân miệng", 3, "oi", max_age=6, season=_HFMD),
    _Diagnosis("O80", "Đẻ thường một thai", 3, "i", min_age=18, max_age=45, female_only=True),
    _Diagnosis("S52.5", "Gãy đầu dưới xương quay", 3, "e"),
    _Diagnosis("K35.8", "Viêm ruột thừa cấp", 2, "ie", min_age=5),
    _Diagnosis("I63.9", "Nhồi máu não", 2, "ie", min_age=45),
)
# (MA_THUOC, TEN_THUOC, HAM_LUONG, DON_VI_TINH, DUONG_DUNG, DON_GIA, TYLE_TT_BH)
DRUGS = (
    ("40.17", "Paracetamol", "500mg", "Viên", "1.01", "350", 100),
    ("40.136", "Amoxicilin", "500mg", "Viên", "1.01", "1250.5", 100),
    ("40.1002", "Omeprazol", "20mg", "Viên", "1.01", "980", 100),
    ("40.484", "Amlodipin", "5mg", "Viên", "1.01", "420", 100),
    ("40.519", "Metformin", "850mg", "Viên", "1.01", "610", 100),
    ("40.1051", "Natri clorid 0,9%", "500ml", "Chai", "2.15", "9450", 100),
    ("40.156", "Cefuroxim", "750mg", "Lọ", "2.10", "28350", 100),
    ("40.62", "Vitamin C", "500mg", "Viên", "1.01", "215.75", 100),
    ("40.1017", "Oresol", "4,1g", "Gói", "1.01", "1680", 100),
    ("40.300", "Albumin", "20%/50ml", "Lọ", "2.15", "598000", 50),
)
# (MA_DICH_VU, TEN_DICH_VU, MA_NHOM, DON_VI_TINH, DON_GIA) — MA_NHOM of QĐ 5937 appendix 3
EXAM = ("02.1896", "Khám Nội", "13", "Lần", "38700")
BED = ("K03.1910", "Ngày giường bệnh Nội khoa", "15", "Ngày", "190100")
SUPPLY = ("N03.01.070", "Bơm tiêm nhựa 5ml", "10", "Cái", "850")
# paraclinical services with their lab indicators (MA_CHI_SO, TEN_CHI_SO, DON_VI_DO, range)
_Lab = tuple[tuple[str, str, str, str, str], tuple[tuple[str, str, str, float, float], ...]]
LABS: tuple[_Lab, ...] = (
    (
        ("22.0120.1370", "Tổng phân tích tế bào máu ngoại vi", "1", "Lần", "46200"),
        (
            ("WBC", "Số lượng bạch cầu", "G/L", 4.0, 12.0),
            ("PLT", "Số lượng tiểu cầu", "G/L", 40, 400),
            ("HCT", "Hematocrit", "%", 32, 50),
        ),
    ),
    (
        ("23.0075.1494", "Định lượng Glucose", "1", "Lần", "21500"),
        (("GLU", "Glucose", "mmol/L", 3.9, 12.0),),
    ),
    (
        ("24.0001.1714", "Dengue virus NS1Ag test nhanh", "1", "Lần", "129000"),
        (("NS1", "Dengue NS1", "", 0, 1),),
    ),
    (("18.0068.0028", "Chụp X-quang ngực thẳng", "2", "Lần", "65400"), ()),
)


@dataclass(frozen=True, slots=True)
class GeneratedEpisode:
    facility_code: str
    ma_lk: str
    kind: str
    episode: Episode
    faults: tuple[str, ...]  # rule codes the validator must report; empty when clean


def _ordered(table: str, values: dict[str, str]) -> Record:
    """Every field of the table in annex order; unknown values written empty, as HIS do."""
    return {f.name: values.get(f.name, "") for f in claim_specs.table(table).fields}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


@dataclass(slots=True)
class _Visit:
    """What the lines of one episode share."""

    ma_lk: str
    person: SynthPerson
    facility: SynthFacility
    start: datetime
    end: datetime
    benefit: int  # MUC_HUONG; 0 for the uninsured
    department: str
    diagnosis: _Diagnosis


def _split_values(visit: _Visit, bv: Decimal, bh: Decimal, other: Decimal) -> dict[str, str]:
    parts = split(bv, bh, Decimal(visit.benefit), other)
    return {
        "THANH_TIEN_BV": _money(bv),
        "THANH_TIEN_BH": _money(bh),
        "MUC_HUONG": str(visit.benefit),
        "T_NGUONKHAC_NSNN": _money(other),
        "T_NGUONKHAC_VTNN": "0",
        "T_NGUONKHAC_VTTN": "0",
        "T_NGUONKHAC_CL": "0",
        "T_NGUONKHAC": _money(other),
        **{name: _money(value) for name, value in parts.items()},
    }


def _other_funding(rng: random.Random, bv: Decimal) -> Decimal:
    if rng.random() >= 0.05:
        return Decimal(0)
    return cents(bv * Decimal(rng.choice((10, 30, 100))) / 100)


def _drug_line(rng: random.Random, visit: _Visit, stt: int, when: datetime) -> Record:
    code, name, strength, unit, route, price, rate = rng.choice(DRUGS)
    quantity = Decimal(rng.choice((1, 2, 5, 10, 14, 20, 30)))
    bh_rate = rate if visit.benefit else 0
    bv = cents(quantity * Decimal(price))
    bh = cents(quantity * Decimal(price) * bh_rate / 100)
    return _ordered(
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
            "MA_BAC_SI": _DOCTOR,
            "NGAY_YL": _stamp(when),
            "NGAY_TH_YL": _stamp(when + timedelta(minutes=15)),
            "MA_PTTT": "1",
            "NGUON_CTRA": "1",
        },
    )


def _service_line(
    visit: _Visit, stt: int, service: tuple[str, ...], quantity: Decimal, when: datetime
) -> Record:
    code, name, group, unit, price = service
    bh_rate = 100 if visit.benefit else 0
    bv = cents(quantity * Decimal(price))
    bh = cents(quantity * Decimal(price) * bh_rate / 100)
    supply = group == "10"
    return _ordered(
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
            "MA_BAC_SI": _DOCTOR,
            "NGUOI_THUC_HIEN": _DOCTOR if group in ("1", "2", "3") else "",
            "MA_BENH": visit.diagnosis.code,
            "NGAY_YL": _stamp(when),
            "NGAY_TH_YL": _stamp(when + timedelta(minutes=10)),
            "NGAY_KQ": _stamp(when + timedelta(minutes=50)) if group in ("1", "2") else "",
            "MA_PTTT": "1",
        },
    )


def _lab_results(
    rng: random.Random, visit: _Visit, labs: list[_Lab], when: datetime
) -> list[Record]:
    results: list[Record] = []
    for service, indicators in labs:
        for key, name, unit, low, high in indicators:
            value = rng.uniform(low * 0.8, high * 1.2) if high > 1 else rng.choice((0, 1))
            results.append(
                _ordered(
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
                        "NGAY_KQ": _stamp(when + timedelta(minutes=50)),
                        "MA_BS_DOC_KQ": "002345/TN-CCHN",
                    },
                )
            )
    return results


def _lines(
    rng: random.Random, visit: _Visit, kind: str, drugs: int, services: int, labs: int
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


def _totals(drugs: list[Record], services: list[Record]) -> dict[str, str]:
    def total(records: list[Record], name: str) -> Decimal:
        return sum((Decimal(r[name]) for r in records), Decimal(0))

    lines = drugs + services
    supplies = [r for r in services if r["MA_NHOM"] == "10"]
    return {
        "T_THUOC": _money(total(drugs, "THANH_TIEN_BV")),
        "T_VTYT": _money(total(supplies, "THANH_TIEN_BV")),
        "T_TONGCHI_BV": _money(total(lines, "THANH_TIEN_BV")),
        "T_TONGCHI_BH": _money(total(lines, "THANH_TIEN_BH")),
        **{n: _money(total(lines, n)) for n in ("T_BNTT", "T_BNCCT", "T_BHTT", "T_NGUONKHAC")},
        "T_BHTT_GDV": _money(total(lines, "T_BHTT")),
    }


_KCB_TYPE = {"outpatient": "01", "inpatient": "03", "emergency": "03"}


def _summary(
    visit: _Visit, kind: str, exit_code: str, follow_up: date | None, totals: dict[str, str]
) -> Record:
    p, start, end = visit.person, visit.start, visit.end
    kcb = _KCB_TYPE[kind]
    return _ordered(
        "XML1",
        {
            "MA_LK": visit.ma_lk,
            "STT": "1",
            "MA_BN": p.cccd,
            "HO_TEN": p.full_name,
            "SO_CCCD": p.cccd,
            "NGAY_SINH": p.birth_date.strftime("%Y%m%d") + "0000",
            "GIOI_TINH": str(p.sex),
            "MA_QUOCTICH": "000",
            "MA_DANTOC": p.ethnicity_code,
            "MA_NGHE_NGHIEP": "00000",
            "DIA_CHI": p.address_line,
            "MATINH_CU_TRU": "19",
            "MAHUYEN_CU_TRU": "000",
            "MAXA_CU_TRU": p.commune_code,
            "DIEN_THOAI": p.phone or "",
            "MA_THE_BHYT": p.bhyt or "",
            "MA_DKBD": visit.facility.code if p.bhyt else "",
            "GT_THE_TU": f"{_YEAR}0101" if p.bhyt else "",
            "GT_THE_DEN": f"{_YEAR}1231" if p.bhyt else "",
            "LY_DO_VV": "Cấp cứu" if kind == "emergency" else "Khám bệnh",
            "CHAN_DOAN_VAO": visit.diagnosis.name,
            "CHAN_DOAN_RV": visit.diagnosis.name,
            "MA_BENH_CHINH": visit.diagnosis.code,
            "MA_DOITUONG_KCB": "2" if kind == "emergency" else "1",
            "MA_NOI_DEN": "19001" if exit_code == "2" else "",
            "NGAY_VAO": _stamp(start),
            "NGAY_VAO_NOI_TRU": _stamp(start + timedelta(minutes=30)) if kcb == "03" else "",
            "NGAY_RA": _stamp(end),
            "SO_NGAY_DTRI": "0" if kcb == "01" else str((end.date() - start.date()).days + 1),
            "KET_QUA_DTRI": "2" if exit_code == "2" else "1",
            "MA_LOAI_RV": exit_code,
            "NGAY_TTOAN": _stamp(end + timedelta(minutes=20)),
            **totals,
            "NAM_QT": str(end.year),
            "THANG_QT": str(end.month),
            "MA_LOAI_KCB": kcb,
            "MA_KHOA": visit.department,
            "MA_CSKCB": visit.facility.code,
            "CAN_NANG": "55.00",
            "NGAY_TAI_KHAM": follow_up.strftime("%Y%m%d") if follow_up else "",
            "MA_HSBA": visit.ma_lk,
            "MA_TTDV": "0012345678",
        },
    )


def _common(summary: Record) -> dict[str, str]:
    return {k: summary[k] for k in ("MA_LK", "NGAY_VAO", "NGAY_RA", "CHAN_DOAN_RV", "MA_TTDV")}


def _inpatient_papers(visit: _Visit, summary: Record, signed: str) -> list[ClaimDocument]:
    """Discharge paper (XML7) and medical record summary (XML8)."""
    discharge = _ordered(
        "XML7",
        {
            **_common(summary),
            "SO_LUU_TRU": f"LT{visit.ma_lk}",
            "MA_YTE": summary["MA_BN"],
            "MA_KHOA_RV": visit.department,
            "PP_DIEUTRI": "Điều trị nội khoa",
            "MA_BS": _DOCTOR,
            "TEN_BS": "Bác sĩ Nguyễn Văn An",
            "NGAY_CT": signed,
        },
    )
    record_summary = _ordered(
        "XML8",
        {
            **_common(summary),
            "MA_LOAI_KCB": "03",
            "CHAN_DOAN_VAO": summary["CHAN_DOAN_VAO"],
            "QT_BENHLY": "Bệnh khởi phát 3 ngày",
            "TOMTAT_KQ": "Xét nghiệm trong giới hạn",
            "PP_DIEUTRI": "Điều trị nội khoa",
            "KET_QUA_DTRI": summary["KET_QUA_DTRI"],
            "NGAY_CT": signed,
        },
    )
    return [ClaimDocument("XML7", [discharge]), ClaimDocument("XML8", [record_summary])]


def _referral(visit: _Visit, summary: Record) -> ClaimDocument:
    """Transfer letter (XML13) to the provincial general hospital."""
    return ClaimDocument(
        "XML13",
        [
            _ordered(
                "XML13",
                {
                    **_common(summary),
                    "SO_HOSO": visit.ma_lk,
                    "SO_CHUYENTUYEN": f"CT{visit.ma_lk}",
                    "GIAY_CHUYEN_TUYEN": f"CT{visit.ma_lk}",
                    "MA_CSKCB": visit.facility.code,
                    "MA_NOI_DI": visit.facility.code,
                    "MA_NOI_DEN": "19001",
                    "HO_TEN": summary["HO_TEN"],
                    "NGAY_SINH": summary["NGAY_SINH"],
                    "GIOI_TINH": summary["GIOI_TINH"],
                    "DAU_HIEU_LS": "Sốt cao, mệt",
                    "QT_BENHLY": "Bệnh diễn biến nặng",
                    "TOMTAT_KQ": "Theo dõi sát",
                    "MA_BENH_CHINH": summary["MA_BENH_CHINH"],
                    "TEN_DICH_VU": "Khám bệnh",
                    "MA_LOAI_RV": "2",
                    "MA_LYDO_CT": "1",
                    "HUONG_DIEU_TRI": "Chuyển tuyến trên",
                    "PHUONGTIEN_VC": "Xe cứu thương",
                    "MA_BAC_SI": _DOCTOR,
                },
            )
        ],
    )


def _follow_up_paper(visit: _Visit, summary: Record, follow_up: date, signed: str) -> ClaimDocument:
    return ClaimDocument(
        "XML14",
        [
            _ordered(
                "XML14",
                {
                    **_common(summary),
                    "SO_GIAYHEN_KL": f"HK{visit.ma_lk}",
                    "MA_CSKCB": visit.facility.code,
                    "HO_TEN": summary["HO_TEN"],
                    "NGAY_HEN_KL": follow_up.strftime("%Y%m%d"),
                    "MA_BENH_CHINH": summary["MA_BENH_CHINH"],
                    "MA_BAC_SI": _DOCTOR,
                    "NGAY_CT": signed,
                },
            )
        ],
    )


def _papers(visit: _Visit, summary: Record, follow_up: date | None) -> list[ClaimDocument]:
    """XML7 and XML8 for inpatients, XML13 when transferred, XML14 when a follow-up is booked."""
    signed = visit.end.strftime("%Y%m%d")
    papers = _inpatient_papers(visit, summary, signed) if summary["MA_LOAI_KCB"] == "03" else []
    if summary["MA_LOAI_RV"] == "2":
        papers.append(_referral(visit, summary))
    if follow_up is not None:
        papers.append(_follow_up_paper(visit, summary, follow_up, signed))
    return papers


def _age(person: SynthPerson, on: date) -> int:
    return (on - person.birth_date).days // 365


def _pick_diagnosis(rng: random.Random, person: SynthPerson, kind: str, when: date) -> _Diagnosis:
    age, letter = _age(person, when), kind[0]
    fitting = [
        d
        for d in DIAGNOSES
        if letter in d.kinds
        and d.min_age <= age <= d.max_age
        and not (d.female_only and person.sex != 2)
    ]
    weights = [
        d.weight * (6 if when.month in d.season else 0.3 if d.season else 1) for d in fitting
    ]
    return rng.choices(fitting, weights)[0] if fitting else DIAGNOSES[0]


def build_episode(
    rng: random.Random,
    person: SynthPerson,
    facility: SynthFacility,
    kind: str,
    ma_lk: str,
    start: datetime,
    lines: tuple[int, int, int] | None = None,
) -> Episode:
    """One clean episode; `lines` = (drugs, services, labs) or None for the kind's usual."""
    diagnosis = _pick_diagnosis(rng, person, kind, start.date())
    stay = (
        timedelta(hours=rng.randint(1, 3))
        if kind == "outpatient"
        else timedelta(days=rng.randint(2, 8), hours=rng.randint(0, 6))
    )
    end = start + stay
    department = facility.departments[0][0] if facility.departments else "K01"
    visit = _Visit(
        ma_lk, person, facility, start, end, person.bhyt_benefit_level or 0, department, diagnosis
    )
    drugs, services, labs = lines or (
        (rng.randint(1, 5), 2, rng.randint(0, 2))
        if kind == "outpatient"
        else (rng.randint(5, 12), 6, 3)
    )
    drug_lines, service_lines, results = _lines(rng, visit, kind, drugs, services, labs)
    exit_code = "2" if kind != "outpatient" and rng.random() < 0.08 else "1"
    follow_up = (
        (end + timedelta(days=rng.choice((7, 14, 30)))).date()
        if rng.random() < 0.3 and exit_code == "1"
        else None
    )
    summary = _summary(visit, kind, exit_code, follow_up, _totals(drug_lines, service_lines))
    documents = [
        ClaimDocument("XML1", [summary]),
        ClaimDocument("XML2", drug_lines),
        ClaimDocument("XML3", service_lines),
    ]
    if results:
        documents.append(ClaimDocument("XML4", results))
    return Episode(documents + _papers(visit, summary, follow_up))


def _bump(record: Record, name: str, by: str) -> None:
    record[name] = _money(Decimal(record[name]) + Decimal(by))


def _set(table: str, name: str, value: str) -> Callable[[Episode], None]:
    def apply(episode: Episode) -> None:
        episode.records(table)[0][name] = value

    return apply


def _total_off(episode: Episode) -> None:
    _bump(episode.records("XML1")[0], "T_TONGCHI_BV", "1000")


def _line_off(episode: Episode) -> None:
    _bump(episode.records("XML2")[0], "THANH_TIEN_BV", "1")


def _paid_before(episode: Episode) -> None:
    summary = episode.records("XML1")[0]
    summary["NGAY_TTOAN"] = summary["NGAY_VAO"][:8] + "0000"


def _stt_gap(episode: Episode) -> None:
    episode.records("XML2")[-1]["STT"] = "99"


# rule code the validator must report → how to break a clean episode that way
FAULTS: dict[str, Callable[[Episode], None]] = {
    "MONEY_TOTAL": _total_off,
    "MONEY_LINE": _line_off,
    "ICD_UNKNOWN": _set("XML1", "MA_BENH_CHINH", "U99.9"),
    "DATE_ORDER": _paid_before,
    "REQUIRED": _set("XML1", "HO_TEN", ""),
    "DATETIME_FORMAT": _set("XML1", "NGAY_RA", "2025-13-01"),
    "STT_SEQUENCE": _stt_gap,
    "MA_LK_MISMATCH": _set("XML3", "MA_LK", "KHAC"),
    "CODE_LIST": _set("XML1", "GIOI_TINH", "4"),
    "CCCD_FORMAT": _set("XML1", "SO_CCCD", "12345"),
}


def _start(rng: random.Random) -> datetime:
    day = date(_YEAR, 1, 1) + timedelta(days=rng.randrange(365))
    return datetime(day.year, day.month, day.day, rng.randint(7, 16), rng.randrange(60))


def generate_episodes(
    count: int, seed: int, faults: bool = False, lines: tuple[int, int, int] | None = None
) -> Iterator[GeneratedEpisode]:
    """`count` episodes from the synthetic population of seed `seed`, deterministic."""
    rng = random.Random(seed)
    people = list(generate_people(max(50, count // 2), seed=seed))
    places = [f for f in generate_facilities(seed) if f.kind.value != "preventive_centre"]
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    for index in range(count):
        facility, person = rng.choice(places), rng.choice(people)
        kind = rng.choices(kinds, weights)[0]
        ma_lk = f"{facility.code}{seed % 1000:03d}{index:08d}"
        episode = build_episode(rng, person, facility, kind, ma_lk, _start(rng), lines)
        injected: tuple[str, ...] = ()
        if faults and rng.random() < FAULT_SHARE:
            rule = rng.choice(sorted(FAULTS))
            FAULTS[rule](episode)
            injected = (rule,)
        yield GeneratedEpisode(facility.code, ma_lk, kind, episode, injected)


def write_episodes(episodes: Iterator[GeneratedEpisode], out: Path) -> int:
    """One envelope file per episode (as HIS send them) and faults.json: file → rules."""
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, list[str]] = {}
    written = 0
    for item in episodes:
        created = item.episode.records("XML1")[0]["NGAY_RA"][:8] or f"{_YEAR}0101"
        name = f"{item.facility_code}_{item.ma_lk}.xml"
        envelope = new_envelope(item.facility_code, created, [item.episode])
        (out / name).write_bytes(write_envelope(envelope))
        if item.faults:
            manifest[name] = list(item.faults)
        written += 1
    (out / "faults.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return written
