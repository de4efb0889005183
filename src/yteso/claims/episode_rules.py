"""Rules over a whole episode (HOSO): which tables are there, MA_LK links, STT sequences,
date order, SO_NGAY_DTRI, ICD-10 rules of QĐ 4469 with the patient's sex and age."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from itertools import pairwise

from yteso.claims import formats, specs
from yteso.claims.envelope import Episode, Record
from yteso.claims.findings import Finding, Where
from yteso.core.text import is_digits
from yteso.reference import icd10

INPATIENT_TYPES = frozenset({"03", "04", "06"})  # XML8 only for these
ZERO_DAY_TYPES = frozenset({"01", "07", "09"})
COUNTED_DAY_TYPES = frozenset({"02", "03", "04", "06"})
TRANSFER_EXITS = frozenset({"2", "5"})  # MA_LOAI_RV that need a referral letter (XML13)
# QĐ 5937 appendix 3: laboratory, imaging, functional exploration — paraclinical services.
PARACLINICAL_GROUPS = frozenset({"1", "2", "3"})
SINGLE_RECORD_TABLES = frozenset({"XML1", "XML7", "XML8", "XML10", "XML11", "XML13", "XML14"})
_DATE_ORDER = ("NGAY_VAO", "NGAY_VAO_NOI_TRU", "NGAY_RA", "NGAY_TTOAN")


def check_tables(episode: Episode, summary: Record | None, where: Where) -> list[Finding]:
    counts = Counter(d.table for d in episode.documents)
    found = [
        where.finding(
            "DUPLICATE_TABLE",
            f"Bảng {t} xuất hiện {n} lần trong một hồ sơ.",
            f"Table {t} appears {n} times in one episode.",
            field="LOAIHOSO",
        )
        for t, n in counts.items()
        if n > 1
    ]
    unread = set(episode.unread)
    if any(not specs.is_known(t) for t in unread):
        unread.add("*")  # a document of unknown type may be any table
    if summary is None:
        if unread & {"XML1", "*"}:
            return found  # sent but unreadable: its own finding says why
        return [
            *found,
            where.finding(
                "TABLE_MISSING",
                "Hồ sơ thiếu bảng XML1 (tổng hợp).",
                "The episode has no XML1 (summary) table.",
                field="LOAIHOSO",
            ),
        ]
    return found + _presence(episode, summary, set(counts), unread, where)


def _expected_tables(episode: Episode, summary: Record) -> dict[str, tuple[bool, str, str]]:
    """Table → (must it be there, when, in Vietnamese and English)."""
    paraclinical = any(r.get("MA_NHOM") in PARACLINICAL_GROUPS for r in episode.records("XML3"))
    return {
        "XML4": (paraclinical, "có dịch vụ cận lâm sàng", "paraclinical services were done"),
        "XML8": (
            summary.get("MA_LOAI_KCB") in INPATIENT_TYPES,
            "MA_LOAI_KCB là 03, 04 hoặc 06",
            "MA_LOAI_KCB is 03, 04 or 06",
        ),
        "XML13": (
            summary.get("MA_LOAI_RV") in TRANSFER_EXITS,
            "MA_LOAI_RV là 2 hoặc 5",
            "MA_LOAI_RV is 2 or 5",
        ),
        "XML14": (
            bool(summary.get("NGAY_TAI_KHAM")),
            "có hẹn tái khám (NGAY_TAI_KHAM)",
            "a follow-up was booked (NGAY_TAI_KHAM)",
        ),
    }


def _presence(
    episode: Episode, summary: Record, present: set[str], unread: set[str], where: Where
) -> list[Finding]:
    """Tables that must or must not be there; `unread`: tables sent but unreadable ("*" for
    one of unknown type), which are neither missing nor known to hold nothing."""
    found = []
    for table, (wanted, when_vi, when_en) in _expected_tables(episode, summary).items():
        if table == "XML4" and unread & {"XML3", "*"}:
            continue  # whether XML3 has paraclinical services is unknown
        if unread & {table, "*"}:
            continue
        if table in present and not wanted:
            found.append(
                where.finding(
                    "TABLE_NOT_EXPECTED",
                    f"Bảng {table} chỉ gửi khi {when_vi}.",
                    f"Table {table} is sent only when {when_en}.",
                    field="LOAIHOSO",
                )
            )
        elif wanted and table not in present and table != "XML4":
            found.append(
                where.finding(
                    "TABLE_MISSING",
                    f"Thiếu bảng {table}: bắt buộc khi {when_vi}.",
                    f"Table {table} is missing: it is required when {when_en}.",
                    field="LOAIHOSO",
                    severity="warning" if table == "XML14" else "error",
                )
            )
    return found


def check_links(episode: Episode, ma_lk: str | None, file: str | None) -> list[Finding]:
    """Every record carries the XML1 MA_LK; repeating tables number STT 1, 2, 3, …"""
    found: list[Finding] = []
    for document in episode.documents:
        repeating = document.table not in SINGLE_RECORD_TABLES
        for index, record in enumerate(document.records, start=1):
            linked = ma_lk is None or record.get("MA_LK", ma_lk) == ma_lk
            stt = record.get("STT")
            in_order = not (repeating and stt and stt != str(index))
            if not (linked and in_order):
                found += _link_problems(
                    Where(file, ma_lk, document.table, stt), record, linked, index
                )
    return found


def _link_problems(where: Where, record: Record, linked: bool, index: int) -> list[Finding]:
    found = []
    if not linked:
        found.append(
            where.finding(
                "MA_LK_MISMATCH",
                f"MA_LK '{record.get('MA_LK')}' không khớp MA_LK '{where.ma_lk}' của bảng XML1.",
                f"MA_LK '{record.get('MA_LK')}' does not match XML1's MA_LK '{where.ma_lk}'.",
                field="MA_LK",
            )
        )
    stt = where.stt
    if stt and stt != str(index) and where.table not in SINGLE_RECORD_TABLES:
        found.append(
            where.finding(
                "STT_SEQUENCE",
                f"STT = {stt}, theo thứ tự phải là {index}.",
                f"STT = {stt}, the sequence expects {index}.",
                field="STT",
            )
        )
    return found


def _moments(summary: Record) -> list[tuple[str, datetime]]:
    found = []
    for name in _DATE_ORDER:
        moment = formats.parse_timestamp(summary.get(name, ""))
        if moment is not None:
            found.append((name, moment))
    return found


def check_dates(summary: Record, where: Where) -> list[Finding]:
    moments = _moments(summary)
    found = [
        where.finding(
            "DATE_ORDER",
            f"{later} ({b:%d/%m/%Y %H:%M}) trước {earlier} ({a:%d/%m/%Y %H:%M}).",
            f"{later} ({b:%Y-%m-%d %H:%M}) is before {earlier} ({a:%Y-%m-%d %H:%M}).",
            field=later,
        )
        for (earlier, a), (later, b) in pairwise(moments)
        if b < a
    ]
    return found + _treatment_days(summary, where) + _born_after_visit(summary, where)


def _born_after_visit(summary: Record, where: Where) -> list[Finding]:
    bounds = formats.birth_date_bounds(summary.get("NGAY_SINH", ""))
    seen = formats.parse_timestamp(summary.get("NGAY_VAO", ""))
    if bounds is None or seen is None or bounds[0] <= seen.date():
        return []
    return [
        where.finding(
            "DATE_ORDER",
            f"NGAY_SINH ({summary['NGAY_SINH'][:8]}) sau ngày vào viện NGAY_VAO "
            f"({seen:%d/%m/%Y}): kiểm tra ngày sinh.",
            f"NGAY_SINH ({summary['NGAY_SINH'][:8]}) is after the visit's NGAY_VAO "
            f"({seen:%Y-%m-%d}): check the birth date.",
            field="NGAY_SINH",
        )
    ]


def _treatment_days(summary: Record, where: Where) -> list[Finding]:
    kind, given = summary.get("MA_LOAI_KCB"), summary.get("SO_NGAY_DTRI", "")
    start = formats.parse_timestamp(summary.get("NGAY_VAO", ""))
    end = formats.parse_timestamp(summary.get("NGAY_RA", ""))
    if kind in ZERO_DAY_TYPES:
        expected = 0
    elif kind in COUNTED_DAY_TYPES and start and end:
        expected = (end.date() - start.date()).days + 1
    else:
        return []
    if not is_digits(given) or int(given) == expected:
        return []
    return [
        where.finding(
            "SO_NGAY_DTRI",
            f"SO_NGAY_DTRI = {given}; với MA_LOAI_KCB {kind} phải là {expected}.",
            f"SO_NGAY_DTRI = {given}; for MA_LOAI_KCB {kind} it must be {expected}.",
            field="SO_NGAY_DTRI",
        )
    ]


def _age_days(summary: Record) -> int | tuple[int, int] | None:
    """The age in days at the visit, or the (youngest, oldest) it can be when NGAY_SINH
    lacks its day or month; None when unknown or born after the visit (its own finding)."""
    bounds = formats.birth_date_bounds(summary.get("NGAY_SINH", ""))
    seen = formats.parse_timestamp(summary.get("NGAY_VAO", ""))
    if bounds is None or seen is None or bounds[0] > seen.date():
        return None
    youngest, oldest = max(0, (seen.date() - bounds[1]).days), (seen.date() - bounds[0]).days
    return youngest if youngest == oldest else (youngest, oldest)


def check_diagnoses(summary: Record, where: Where) -> list[Finding]:
    sex_text = summary.get("GIOI_TINH", "")
    sex = int(sex_text) if is_digits(sex_text) else None
    age = _age_days(summary)
    secondary = formats.secondary_codes(summary.get("MA_BENH_KT", ""))
    principal = summary.get("MA_BENH_CHINH", "").strip()
    found: list[Finding] = []
    if principal:
        for v in icd10.check(principal, sex=sex, age_days=age, principal=True, secondary=secondary):
            found.append(where.finding(v.rule, v.message_vi, v.message_en, field="MA_BENH_CHINH"))
        found += _spelling(principal, "MA_BENH_CHINH", where)
    for code in secondary:
        for v in icd10.check(code, sex=sex, age_days=age):
            found.append(where.finding(v.rule, v.message_vi, v.message_en, field="MA_BENH_KT"))
        found += _spelling(code, "MA_BENH_KT", where)
    return found


def _spelling(code: str, field: str, where: Where) -> list[Finding]:
    """A known code written otherwise than QĐ 4469 does (with or without its dot, and the
    dagger or asterisk mark): read all the same, but the portal may not."""
    entry = icd10.get(code)
    written = code.strip().rstrip("*+†")
    if entry is None or written in (entry.code, entry.code.replace(".", "")):
        return []
    return [
        where.finding(
            "ICD_FORMAT",
            f"Mã '{code}' nên ghi '{entry.code}' như QĐ 4469 (chữ in hoa, có hoặc không dấu chấm).",
            f"Code '{code}' should be written '{entry.code}' as in QĐ 4469 (upper case, with or "
            "without the dot).",
            field=field,
            severity="warning",
        )
    ]


def _timestamp_text(value: str) -> bool:
    return len(value) == 12 and is_digits(value)


def check_line_times(episode: Episode, ma_lk: str | None, file: str | None) -> list[Finding]:
    """XML2/XML3: carried out (NGAY_TH_YL) and result (NGAY_KQ) not before the order (NGAY_YL).

    Same-format yyyymmddHHMM texts compare like the moments they stand for."""
    found: list[Finding] = []
    for table in ("XML2", "XML3"):
        for record in episode.records(table):
            ordered = record.get("NGAY_YL", "")
            if not _timestamp_text(ordered):
                continue
            for name in ("NGAY_TH_YL", "NGAY_KQ"):
                later = record.get(name, "")
                if _timestamp_text(later) and later < ordered:
                    found.append(
                        Where(file, ma_lk, table, record.get("STT")).finding(
                            "DATE_ORDER",
                            f"{name} ({later}) trước NGAY_YL ({ordered}).",
                            f"{name} ({later}) is before NGAY_YL ({ordered}).",
                            field=name,
                        )
                    )
    return found


def check_service_diagnoses(episode: Episode, ma_lk: str | None, file: str | None) -> list[Finding]:
    """XML3 MA_BENH: the ICD-10 codes a service was done for must exist."""
    found: list[Finding] = []
    for record in episode.records("XML3"):
        for code in formats.secondary_codes(record.get("MA_BENH", "")):
            if icd10.get(code) is None:
                violation = icd10.check(code)[0]
                found.append(
                    Where(file, ma_lk, "XML3", record.get("STT")).finding(
                        violation.rule,
                        violation.message_vi,
                        violation.message_en,
                        field="MA_BENH",
                    )
                )
    return found
