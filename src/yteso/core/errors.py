"""Domain errors: services raise them, the web layer turns them into clear responses."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with the input, named so a person can find and fix it."""

    field: str
    message: str
    row: int | None = None  # 1-based data row for file imports (header not counted)
    value: str | None = None

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"field": self.field, "message": self.message}
        if self.row is not None:
            data["row"] = self.row
        if self.value is not None:
            data["value"] = self.value
        return data

    def __str__(self) -> str:
        where = f"dòng {self.row}, " if self.row is not None else ""
        return f"{where}trường {self.field}: {self.message}"


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[FieldProblem] = problems or []


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation_failed"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Unauthenticated(DomainError):
    status_code = 401
    code = "unauthenticated"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"


@dataclass
class ProblemCollector:
    """Collects every problem of an input before failing, so one round trip shows them all."""

    problems: list[FieldProblem] = field(default_factory=list)

    def add(
        self, field_name: str, message: str, row: int | None = None, value: str | None = None
    ) -> None:
        self.problems.append(FieldProblem(field_name, message, row, value))

    def raise_if_any(self, message: str) -> None:
        if self.problems:
            raise ValidationFailed(message, list(self.problems))
