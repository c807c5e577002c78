from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from ceangal.audit.models import AuditEvent


def audit_record(
    *,
    actor_user_id: int | None,
    organisation_id: int | None,
    action: str,
    object_type: str,
    object_id: object,
    client_id: uuid.UUID | None = None,
    fields: Iterable[str] = (),
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. Must run inside the transaction of the change it records."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the change it records.")
    return AuditEvent.objects.create(
        actor_id=actor_user_id,
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        client_id=client_id,
        fields=sorted(fields),
        detail=detail or {},
    )
