"""Rectification (UK GDPR Art 16): the partnership's DPO corrects an item of a client's record in
answer to a rights request.

The correction goes through the same validation as any edit (a field that fails it is named and
nothing changes) and the same optimistic lock; the item keeps its history, with the change reason
"rectification, request <ref>" so the record shows why it changed. Telling the organisations the
old value was disclosed to (Art 19) is the rights app's part: it reads the access ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients import models as m
from ceangal.clients.matching import match_keys_refresh
from ceangal.clients.sections import SECTIONS, SectionSpec
from ceangal.clients.validation import clean_section
from ceangal.crypto import blind_index
from ceangal.errors import EditConflict, InvalidInput, NotFound, NotPermitted
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.reference.categories import DataCategory

# Documents are replaced, not corrected field by field; follow-ups are tasks the service makes.
RECTIFIABLE_SECTIONS = tuple(spec for spec in SECTIONS if spec.key not in ("documents", "follow_ups"))


@dataclass(frozen=True)
class Rectified:
    item: m.ClientItem
    section: SectionSpec
    category: DataCategory
    fields_changed: tuple[str, ...]
    supplied_by_id: int
    # When the values now corrected were recorded: only disclosures after it carried them.
    old_value_since: dt.datetime
    corrected_at: dt.datetime


def rectifiable_section(key: str) -> SectionSpec:
    for spec in RECTIFIABLE_SECTIONS:
        if spec.key == key:
            return spec
    raise InvalidInput(
        {"section": ["Choose the part of the record to correct: " + ", ".join(s.label for s in RECTIFIABLE_SECTIONS)]}
    )


def _old_value_since(spec: SectionSpec, item: m.ClientItem, names: tuple[str, ...]) -> dt.datetime:
    """The time of the oldest version, in the unbroken run back from now, whose values for `names`
    are the ones being corrected: that is when the wrong values were recorded."""
    since = item.recorded_at
    current = {name: getattr(item, name) for name in names}
    for version in spec.history(item.pk).order_by("-history_date", "-history_id"):
        if any(getattr(version, name) != value for name, value in current.items()):
            break
        since = version.history_date
    return since


def item_rectify(
    *,
    actor: StaffMember,
    client: m.Client,
    section_key: str,
    item_id: object | None,
    data: Mapping[str, Any],
    expected_version: int | None,
    request_reference: str,
    today: dt.date | None = None,
) -> Rectified:
    """Correct one item (one-per-client sections need no item id). Only the partnership's DPO
    corrects through a rights request; a key worker corrects their own organisation's items with
    the ordinary edit."""
    today = today or timezone.localdate()
    if not actor.active or actor.role != Role.DPO:
        raise NotPermitted("Only the partnership's data protection officer corrects a record for a rights request.")
    if client.registered_by.partnership_id != actor.organisation.partnership_id or client.erased_at is not None:
        raise NotFound("No such client.")
    spec = rectifiable_section(section_key)
    errors: dict[str, list[str]] = {}
    if not data:
        errors["data"] = ["Give at least one corrected field."]
    if expected_version is None:
        errors["version"] = ["Give the version of the item you are correcting, so edits are not lost."]
    cleaned: dict[str, Any] = {}
    try:
        cleaned = clean_section(spec, data, today=today, partial=True)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    assert expected_version is not None
    with transaction.atomic():
        try:
            item = spec.rows(client).get(pk=item_id) if spec.multiple else spec.rows(client).get()
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise NotFound(f"No such item in {spec.label.lower()}.") from None
        changed = tuple(name for name, value in cleaned.items() if getattr(item, name) != value)
        if not changed:
            raise InvalidInput({"data": ["Nothing would change: give the corrected values."]})
        since = _old_value_since(spec, item, changed)
        claimed = spec.model._default_manager.filter(pk=item.pk, version=expected_version).update(
            version=expected_version + 1
        )
        if not claimed:
            raise EditConflict(what=spec.label, expected_version=expected_version, current_version=item.version)
        item.refresh_from_db()
        for name, value in cleaned.items():
            setattr(item, name, value)
        if spec.key == "identity" and "ni_number" in cleaned:
            item.ni_number_index = blind_index(cleaned["ni_number"]) if cleaned["ni_number"] else ""  # type: ignore[attr-defined]
        item._history_user = actor.user  # type: ignore[attr-defined]  # read by django-simple-history
        item._change_reason = f"rectification, request {request_reference}"  # type: ignore[attr-defined]
        item.save()
        if isinstance(item, m.IdentitySection):
            match_keys_refresh(item)
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action=f"client.{spec.key}.rectified",
            object_type=item._meta.label_lower,
            object_id=item.pk,
            client_id=client.pk,
            fields=changed,
            detail={"request": request_reference, "version": expected_version + 1},
        )
    return Rectified(
        item=item,
        section=spec,
        category=spec.category,
        fields_changed=changed,
        supplied_by_id=item.supplied_by_id,
        old_value_since=since,
        corrected_at=item.updated_at,
    )
