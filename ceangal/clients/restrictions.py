"""Restriction of processing (Art 18) and objection to a purpose (Art 21): the facts the decision
reads with the client row, written here with their history.

Only the partnership's data protection officer changes them: both come from a rights request,
which the DPO works. Each change updates the client row's `processing_restricted` or
`objected_purposes` in the same transaction as the history row and its audit event, so the very
next decision sees it; nothing caches them.

- A restriction stops every purpose (storage only) while it stands. It is lifted only once the
  client has been told it will be (Art 18(3)): the date they were told is required.
- An objection stops one purpose. It stops holding when the DPO records compelling legitimate
  grounds that override it (Art 21(1)), or when the client withdraws it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients import models as m
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.reference.purposes import Purpose

NOTE_MAX = 4000


def _require_dpo_for(actor: StaffMember, client: m.Client) -> None:
    if not actor.active or actor.role != Role.DPO:
        raise NotPermitted(
            "Only the partnership's data protection officer can restrict processing or record an objection."
        )
    if client.registered_by.partnership_id != actor.organisation.partnership_id:
        raise NotFound("No such client.")


def _text(value: str, field: str, errors: dict[str, list[str]], required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = [required]
    elif len(value) > NOTE_MAX:
        errors[field] = [f"Keep this to {NOTE_MAX} characters or fewer."]
    return value


def _audit(
    actor: StaffMember, action: str, client: m.Client, object_type: str, object_id: object, **detail: object
) -> None:
    audit_record(
        actor_user_id=actor.user_id,
        organisation_id=actor.organisation_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        client_id=client.pk,
        detail=dict(detail),
    )


def _objected(client: m.Client) -> list[str]:
    """The purposes with an objection in force, from the history rows (the row's list is rewritten
    from them, never edited by hand)."""
    rows = m.Objection.objects.filter(client=client, ended_at__isnull=True, compelling_grounds="")
    return sorted(rows.values_list("purpose", flat=True))


def _refresh_objections(client: m.Client) -> None:
    client.objected_purposes = _objected(client)
    client.save(update_fields=["objected_purposes"])


def restriction_start(
    *, actor: StaffMember, client: m.Client, reason: str, request_id: uuid.UUID | None = None
) -> m.ProcessingRestriction:
    _require_dpo_for(actor, client)
    errors: dict[str, list[str]] = {}
    reason = _text(
        reason,
        "reason",
        errors,
        required="Say why processing is restricted (for example, the client contests the accuracy of their record).",
    )
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                restriction = m.ProcessingRestriction.objects.create(
                    client=client, started_at=timezone.now(), started_by=actor, reason=reason, request_id=request_id
                )
        except IntegrityError:
            raise InvalidInput({"client": ["Processing of this client's information is already restricted."]}) from None
        m.Client.objects.filter(pk=client.pk).update(processing_restricted=True)
        client.processing_restricted = True
        _audit(actor, "restriction.started", client, "restriction", restriction.pk)
    return restriction


def restriction_lift(
    *, actor: StaffMember, restriction: m.ProcessingRestriction, client_told_on: dt.date | None, note: str = ""
) -> m.ProcessingRestriction:
    """Lift a restriction; the client must have been told beforehand (Art 18(3))."""
    client = restriction.client
    _require_dpo_for(actor, client)
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", errors)
    today = timezone.localdate()
    started = timezone.localtime(restriction.started_at).date()
    if restriction.lifted_at is not None:
        errors["restriction"] = ["This restriction has already been lifted."]
    if client_told_on is None:
        errors["client_told_on"] = [
            "Tell the client before the restriction is lifted, and give the date you told them."
        ]
    elif client_told_on > today:
        errors["client_told_on"] = ["The date the client was told cannot be in the future."]
    elif client_told_on < started:
        errors["client_told_on"] = ["The client must be told after the restriction began, that it will be lifted."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        lifted = m.ProcessingRestriction.objects.filter(pk=restriction.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=actor, client_told_on=client_told_on, lift_note=note
        )
        if not lifted:
            raise InvalidInput({"restriction": ["This restriction has already been lifted."]})
        m.Client.objects.filter(pk=client.pk).update(processing_restricted=False)
        client.processing_restricted = False
        assert client_told_on is not None
        _audit(actor, "restriction.lifted", client, "restriction", restriction.pk, told=client_told_on.isoformat())
    restriction.refresh_from_db()
    return restriction


def objection_record(
    *,
    actor: StaffMember,
    client: m.Client,
    purpose: str,
    grounds: str = "",
    request_id: uuid.UUID | None = None,
) -> m.Objection:
    """The client objects to a purpose: it stops at once for every partner."""
    _require_dpo_for(actor, client)
    errors: dict[str, list[str]] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = [
            "Choose the purpose the client objects to: " + ", ".join(str(p.label) for p in Purpose) + "."
        ]
    grounds = _text(grounds, "grounds", errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                objection = m.Objection.objects.create(
                    client=client,
                    purpose=purpose,
                    made_on=timezone.localdate(),
                    recorded_by=actor,
                    grounds=grounds,
                    request_id=request_id,
                )
        except IntegrityError:
            raise InvalidInput({"purpose": ["The client's objection to this purpose is already recorded."]}) from None
        _refresh_objections(client)
        _audit(actor, "objection.recorded", client, "objection", objection.pk, purpose=purpose)
    return objection


def objection_compelling_grounds(*, actor: StaffMember, objection: m.Objection, grounds: str) -> m.Objection:
    """The DPO records compelling legitimate grounds that override the objection: the purpose may
    be served again."""
    client = objection.client
    _require_dpo_for(actor, client)
    errors: dict[str, list[str]] = {}
    grounds = _text(
        grounds,
        "compelling_grounds",
        errors,
        required="Record the compelling legitimate grounds that override the client's objection.",
    )
    if objection.ended_at is not None:
        errors["objection"] = ["The client has withdrawn this objection."]
    elif objection.compelling_grounds:
        errors["objection"] = ["Compelling grounds are already recorded for this objection."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        objection.compelling_grounds = grounds
        objection.grounds_recorded_by = actor
        objection.grounds_recorded_at = timezone.now()
        objection.save(update_fields=["compelling_grounds", "grounds_recorded_by", "grounds_recorded_at"])
        _refresh_objections(client)
        _audit(actor, "objection.overridden", client, "objection", objection.pk, purpose=objection.purpose)
    return objection


def objection_end(*, actor: StaffMember, objection: m.Objection, note: str = "") -> m.Objection:
    """The client withdraws their objection."""
    client = objection.client
    _require_dpo_for(actor, client)
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", errors)
    if objection.ended_at is not None:
        errors["objection"] = ["This objection has already ended."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        objection.ended_at = timezone.now()
        objection.end_note = note
        objection.save(update_fields=["ended_at", "end_note"])
        _refresh_objections(client)
        _audit(actor, "objection.ended", client, "objection", objection.pk, purpose=objection.purpose)
    return objection
