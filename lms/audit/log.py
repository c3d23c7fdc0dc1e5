"""Recording sensitive actions; callers add the entry in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from lms.audit.models import AuditEntry
from lms.db import session


def record(
    action: str,
    *,
    actor_id: int | None = None,
    target_type: str = "",
    target_id: object = "",
    **details: Any,
) -> AuditEntry:
    entry = AuditEntry(
        action=action,
        actor_id=actor_id,
        target_type=target_type,
        target_id=str(target_id),
        details=details,
    )
    session.add(entry)
    return entry
