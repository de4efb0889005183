from yteso.core.auth.principal import ClientKind, Principal, Role

__all__ = ["ClientKind", "Principal", "Role"]
