"""OperationOutcome: how the FHIR API reports problems, one issue per problem."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yteso.core.errors import DomainError

# FHIR issue-type codes for the HTTP status a DomainError carries.
_ISSUE_CODE = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    410: "deleted",
    412: "conflict",
    413: "too-costly",
    422: "processing",
}


@dataclass(frozen=True)
class Issue:
    severity: str  # fatal, error, warning, information
    code: str  # FHIR IssueType: invalid, structure, required, value, not-found, …
    diagnostics: str
    expression: str | None = None

    def as_fhir(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "diagnostics": self.diagnostics,
        }
        if self.expression:
            data["expression"] = [self.expression]
        return data


class FhirError(Exception):
    """A failure answered with an OperationOutcome and this HTTP status."""

    def __init__(self, status: int, issues: list[Issue]) -> None:
        super().__init__(issues[0].diagnostics if issues else str(status))
        self.status = status
        self.issues = issues


def fail(status: int, code: str, diagnostics: str, expression: str | None = None) -> FhirError:
    return FhirError(status, [Issue("error", code, diagnostics, expression)])


def operation_outcome(issues: list[Issue]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [i.as_fhir() for i in issues]}


def from_domain_error(error: DomainError) -> FhirError:
    code = _ISSUE_CODE.get(error.status_code, "processing")
    issues = [Issue("error", code, error.message)]
    issues += [Issue("error", "invalid", p.message, p.field) for p in error.problems]
    return FhirError(error.status_code, issues)
