"""Writes to client records. Each is atomic, validates everything first, and writes its audit event
in the same transaction. Edits carry the version the editor started from; a stale version is
refused with EditConflict, never silently overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import ForeignObjectRel
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients import models as m
from ceangal.clients.matching import match_keys_refresh
from ceangal.clients.sections import SECTIONS, SectionSpec, section
from ceangal.clients.signals import client_merged
from ceangal.clients.validation import clean_section
from ceangal.crypto import blind_index
from ceangal.errors import EditConflict, InvalidInput, NotFound, NotPermitted
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import CASEWORK_ROLES, Role, clearance_for
from ceangal.reference import lookups
from ceangal.reference.categories import sensitivity_of

_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O or U
FOLLOW_UP_WEEKS = {"FU04": 4, "FU13": 13, "FU26": 26, "FU52": 52}
EMPLOYMENT_DESTINATION = "D_EMP"


def new_client_reference() -> str:
    return "CG-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


def _require_casework(actor: StaffMember, today: dt.date) -> None:
    if not actor.active or not actor.user.is_active:
        raise NotPermitted("Your account is not active.")
    if actor.role not in CASEWORK_ROLES:
        raise NotPermitted(f"A {Role(actor.role).label.lower()} cannot change client records.")
    if not actor.training_current(today):
        raise NotPermitted("Your data-protection training has expired; renew it before changing client records.")


def _require_cleared(actor: StaffMember, spec: SectionSpec) -> None:
    """Nobody writes what they may not read: a key worker cannot add conviction details."""
    sensitivity = sensitivity_of(spec.category)
    if sensitivity not in clearance_for(actor.role):
        raise NotPermitted(
            f"Your role is not cleared for {sensitivity.label.lower()} information, so you cannot change "
            f"{spec.label.lower()}; ask a team leader."
        )


def _require_engaged(actor: StaffMember, client: m.Client) -> None:
    """Same answer as for a client that does not exist, so that existence is not revealed."""
    engaged = m.Engagement.objects.filter(
        client=client, organisation_id=actor.organisation_id, status__in=m.LIVE_ENGAGEMENT_STATUSES
    ).exists()
    if not engaged:
        raise NotFound("No such client.")


def _set_history_user(instance: models.Model, actor: StaffMember) -> None:
    instance._history_user = actor.user  # type: ignore[attr-defined]  # read by django-simple-history


def _audit(
    actor: StaffMember, action: str, obj: models.Model, client: m.Client, fields: Any = (), **detail: Any
) -> None:
    audit_record(
        actor_user_id=actor.user_id,
        organisation_id=actor.organisation_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        client_id=client.pk,
        fields=fields,
        detail=detail,
    )


def _derived(spec: SectionSpec, cleaned: dict[str, Any]) -> dict[str, Any]:
    if spec.key == "identity" and "ni_number" in cleaned:
        return {"ni_number_index": blind_index(cleaned["ni_number"]) if cleaned["ni_number"] else ""}
    return {}


def client_register(
    *,
    actor: StaffMember,
    identity: Mapping[str, Any],
    contact: Mapping[str, Any] | None = None,
    discoverable: bool = False,
    today: dt.date | None = None,
) -> m.Client:
    """Register a client once. The registering organisation becomes the first engagement, with the
    registering key worker assigned."""
    today = today or timezone.localdate()
    _require_casework(actor, today)
    identity_spec, contact_spec = section("identity"), section("contact")
    errors: dict[str, list[str]] = {}
    cleaned_identity: dict[str, Any] = {}
    cleaned_contact: dict[str, Any] = {}
    try:
        cleaned_identity = clean_section(identity_spec, identity, today=today)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if contact:
        try:
            cleaned_contact = clean_section(contact_spec, contact, today=today)
        except InvalidInput as exc:
            errors.update({f"contact.{k}": v for k, v in exc.errors.items()})
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        for _attempt in range(5):
            reference = new_client_reference()
            if not m.Client.objects.filter(reference=reference).exists():
                break
        client = m.Client.objects.create(
            reference=reference, registered_by=actor.organisation, discoverable=discoverable
        )
        provenance = {"client": client, "supplied_by": actor.organisation, "recorded_by": actor}
        ident = m.IdentitySection(**provenance, **cleaned_identity, **_derived(identity_spec, cleaned_identity))
        _set_history_user(ident, actor)
        ident.save()
        match_keys_refresh(ident)
        if cleaned_contact:
            contact_row = m.ContactDetails(**provenance, **cleaned_contact)
            _set_history_user(contact_row, actor)
            contact_row.save()
        engagement = m.Engagement(
            client=client,
            organisation=actor.organisation,
            status=m.EngagementStatus.REGISTERED,
            key_worker=actor if actor.role == Role.KEY_WORKER else None,
            started_on=today,
        )
        _set_history_user(engagement, actor)
        engagement.save()
        _audit(actor, "client.registered", client, client, fields=[*cleaned_identity, *cleaned_contact])
    return client


def _owned_item(spec: SectionSpec, client: m.Client, item_id: object | None) -> m.ClientItem | None:
    if spec.multiple:
        try:
            return spec.rows(client).get(pk=item_id)
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise NotFound(f"No such item in {spec.label.lower()}.") from None
    return spec.rows(client).first()


def section_save(
    *,
    actor: StaffMember,
    client: m.Client,
    section_key: str,
    data: Mapping[str, Any],
    expected_version: int | None,
    item_id: object | None = None,
    today: dt.date | None = None,
) -> m.ClientItem:
    """Create or change a one-per-client section, or change one item of a list section.

    `expected_version` is the version the editor loaded (None or 0 when creating a one-per-client
    section that does not exist yet). Only the organisation that supplied an item may change it:
    a partner's correction goes to the supplier (and, later, through rectification).
    """
    today = today or timezone.localdate()
    spec = section(section_key)
    _require_casework(actor, today)
    _require_engaged(actor, client)
    _require_cleared(actor, spec)
    if spec.multiple and item_id is None:
        raise InvalidInput({"item": f"Say which item of {spec.label.lower()} to change."})
    with transaction.atomic():
        current = _owned_item(spec, client, item_id)
        if current is None:
            if expected_version not in (None, 0):
                raise EditConflict(what=spec.label, expected_version=expected_version or 0, current_version=0)
            return _create(actor, client, spec, data, today)
        if current.supplied_by_id != actor.organisation_id:
            raise NotPermitted(f"This was supplied by {current.supplied_by}; ask them to correct it.")
        cleaned = clean_section(spec, data, today=today, partial=True)
        if expected_version is None:
            raise InvalidInput({"version": "Give the version of the record you are changing, so edits are not lost."})
        # Claim the next version in one conditional UPDATE: of two editors who loaded the same
        # version, exactly one succeeds; the other gets the conflict.
        claimed = spec.model._default_manager.filter(pk=current.pk, version=expected_version).update(
            version=expected_version + 1
        )
        if not claimed:
            latest = spec.model._default_manager.filter(pk=current.pk).values_list("version", flat=True).first()
            raise EditConflict(what=spec.label, expected_version=expected_version, current_version=latest or 0)
        current.refresh_from_db()
        changed = [name for name, value in cleaned.items() if getattr(current, name) != value]
        for name, value in {**cleaned, **_derived(spec, cleaned)}.items():
            setattr(current, name, value)
        current.recorded_by = actor
        _set_history_user(current, actor)
        current.save()
        if isinstance(current, m.IdentitySection):
            match_keys_refresh(current)
        _audit(actor, f"client.{spec.key}.changed", current, client, fields=changed, version=expected_version + 1)
        return current


def item_add(
    *, actor: StaffMember, client: m.Client, section_key: str, data: Mapping[str, Any], today: dt.date | None = None
) -> m.ClientItem:
    today = today or timezone.localdate()
    spec = section(section_key)
    if not spec.multiple or not spec.addable:
        raise InvalidInput({"section": f"Items cannot be added to {spec.label.lower()} this way."})
    _require_casework(actor, today)
    _require_engaged(actor, client)
    _require_cleared(actor, spec)
    with transaction.atomic():
        return _create(actor, client, spec, data, today)


def _create(
    actor: StaffMember, client: m.Client, spec: SectionSpec, data: Mapping[str, Any], today: dt.date
) -> m.ClientItem:
    cleaned = clean_section(spec, data, today=today)
    item = spec.build(
        client=client, supplied_by=actor.organisation, recorded_by=actor, **cleaned, **_derived(spec, cleaned)
    )
    _set_history_user(item, actor)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        # A one-per-client section that another editor created a moment ago.
        raise EditConflict(what=spec.label, expected_version=0, current_version=1) from None
    if isinstance(item, m.IdentitySection):
        match_keys_refresh(item)
    _audit(actor, f"client.{spec.key}.added", item, client, fields=list(cleaned))
    if spec.key == "outcomes" and cleaned.get("destination") == EMPLOYMENT_DESTINATION:
        assert isinstance(item, m.Outcome)
        _schedule_follow_ups(actor, client, item, cleaned["achieved_on"])
    return item


def _schedule_follow_ups(actor: StaffMember, client: m.Client, outcome: m.Outcome, start: dt.date) -> None:
    """Follow-ups are due-dated tasks, 'not due' until their date, so a return never shows a blank."""
    for week, weeks in FOLLOW_UP_WEEKS.items():
        follow_up = m.FollowUp(
            client=client,
            outcome=outcome,
            supplied_by=actor.organisation,
            recorded_by=actor,
            week=week,
            due_on=start + dt.timedelta(weeks=weeks),
            status="NOT_DUE",
        )
        _set_history_user(follow_up, actor)
        follow_up.save()
    _audit(actor, "client.follow_ups.scheduled", outcome, client, weeks=list(FOLLOW_UP_WEEKS))


def _sniff_content_type(head: bytes) -> str | None:
    """What the file's first bytes say it is: the name and the browser's claim are not trusted."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04"):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain" if b"\x00" not in head else None


