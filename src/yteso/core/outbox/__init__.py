from yteso.core.outbox.service import enqueue, pending

__all__ = ["enqueue", "pending"]
