"""What the intake checks beyond the validator, knowing who sends and when: every episode
in a GIAMDINHHS envelope and of the sender's facility, and none ending after its reception."""

from __future__ import annotations

from datetime import datetime, timedelta

from yteso.claims.findings import Finding, Where, has_errors
from yteso.claims.timeliness import VIETNAM, local_moment
from yteso.claims.validator import CheckedSubmission
from yteso.claims.xml_parser import ENVELOPE_ROOT


def intake_findings(
    checked: CheckedSubmission, facility_code: str, received_at: datetime, file: str | None
) -> list[Finding]:
    return _scope_findings(checked, facility_code, file) + _future_findings(
        checked, received_at, file
    )


def _episode_scope_findings(
    checked: CheckedSubmission, facility_code: str, file: str | None
) -> list[Finding]:
    """Each episode's own MA_CSKCB is the sender's: an episode outside an envelope, or
    before its envelope's THONGTINDONVI, has no MACSKCB to be compared with."""
    found = []
    for parsed in checked.episodes:
        summaries = parsed.episode.records("XML1")
        given = summaries[0].get("MA_CSKCB") if summaries else None
        if not given or given == facility_code or given == parsed.facility_code:
            continue  # the same, or the envelope's MACSKCB already found to differ
        where = Where(file, parsed.episode.ma_lk, "XML1", summaries[0].get("STT"))
        found.append(
            where.finding(
                "FACILITY_SCOPE",
                f"MA_CSKCB '{given}' của hồ sơ khác cơ sở của máy khách ({facility_code}): "
                "mỗi cơ sở chỉ gửi hồ sơ của chính mình.",
                f"The episode's MA_CSKCB '{given}' is not the client's facility "
                f"({facility_code}): a facility sends only its own episodes.",
                field="MA_CSKCB",
            )
        )
    return found


# Clocks of facility systems may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=10)
_EPISODE_TIMES = ("NGAY_VAO", "NGAY_VAO_NOI_TRU", "NGAY_RA", "NGAY_TTOAN")


def _future_findings(
    checked: CheckedSubmission, received_at: datetime, file: str | None
) -> list[Finding]:
    """An episode cannot end (or be paid) after it is received: a mistyped year would count
    as on time and stay out of every late figure."""
    found = []
    latest = received_at + CLOCK_SKEW
    for parsed in checked.episodes:
        for summary in parsed.episode.records("XML1")[:1]:
            where = Where(file, parsed.episode.ma_lk, "XML1", summary.get("STT"))
            for name in _EPISODE_TIMES:
                moment = local_moment(summary.get(name, ""))
                if moment is None or moment <= latest:
                    continue
                shown = moment.astimezone(VIETNAM)
                found.append(
                    where.finding(
                        "FUTURE_DATE",
                        f"{name} ({shown:%d/%m/%Y %H:%M}) sau thời điểm tiếp nhận hồ sơ: "
                        "kiểm tra năm, tháng, ngày.",
                        f"{name} ({shown:%Y-%m-%d %H:%M}) is after the file was received: "
                        "check the year, month and day.",
                        field=name,
                    )
                )
    return found


def _scope_findings(
    checked: CheckedSubmission, facility_code: str, file: str | None
) -> list[Finding]:
    where = Where(file)
    found = []
    outside = [p.episode.ma_lk for p in checked.episodes if not p.in_envelope]
    if outside or (checked.single_documents and not checked.envelopes):
        listed = f" (MA_LK {', '.join(k or '?' for k in outside[:5])})" if outside else ""
        found.append(
            where.finding(
                "NOT_AN_ENVELOPE",
                f"Cần gửi mọi hồ sơ trong phong bì {ENVELOPE_ROOT}{listed}.",
                f"Every episode must be sent in a {ENVELOPE_ROOT} envelope{listed}.",
            )
        )
    for envelope in checked.envelopes:
        if envelope.facility_code != facility_code:
            found.append(
                where.finding(
                    "FACILITY_SCOPE",
                    f"MACSKCB '{envelope.facility_code}' khác cơ sở của máy khách "
                    f"({facility_code}).",
                    f"MACSKCB '{envelope.facility_code}' is not the client's facility "
                    f"({facility_code}).",
                    field="MACSKCB",
                )
            )
    found += _episode_scope_findings(checked, facility_code, file)
    if not checked.episodes and not found and not has_errors(checked.findings):
        found.append(
            where.finding(
                "NO_EPISODE",
                "Tệp không có hồ sơ (HOSO) nào.",
                "The file holds no episode (HOSO).",
            )
        )
    return found