def document_upload(
    *,
    actor: StaffMember,
    client: m.Client,
    title: str,
    kind: str,
    upload: UploadedFile[bytes] | None,
    today: dt.date | None = None,
) -> m.Document:
    today = today or timezone.localdate()
    _require_casework(actor, today)
    _require_engaged(actor, client)
    spec = section("documents")
    _require_cleared(actor, spec)
    errors: dict[str, list[str]] = {}
    try:
        cleaned = clean_section(spec, {"title": title, "kind": kind}, today=today)
    except InvalidInput as exc:
        errors.update(exc.errors)
        cleaned = {}
    limit = settings.CEANGAL_UPLOAD_MAX_BYTES
    size = (upload.size or 0) if upload is not None else 0
    content_type: str | None = None
    if upload is None:
        errors["file"] = ["Choose a file to upload."]
    elif size == 0:
        errors["file"] = ["The file is empty; choose the file again."]
    elif size > limit:
        errors["file"] = [
            f"The file is {size / 1_048_576:.1f} MB; files must be {limit / 1_048_576:.0f} MB or smaller."
        ]
    else:
        upload.seek(0)
        content_type = _sniff_content_type(upload.read(2048))
        allowed = settings.CEANGAL_UPLOAD_TYPES
        if content_type not in allowed:
            errors["file"] = ["The file must be a PDF, JPEG, PNG, Word (.docx) or plain text file."]
    if errors:
        raise InvalidInput(errors)
    assert content_type is not None
    assert upload is not None
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    original_name = (upload.name or "upload")[-255:]
    upload.name = f"{uuid.uuid4().hex}{settings.CEANGAL_UPLOAD_TYPES[content_type]}"
    document = m.Document(
        client=client,
        supplied_by=actor.organisation,
        recorded_by=actor,
        file=upload,
        original_name=original_name,
        content_type=content_type,
        size_bytes=size,
        sha256=digest.hexdigest(),
        **cleaned,
    )
    _set_history_user(document, actor)
    try:
        with transaction.atomic():
            document.save()
            _audit(actor, "client.documents.added", document, client, fields=["file"], sha256=document.sha256)
    except BaseException:
        # The file is written before the row; if the row is not saved, do not leave the file behind.
        if document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


