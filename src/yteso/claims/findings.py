"""A finding of the portal's kind: where (file, MA_LK, table, STT, field), which rule, how bad.

Rule codes are stable: clients and tests match on them, messages may be reworded.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]
FINDING_KEYS = (
    "file",
    "ma_lk",
    "table",
    "stt",
    "field",
    "rule",
    "severity",
    "message_vi",
    "message_en",
)


@dataclass(frozen=True, slots=True)
class Finding:
    file: str | None
    ma_lk: str | None
    table: str | None
    stt: str | None
    field: str | None
    rule: str
    severity: Severity
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


class Where(NamedTuple):
    """The place a rule looks at; `finding` turns it into a finding (a tuple: cheap to make
    for each of the thousands of records checked per second)."""

    file: str | None = None
    ma_lk: str | None = None
    table: str | None = None
    stt: str | None = None

    def finding(
        self,
        rule: str,
        message_vi: str,
        message_en: str,
        field: str | None = None,
        severity: Severity = "error",
    ) -> Finding:
        return Finding(
            self.file,
            self.ma_lk,
            self.table,
            self.stt,
            field,
            rule,
            severity,
            message_vi,
            message_en,
        )


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
