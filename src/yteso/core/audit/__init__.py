from yteso.core.audit.group_commit import AuditNotWritten, AuditWriter
from yteso.core.audit.service import event_row, recent, record, record_many, record_refusal

__all__ = [
    "AuditNotWritten",
    "AuditWriter",
    "event_row",
    "recent",
    "record",
    "record_many",
    "record_refusal",
]