def engagement_open(*, actor: StaffMember, client: m.Client, key_worker: StaffMember | None = None) -> m.Engagement:
    """Engage the actor's own organisation with a client it can already see (for example after a
    referral is accepted, in a later issue)."""
    today = timezone.localdate()
    _require_casework(actor, today)
    if key_worker is not None and key_worker.organisation_id != actor.organisation_id:
        raise InvalidInput({"key_worker": "Choose a key worker from your own organisation."})
    with transaction.atomic():
        engagement = m.Engagement(
            client=client, organisation=actor.organisation, key_worker=key_worker, started_on=today
        )
        _set_history_user(engagement, actor)
        try:
            with transaction.atomic():
                engagement.save()
        except IntegrityError:
            raise InvalidInput({"organisation": "Your organisation is already working with this client."}) from None
        _audit(actor, "engagement.opened", engagement, client)
    return engagement


def engagement_update(
    *,
    actor: StaffMember,
    engagement: m.Engagement,
    expected_version: int,
    status: str | None = None,
    key_worker: StaffMember | Literal["keep"] | None = "keep",
    closure_reason: str = "",
) -> m.Engagement:
    """Change an engagement's status or key worker. key_worker=None unassigns; "keep" leaves it."""
    today = timezone.localdate()
    _require_casework(actor, today)
    if engagement.organisation_id != actor.organisation_id:
        raise NotFound("No such engagement.")
    errors: dict[str, list[str]] = {}
    if status is not None and status not in m.SETTABLE_ENGAGEMENT_STATUSES:
        errors["status"] = [f"Choose one of: {', '.join(m.SETTABLE_ENGAGEMENT_STATUSES)}."]
    if isinstance(key_worker, StaffMember) and (
        key_worker.organisation_id != actor.organisation_id
        or key_worker.role != Role.KEY_WORKER
        or not key_worker.active
    ):
        errors["key_worker"] = ["Choose an active key worker from your own organisation."]
    if status == m.EngagementStatus.CLOSED:
        if not closure_reason:
            errors["closure_reason"] = ["Say why the engagement is closing."]
        else:
            try:
                closure_reason = lookups.resolve("exit_reason", closure_reason)
            except lookups.UnknownCode:
                errors["closure_reason"] = ["Choose a reason for closing from the list."]
    if engagement.status == m.EngagementStatus.CLOSED:
        errors["status"] = ["This engagement is closed; open a new one instead."]
    if engagement.status == m.EngagementStatus.REFERRED:
        errors["status"] = ["This client has been referred to you: accept or decline the referral instead."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        claimed = m.Engagement.objects.filter(pk=engagement.pk, version=expected_version).update(
            version=expected_version + 1
        )
        if not claimed:
            engagement.refresh_from_db()
            raise EditConflict(
                what="The engagement", expected_version=expected_version, current_version=engagement.version
            )
        engagement.refresh_from_db()
        changed = []
        if status is not None and status != engagement.status:
            engagement.status = status
            changed.append("status")
            if status == m.EngagementStatus.CLOSED:
                engagement.closed_on = today
                engagement.closure_reason = closure_reason
                changed += ["closed_on", "closure_reason"]
        if key_worker != "keep" and (key_worker.pk if key_worker else None) != engagement.key_worker_id:
            engagement.key_worker = key_worker
            changed.append("key_worker")
        _set_history_user(engagement, actor)
        engagement.save()
        _audit(actor, "engagement.changed", engagement, engagement.client, fields=changed)
    return engagement


def client_set_discoverable(*, actor: StaffMember, client: m.Client, discoverable: bool, note: str = "") -> m.Client:
    """Record whether the client agrees that other partners searching for them may be told "this
    person may already be known to <your organisation>" (clients.matching, docs/matching.md)."""
    today = timezone.localdate()
    _require_casework(actor, today)
    _require_engaged(actor, client)
    if len(note) > 500:
        raise InvalidInput({"note": "Keep the note to 500 characters or fewer."})
    with transaction.atomic():
        before = m.Client.objects.select_for_update().values_list("discoverable", flat=True).get(pk=client.pk)
        m.Client.objects.filter(pk=client.pk).update(discoverable=discoverable)
        client.discoverable = discoverable
        _audit(
            actor,
            "client.discoverable.changed",
            client,
            client,
            fields=["discoverable"] if before != discoverable else [],
            discoverable=discoverable,
            note=note.strip(),
        )
    return client


# The one-per-client sections: a client has at most one of each, so two records cannot both keep theirs.
ONE_PER_CLIENT_SECTIONS = tuple(spec for spec in SECTIONS if not spec.multiple)
# Rows of higher apps that point at a client and belong with the person, re-pointed by the merge
# through the relation's name (this app cannot import them). Referrals and messages re-point
# themselves on the client_merged signal.
_REPOINTED_RELATIONS = ("consent_records", "break_glass_grants")
_MERGE_CLOSURE_REASON = "merged"


@dataclass(frozen=True)
class MergePlan:
    """What merging `duplicate` into `keep` will do, worked out before anything is written."""

    moves: dict[str, int]  # section key -> items that move to the kept record
    set_aside: list[str]  # one-per-client sections where the kept record's own stays current
    conflicts: dict[str, str]  # section key -> why the merge cannot go ahead
    engagements_moved: int
    engagements_closed: list[str]  # organisations whose duplicate engagement closes as "merged"

    @property
    def possible(self) -> bool:
        return not self.conflicts


def _section_values(spec: SectionSpec, item: m.ClientItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in spec.field_names}


def merge_plan(*, keep: m.Client, duplicate: m.Client, organisation_id: int) -> MergePlan:
    """The rule that loses nothing (docs/matching.md):

    - every item of a list section moves to the kept record, with its provenance;
    - a one-per-client section only the duplicate has moves;
    - where both have one, the kept record's stays current and the duplicate's stays, unchanged
      and with its history, on the tombstone (set aside) — but only when it is the same or was
      supplied by the merging organisation: a different one supplied by another partner refuses
      the merge (that partner must correct theirs first), because setting aside their item would
      hide it from them;
    - engagements move; where both records have an open one with the same organisation, the
      duplicate's is closed as "merged" and moves as history.
    """
    moves: dict[str, int] = {}
    set_aside: list[str] = []
    conflicts: dict[str, str] = {}
    for spec in SECTIONS:
        theirs = list(spec.rows(duplicate).select_related("supplied_by"))
        if not theirs:
            continue
        if spec.multiple:
            moves[spec.key] = len(theirs)
            continue
        ours = spec.rows(keep).first()
        if ours is None:
            moves[spec.key] = 1
        elif _section_values(spec, ours) == _section_values(spec, theirs[0]) or (
            theirs[0].supplied_by_id == organisation_id
        ):
            set_aside.append(spec.key)
        else:
            conflicts[spec.key] = (
                f"Both records have {spec.label.lower()} and they differ; the duplicate's was supplied by "
                f"{theirs[0].supplied_by}. Ask them to correct it to match, or merge the other way round."
            )
    open_statuses = [*m.LIVE_ENGAGEMENT_STATUSES, m.EngagementStatus.REFERRED]
    kept_open = set(
        m.Engagement.objects.filter(client=keep, status__in=open_statuses).values_list("organisation_id", flat=True)
    )
    engagements = list(m.Engagement.objects.filter(client=duplicate).select_related("organisation"))
    closed = sorted(
        str(e.organisation) for e in engagements if e.status in open_statuses and e.organisation_id in kept_open
    )
    return MergePlan(moves, set_aside, conflicts, len(engagements), closed)


def clients_merge(
    *, actor: StaffMember, keep: m.Client, duplicate: m.Client, reason: str, today: dt.date | None = None
) -> MergePlan:
    """Merge two records of the same person: everything of `duplicate` moves to `keep` as
    merge_plan says, keeping who supplied and recorded each item and when. The duplicate stays as
    a tombstone pointing at the kept record (merged_into), with no engagement, match key or
    consent, so it is no longer listed, searched or readable; the ledger and the audit trail keep
    its id, and a search of the ledger by the kept client finds them. Team leaders only."""
    today = today or timezone.localdate()
    _require_casework(actor, today)
    if actor.role != Role.TEAM_LEADER:
        raise NotPermitted("Only a team leader can merge client records.")
    _require_engaged(actor, keep)
    errors: dict[str, list[str]] = {}
    if duplicate.pk == keep.pk:
        errors["duplicate_id"] = ["Choose another client: a record cannot be merged into itself."]
    if not reason.strip():
        errors["reason"] = ["Say why these two records are the same person."]
    elif len(reason) > 1000:
        errors["reason"] = ["Keep the reason to 1000 characters or fewer."]
    if errors:
        raise InvalidInput(errors)
    try:
        _require_engaged(actor, duplicate)
    except NotFound:
        raise InvalidInput(
            {"duplicate_id": ["Choose a client your organisation works with: that one is not on your caseload."]}
        ) from None
    with transaction.atomic():
        # Lock both rows, in a fixed order, so two merges of the same records cannot interleave.
        locked = {
            c.pk: c for c in m.Client.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk]).order_by("pk")
        }
        if any(c.merged_into_id is not None for c in locked.values()):
            raise InvalidInput({"duplicate_id": ["One of these records has just been merged; reload the page."]})
        plan = merge_plan(keep=keep, duplicate=duplicate, organisation_id=actor.organisation_id)
        if plan.conflicts:
            raise InvalidInput({"duplicate_id": list(plan.conflicts.values())})
        for spec in SECTIONS:
            if spec.key in plan.moves:
                # A bulk update: supplied_by, recorded_by, recorded_at and updated_at stay as they were.
                spec.rows(duplicate).update(**{"client": keep})  # every section names its client "client"
        _merge_engagements(actor, keep, duplicate, today)
        for name in _REPOINTED_RELATIONS:
            relation = m.Client._meta.get_field(name)
            assert isinstance(relation, ForeignObjectRel)
            pointer = relation.field.name
            relation.related_model._default_manager.filter(**{pointer: duplicate}).update(**{pointer: keep})
        m.MatchKey.objects.filter(client=duplicate).delete()
        now = timezone.now()
        m.Client.objects.filter(pk=duplicate.pk).update(merged_into=keep, merged_at=now, discoverable=False)
        duplicate.merged_into, duplicate.merged_at, duplicate.discoverable = keep, now, False
        summary = {"moved": plan.moves, "set_aside": plan.set_aside, "engagements_closed": plan.engagements_closed}
        _audit(actor, "client.merged", keep, keep, duplicate=str(duplicate.pk), reason=reason.strip(), **summary)
        _audit(actor, "client.merged_away", duplicate, duplicate, merged_into=str(keep.pk), reason=reason.strip())
        client_merged.send(sender=m.Client, keep=keep, duplicate=duplicate, actor=actor)
    return plan


def _merge_engagements(actor: StaffMember, keep: m.Client, duplicate: m.Client, today: dt.date) -> None:
    open_statuses = [*m.LIVE_ENGAGEMENT_STATUSES, m.EngagementStatus.REFERRED]
    kept_open = set(
        m.Engagement.objects.filter(client=keep, status__in=open_statuses).values_list("organisation_id", flat=True)
    )
    for engagement in m.Engagement.objects.filter(client=duplicate).order_by("pk"):
        if engagement.status in open_statuses and engagement.organisation_id in kept_open:
            engagement.status = m.EngagementStatus.CLOSED
            engagement.closed_on = today
            engagement.closure_reason = _MERGE_CLOSURE_REASON
            engagement.version += 1
        engagement.client = keep
        _set_history_user(engagement, actor)
        engagement.save()
