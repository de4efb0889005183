from yteso.core.audit.service import recent, record, record_refusal

__all__ = ["recent", "record", "record_refusal"]
