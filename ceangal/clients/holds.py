"""Legal holds: a client's information must be kept (a legal claim, an investigation, a court
order), so nothing about them may be erased while a hold stands (UK GDPR Art 17(3)(e)).

Only the partnership's data protection officer places and lifts a hold. Each is one transaction
with its audit event; the reason is encrypted and never written to the audit log.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients import models as m
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role

NOTE_MAX = 4000
REFERENCE_MAX = 100


def is_dpo_of(actor: StaffMember, client: m.Client) -> bool:
    return (
        actor.active
        and actor.role == Role.DPO
        and client.registered_by.partnership_id == actor.organisation.partnership_id
    )


def _require_dpo(actor: StaffMember, client: m.Client) -> None:
    if not actor.active or actor.role != Role.DPO:
        raise NotPermitted("Only the partnership's data protection officer can place or lift a legal hold.")
    if client.registered_by.partnership_id != actor.organisation.partnership_id:
        raise NotFound("No such client.")


def _audit(actor: StaffMember, action: str, hold: m.LegalHold) -> None:
    audit_record(
        actor_user_id=actor.user_id,
        organisation_id=actor.organisation_id,
        action=action,
        object_type="legal_hold",
        object_id=hold.pk,
        client_id=hold.client_id,
        detail={"reference": hold.reference} if hold.reference else {},
    )


def standing_holds(client_id: uuid.UUID) -> QuerySet[m.LegalHold]:
    return m.LegalHold.objects.filter(client_id=client_id, lifted_at__isnull=True)


def holds_of_partnership(actor: StaffMember, *, standing_only: bool = True) -> QuerySet[m.LegalHold]:
    """The partnership's holds, for its DPO; nobody else sees any."""
    if not actor.active or actor.role != Role.DPO:
        return m.LegalHold.objects.none()
    rows = m.LegalHold.objects.filter(
        client__registered_by__partnership_id=actor.organisation.partnership_id
    ).select_related("client", "placed_by", "lifted_by")
    return rows.filter(lifted_at__isnull=True) if standing_only else rows


def hold_place(*, actor: StaffMember, client: m.Client, reason: str, reference: str = "") -> m.LegalHold:
    _require_dpo(actor, client)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    reference = (reference or "").strip()
    if not reason:
        errors["reason"] = ["Say why the information must be kept, for example the claim or investigation."]
    elif len(reason) > NOTE_MAX:
        errors["reason"] = [f"Keep this to {NOTE_MAX} characters or fewer."]
    if len(reference) > REFERENCE_MAX:
        errors["reference"] = [f"Keep the reference to {REFERENCE_MAX} characters or fewer."]
    if client.erased_at is not None:
        errors["client"] = ["This client's information has already been erased: there is nothing left to hold."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        hold = m.LegalHold.objects.create(
            client=client, reason=reason, reference=reference, placed_by=actor, placed_at=timezone.now()
        )
        _audit(actor, "legal_hold.placed", hold)
    return hold


def hold_lift(*, actor: StaffMember, hold: m.LegalHold, note: str = "") -> m.LegalHold:
    _require_dpo(actor, hold.client)
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if len(note) > NOTE_MAX:
        errors["note"] = [f"Keep this to {NOTE_MAX} characters or fewer."]
    if hold.lifted_at is not None:
        errors["hold"] = ["This legal hold has already been lifted."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        lifted = m.LegalHold.objects.filter(pk=hold.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=actor, lift_note=note
        )
        if not lifted:
            raise InvalidInput({"hold": ["This legal hold has already been lifted."]})
        hold.refresh_from_db()
        _audit(actor, "legal_hold.lifted", hold)
    return hold
