"""A referral's life: draft, send (with eligibility and capacity checked), answer (accept, decline,
ask for more information), withdraw, start, complete; escalation when unanswered; gaps in provision.

Every step is one transaction: the referral, its event (with the time since the step before), the
engagement it opens or closes, and the audit event. Notifications and webhooks go out after commit.

Relationship: sending makes (or reuses) a *referred* engagement between the client and the
receiving organisation carrying the packet's categories, so that they may read the packet and
nothing else; accepting turns it into an active engagement (from then on the decision point lets
them see what the client agreed); declining or withdrawing closes it, granting nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients import models as cm
from ceangal.directory.eligibility import capacity_note, is_full
from ceangal.directory.models import Service
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.ledger.models import Channel
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import CASEWORK_ROLES, Role
from ceangal.policy import selectors
from ceangal.policy.eligibility import services_for_client
from ceangal.policy.packets import PacketPreview, fields_already_known, packet_preview
from ceangal.policy.purposes import Purpose
from ceangal.reference import lookups
from ceangal.reference.categories import DataCategory
from ceangal.referrals import hooks
from ceangal.referrals.models import (
    PENDING,
    DeclineReason,
    EventKind,
    Message,
    ProvisionGap,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from ceangal.referrals.workdays import add_working_days
from ceangal.versioning import claim_version

_S = ReferralStatus
NOTE_MAX = 4000


# -- guards ---------------------------------------------------------------------------------------


def _require_casework(actor: StaffMember) -> None:
    if not actor.active or actor.role not in CASEWORK_ROLES or not actor.training_current(timezone.localdate()):
        raise NotPermitted("Only an active, trained key worker or team leader can work on referrals.")


def _require_sender(actor: StaffMember, referral: Referral) -> None:
    _require_casework(actor)
    if actor.organisation_id != referral.from_organisation_id:
        raise NotPermitted("Only the organisation that made the referral can do this.")


def _require_recipient(actor: StaffMember, referral: Referral) -> None:
    _require_casework(actor)
    if actor.organisation_id != referral.to_organisation_id:
        raise NotPermitted("Only the organisation the referral was sent to can do this.")


def _require_status(referral: Referral, allowed: Collection[str], doing: str) -> None:
    if referral.status not in allowed:
        raise InvalidInput(
            {"status": [f"A referral that is {referral.get_status_display().lower()} cannot be {doing}."]}
        )


def _text(value: str, field: str, errors: dict[str, list[str]], *, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = [required]
    elif len(value) > NOTE_MAX:
        errors[field] = [f"Keep this to {NOTE_MAX} characters or fewer."]
    return value


# -- the steps ------------------------------------------------------------------------------------


def _claim(referral: Referral, expected_version: int | None) -> None:
    claim_version(referral, expected_version, what="The referral")


def _event(referral: Referral, kind: EventKind, actor: StaffMember | None, note: str = "") -> ReferralEvent:
    now = timezone.now()
    previous = referral.events.order_by("-at", "-pk").values_list("at", flat=True).first()
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        at=now,
        by=actor,
        by_organisation_id=actor.organisation_id if actor else None,
        note=note,
        since_previous=(now - previous) if previous else None,
    )


def _audit(actor: StaffMember | None, action: str, referral: Referral, **detail: object) -> None:
    audit_record(
        actor_user_id=actor.user_id if actor else None,
        organisation_id=actor.organisation_id if actor else referral.to_organisation_id,
        action=action,
        object_type="referral",
        object_id=referral.pk,
        client_id=referral.client_id,
        detail={"status": str(referral.status), **detail},
    )


def _save(referral: Referral, *fields: str) -> None:
    referral.save(update_fields=["version", "status", *fields])


def _apply(
    referral: Referral,
    *,
    actor: StaffMember | None,
    expected_version: int | None,
    kind: EventKind,
    changes: dict[str, object],
    note: str = "",
    ends_wait: bool = False,
    **detail: object,
) -> None:
    """One step, inside the caller's transaction: claim the version, change the referral, keep the
    recipient's referred engagement in step if the step ends a wait, then the event and the audit."""
    _claim(referral, expected_version)
    for name, value in changes.items():
        setattr(referral, name, value)
    _save(referral, *(name for name in changes if name != "status"))
    if ends_wait:
        _sync_referred_engagement(referral.client_id, referral.to_organisation_id, actor)
    _event(referral, kind, actor, note)
    _audit(actor, f"referral.{kind}", referral, **detail)


def referral_draft(
    *,
    actor: StaffMember,
    client_id: object,
    service_id: int,
    reason: str,
    categories: Collection[str] | None = None,
) -> Referral:
    """A draft referral of a client the actor's organisation works with to another partner's active
    service. `categories` narrows the packet to fewer of the service's needs (never more)."""
    _require_casework(actor)
    errors: dict[str, list[str]] = {}
    reason = _text(
        reason, "reason", errors, required="Say why you are referring the client: what they want from this service."
    )
    service = Service.objects.select_related("organisation").filter(pk=service_id).first()
    if service is None or service.organisation.partnership_id != actor.organisation.partnership_id:
        errors["service_id"] = ["Choose a service from the partnership's directory."]
    elif not service.active:
        errors["service_id"] = [f"{service.name} is no longer offered: choose an active service."]
    elif service.organisation_id == actor.organisation_id:
        errors["service_id"] = [
            f"{service.name} is your own organisation's service: refer only to other partners' services."
        ]
    chosen: list[str] = []
    if service is not None and not errors.get("service_id"):
        needed = [str(c) for c in service.categories_needed]
        if categories is None:
            chosen = needed
        else:
            unknown = sorted(set(categories) - set(needed))
            if unknown:
                errors["categories"] = [
                    "A referral carries only what the service needs; it does not need: "
                    + ", ".join(_category_label(c) for c in unknown)
                    + "."
                ]
            chosen = [c for c in needed if c in set(categories)]
    if errors:
        raise InvalidInput(errors)
    assert service is not None
    # The client must be one the actor's organisation works with (else: no such client).
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=Purpose.REFERRAL)
    if not cm.Engagement.objects.filter(
        client=client, organisation_id=actor.organisation_id, status__in=cm.LIVE_ENGAGEMENT_STATUSES
    ).exists():
        raise InvalidInput({"client_id": ["Your organisation is not working with this client, so cannot refer them."]})
    with transaction.atomic():
        referral = Referral.objects.create(
            client=client,
            service=service,
            from_organisation_id=actor.organisation_id,
            to_organisation_id=service.organisation_id,
            created_by=actor,
            reason=reason,
            categories=chosen,
        )
        _event(referral, EventKind.CREATED, actor)
        _audit(actor, "referral.drafted", referral, service=service.pk, categories=chosen)
    return referral


def _category_label(value: str) -> str:
    try:
        return str(DataCategory(value).label)
    except ValueError:
        return value


def preview(
    *, actor: StaffMember, referral: Referral, record: bool = True, channel: Channel | str = Channel.PAGE
) -> PacketPreview:
    """The packet as the recipient will see it (for the sender, before sending)."""
    _require_sender(actor, referral)
    return packet_preview(
        actor=actor,
        client_id=referral.client_id,
        recipient=referral.to_organisation,
        categories=referral.categories,
        record=record,
        channel=channel,
    )


def checks(*, actor: StaffMember, referral: Referral) -> list[str]:
    """Why the service may not take this client: unmet eligibility criteria (from what the actor may
    use of the client's record) and a full service. Empty: nothing in the way."""
    found = services_for_client(actor=actor, client_id=referral.client_id, purpose=Purpose.REFERRAL)
    option = next((o for o in found.services if o.service.pk == referral.service_id), None)
    flags = list(option.unmet) if option is not None else []
    service = referral.service
    if is_full(service):
        flags.append(f"The service is full: {capacity_note(service)}")
    return flags


def referral_send(
    *, actor: StaffMember, referral: Referral, override_note: str = "", expected_version: int | None = None
) -> Referral:
    """Send a draft. Eligibility and capacity are checked first: an ineligible or full service needs
    a note saying why it is sent anyway. The packet is fixed now (the service's needs the recipient
    may have); categories the decision point does not allow are left out, never sent."""
    _require_sender(actor, referral)
    _require_status(referral, [_S.DRAFT], "sent")
    errors: dict[str, list[str]] = {}
    override_note = _text(override_note, "override_note", errors)
    service = Service.objects.select_related("organisation").get(pk=referral.service_id)
    if not service.active:
        errors["service_id"] = [f"{service.name} is no longer offered: withdraw this draft and choose another service."]
    if errors:
        raise InvalidInput(errors)
    flags = checks(actor=actor, referral=referral)
    if flags and not override_note:
        raise InvalidInput(
            {
                "override_note": [
                    "This service may not take the client: " + " ".join(flags) + " To send it anyway, say why."
                ]
            }
        )
    with transaction.atomic():
        _claim(referral, expected_version)
        packet = preview(actor=actor, referral=referral, record=False)
        referral.categories = [str(c) for c in packet.shared]
        referral.flags = flags
        referral.override_note = override_note if flags else ""
        referral.status = _S.SENT
        referral.sent_at = timezone.now()
        referral.answer_due_on = add_working_days(timezone.localdate(), settings.CEANGAL_REFERRAL_ANSWER_DAYS)
        _save(referral, "categories", "flags", "override_note", "sent_at", "answer_due_on")
        _sync_referred_engagement(referral.client_id, referral.to_organisation_id, actor)
        _event(referral, EventKind.SENT, actor, override_note if flags else "")
        _audit(
            actor,
            "referral.sent",
            referral,
            categories=referral.categories,
            left_out=[str(c.category) for c in packet.categories if not c.shared],
            flags=flags,
        )
        hooks.referral_sent(referral)
    return referral


def referral_create(
    *,
    actor: StaffMember,
    client_id: object,
    service_id: int,
    reason: str,
    categories: Collection[str] | None = None,
    send: bool = False,
    override_note: str = "",
) -> Referral:
    """Draft and, if asked, send in one step; a refused send saves nothing."""
    with transaction.atomic():
        referral = referral_draft(
            actor=actor, client_id=client_id, service_id=service_id, reason=reason, categories=categories
        )
        if send:
            referral_send(actor=actor, referral=referral, override_note=override_note)
    return referral


def _open_engagement(client_id: uuid.UUID, organisation_id: int) -> cm.Engagement | None:
    """The organisation's engagement with the client that is not closed (live or referred), locked."""
    return (
        cm.Engagement.objects.select_for_update()
        .filter(client_id=client_id, organisation_id=organisation_id)
        .exclude(status=cm.EngagementStatus.CLOSED)
        .first()
    )


def _save_engagement(engagement: cm.Engagement, actor: StaffMember | None, action: str, **detail: object) -> None:
    """Save an engagement the referral services changed, with its history user and audit event
    (actor None: the system, as when a consent withdrawal withdraws a referral)."""
    engagement.version += 1
    if actor is not None:
        engagement._history_user = actor.user  # type: ignore[attr-defined]
    engagement.save()
    audit_record(
        actor_user_id=actor.user_id if actor else None,
        organisation_id=actor.organisation_id if actor else None,
        action=action,
        object_type="engagement",
        object_id=engagement.pk,
        client_id=engagement.client_id,
        detail={"status": str(engagement.status), **detail},
    )


def _sync_referred_engagement(client_id: uuid.UUID, organisation_id: int, actor: StaffMember | None) -> None:
    """Keep the recipient's referred engagement equal to its waiting referrals: their packets'
    categories together; closed when none waits. A live engagement is left alone."""
    packets = list(
        Referral.objects.filter(
            client_id=client_id, to_organisation_id=organisation_id, status__in=PENDING
        ).values_list("categories", flat=True)
    )
    categories = sorted({c for packet in packets for c in packet})
    engagement = _open_engagement(client_id, organisation_id)
    today = timezone.localdate()
    if engagement is None:
        if packets:
            engagement = cm.Engagement(
                client_id=client_id,
                organisation_id=organisation_id,
                status=cm.EngagementStatus.REFERRED,
                started_on=today,
                packet_categories=categories,
                version=0,
            )
            _save_engagement(engagement, actor, "engagement.referred", categories=categories)
        return
    if engagement.status != cm.EngagementStatus.REFERRED:
        return
    if packets:
        engagement.packet_categories = categories
        _save_engagement(engagement, actor, "engagement.referred", categories=categories)
    else:
        engagement.status = cm.EngagementStatus.CLOSED
        engagement.packet_categories = []
        engagement.closed_on = today
        engagement.closure_reason = "referral_ended"
        _save_engagement(engagement, actor, "engagement.closed", reason="referral_ended")


def referral_accept(
    *,
    actor: StaffMember,
    referral: Referral,
    key_worker: StaffMember | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Referral:
    """Accept: the receiving organisation starts working with the client (an active engagement with
    the chosen key worker), so the decision point now lets it see what the client agreed."""
    _require_recipient(actor, referral)
    _require_status(referral, [_S.SENT], "accepted")
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", errors)
    key_worker = key_worker or (actor if actor.role == Role.KEY_WORKER else None)
    if key_worker is not None and (
        key_worker.organisation_id != actor.organisation_id
        or key_worker.role not in CASEWORK_ROLES
        or not key_worker.active
    ):
        errors["key_worker"] = ["Choose an active key worker or team leader from your own organisation."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        _claim(referral, expected_version)
        now = timezone.now()
        referral.status = _S.ACCEPTED
        referral.answered_at = now
        referral.receiving_key_worker = key_worker
        _engage(referral, actor, key_worker)
        _event(referral, EventKind.ACCEPTED, actor, note)
        referral.fields_not_asked_again = fields_already_known(
            actor=actor, client_id=referral.client_id, categories=referral.categories
        )
        _save(referral, "answered_at", "receiving_key_worker", "fields_not_asked_again")
        _audit(actor, "referral.accepted", referral, fields_not_asked_again=referral.fields_not_asked_again)
        hooks.referral_answered(referral, webhook="referral.accepted")
    return referral


def _engage(referral: Referral, actor: StaffMember, key_worker: StaffMember | None) -> None:
    engagement = _open_engagement(referral.client_id, referral.to_organisation_id)
    if engagement is not None and engagement.status != cm.EngagementStatus.REFERRED:
        # Already working with the client: only a missing key worker is filled in.
        if key_worker is not None and engagement.key_worker_id is None:
            engagement.key_worker = key_worker
            _save_engagement(engagement, actor, "engagement.key_worker_assigned", referral=str(referral.pk))
        return
    if engagement is None:
        engagement = cm.Engagement(client_id=referral.client_id, organisation_id=referral.to_organisation_id, version=0)
    engagement.status = cm.EngagementStatus.ACTIVE
    engagement.packet_categories = []
    engagement.key_worker = key_worker
    engagement.started_on = timezone.localdate()
    _save_engagement(engagement, actor, "engagement.opened", referral=str(referral.pk))


def referral_decline(
    *, actor: StaffMember, referral: Referral, reason: str, note: str = "", expected_version: int | None = None
) -> Referral:
    """Decline, with a reason; the referred engagement closes and nothing is granted."""
    _require_recipient(actor, referral)
    _require_status(referral, PENDING, "declined")
    errors: dict[str, list[str]] = {}
    if reason not in DeclineReason.values:
        errors["reason"] = [
            "Choose why you are declining: " + "; ".join(str(label) for label in DeclineReason.labels) + "."
        ]
    note = _text(note, "note", errors, required="Say why in a few words." if reason == DeclineReason.OTHER else None)
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        _apply(
            referral,
            actor=actor,
            expected_version=expected_version,
            kind=EventKind.DECLINED,
            changes={
                "status": _S.DECLINED,
                "decline_reason": reason,
                "decline_note": note,
                "answered_at": referral.answered_at or now,
                "closed_at": now,
            },
            note=note,
            ends_wait=True,
            reason=reason,
        )
        hooks.referral_answered(referral, webhook="referral.declined")
    return referral


def referral_request_info(
    *, actor: StaffMember, referral: Referral, question: str, expected_version: int | None = None
) -> Referral:
    """The recipient asks the referrer a question; the answer clock pauses until it is answered."""
    _require_recipient(actor, referral)
    _require_status(referral, [_S.SENT], "asked about")
    errors: dict[str, list[str]] = {}
    question = _text(question, "question", errors, required="Write the question for the referrer.")
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        _apply(
            referral,
            actor=actor,
            expected_version=expected_version,
            kind=EventKind.MORE_INFO,
            changes={"status": _S.MORE_INFO, "answered_at": referral.answered_at or timezone.now()},
            note=question,
        )
        hooks.referral_answered(referral, webhook=None)
    return referral


def referral_give_info(
    *, actor: StaffMember, referral: Referral, answer: str, expected_version: int | None = None
) -> Referral:
    """The referrer answers; the referral waits with the recipient again, with a new answer date."""
    _require_sender(actor, referral)
    _require_status(referral, [_S.MORE_INFO], "answered")
    errors: dict[str, list[str]] = {}
    answer = _text(answer, "answer", errors, required="Write your answer to the question.")
    if errors:
        raise InvalidInput(errors)
    due = add_working_days(timezone.localdate(), settings.CEANGAL_REFERRAL_ANSWER_DAYS)
    with transaction.atomic():
        _apply(
            referral,
            actor=actor,
            expected_version=expected_version,
            kind=EventKind.INFO_GIVEN,
            changes={"status": _S.SENT, "answer_due_on": due, "escalated_at": None},
            note=answer,
        )
        hooks.referral_info_given(referral)
    return referral


def referral_withdraw(
    *, actor: StaffMember | None, referral: Referral, reason: str, expected_version: int | None = None
) -> Referral:
    """The referrer withdraws a draft or a referral not yet answered (actor None: the system, when
    the client withdraws their consent to share with the recipient)."""
    if actor is not None:
        _require_sender(actor, referral)
    _require_status(referral, [_S.DRAFT, *PENDING], "withdrawn")
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", errors, required="Say why the referral is withdrawn.")
    if errors:
        raise InvalidInput(errors)
    was_sent = referral.status != _S.DRAFT
    with transaction.atomic():
        _apply(
            referral,
            actor=actor,
            expected_version=expected_version,
            kind=EventKind.WITHDRAWN,
            changes={"status": _S.WITHDRAWN, "closed_at": timezone.now()},
            note=reason,
            ends_wait=True,
            by_system=actor is None,
        )
        if was_sent:
            hooks.referral_withdrawn(referral)
    return referral


def referral_start(
    *, actor: StaffMember, referral: Referral, started_on: dt.date, expected_version: int | None = None
) -> Referral:
    """The client has started with the service (the referrer sees the date: closed loop)."""
    _require_recipient(actor, referral)
    _require_status(referral, [_S.ACCEPTED], "marked as started")
    today = timezone.localdate()
    if started_on > today:
        raise InvalidInput({"started_on": ["The start date cannot be in the future."]})
    if referral.sent_at and started_on < timezone.localtime(referral.sent_at).date():
        raise InvalidInput({"started_on": ["The start date cannot be before the referral was sent."]})
    with transaction.atomic():
        _apply(
            referral,
            actor=actor,
            expected_version=expected_version,
            kind=EventKind.STARTED,
            changes={"started_on": started_on},
            started_on=started_on.isoformat(),
        )
        hooks.referral_answered(referral, webhook=None)
    return referral


def referral_complete(
    *, actor: StaffMember, referral: Referral, note: str = "", expected_version: int | None = None
) -> Referral:
    _require_recipient(actor, referral)
    _require_status(referral, [_S.ACCEPTED], "completed")
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        _apply(
            referral,
            actor=actor,
            expected_version=expected_version,
            kind=EventKind.COMPLETED,
            changes={"status": _S.COMPLETED, "closed_at": timezone.now()},
            note=note,
        )
        hooks.referral_answered(referral, webhook=None)
    return referral


def referrals_escalate(*, today: dt.date | None = None) -> int:
    """Referrals still waiting for the recipient past their answer date: escalated to the receiving
    team leaders and flagged to the sender, once per wait. Returns how many."""
    today = today or timezone.localdate()
    due = Referral.objects.filter(status=_S.SENT, answer_due_on__lt=today, escalated_at__isnull=True)
    count = 0
    for referral_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            referral = Referral.objects.select_for_update().select_related("created_by").get(pk=referral_id)
            if referral.status != _S.SENT or referral.escalated_at is not None:
                continue
            referral.escalated_at = timezone.now()
            referral.save(update_fields=["escalated_at"])
            _event(referral, EventKind.ESCALATED, None)
            _audit(
                None,
                "referral.escalated",
                referral,
                due_on=referral.answer_due_on.isoformat() if referral.answer_due_on else "",
            )
            hooks.referral_overdue(referral)
            count += 1
    return count


# -- gaps in provision ----------------------------------------------------------------------------


def gap_record(
    *,
    actor: StaffMember,
    description: str,
    need: str = "",
    stage: str = "",
    local_authority: str = "",
    services_considered: Sequence[int] = (),
) -> ProvisionGap:
    """Record that no service fitted a need, for the partnership (no client data)."""
    _require_casework(actor)
    errors: dict[str, list[str]] = {}
    description = _text(description, "description", errors, required="Describe the need no service met.")
    for field, list_key, value in (
        ("need", "barrier", need),
        ("stage", "pipeline_stage", stage),
        ("local_authority", "local_authority", local_authority),
    ):
        if value:
            try:
                lookups.resolve(list_key, value)
            except lookups.UnknownCode:
                errors[field] = [f"Choose a {field.replace('_', ' ')} from the list."]
    known = set(
        Service.objects.filter(
            pk__in=list(services_considered), organisation__partnership_id=actor.organisation.partnership_id
        ).values_list("pk", flat=True)
    )
    if unknown := sorted(set(services_considered) - known):
        errors["services_considered"] = [f"No such service in the directory: {', '.join(map(str, unknown))}."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        gap = ProvisionGap.objects.create(
            partnership_id=actor.organisation.partnership_id,
            organisation_id=actor.organisation_id,
            recorded_by=actor,
            need=need,
            stage=stage,
            local_authority=local_authority,
            description=description,
            services_considered=sorted(known),
        )
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="provision_gap.recorded",
            object_type="provision_gap",
            object_id=gap.pk,
            detail={"need": need, "stage": stage, "local_authority": local_authority},
        )
    return gap


# -- messages -------------------------------------------------------------------------------------


def message_send(
    *,
    actor: StaffMember,
    body: str,
    to_organisation_id: int,
    referral: Referral | None = None,
    client_id: object | None = None,
) -> Message:
    """A secure message about a referral (between its two organisations) or about a client (between
    organisations that both work with the client). Anyone else: refused, nothing saved."""
    _require_casework(actor)
    errors: dict[str, list[str]] = {}
    body = _text(body, "body", errors, required="Write your message.")
    if referral is not None:
        parties = {referral.from_organisation_id, referral.to_organisation_id}
        if actor.organisation_id not in parties:
            raise NotFound("No such referral.")
        # A draft is the referrer's own: the organisation it will go to does not know of it yet.
        if referral.status == _S.DRAFT:
            if actor.organisation_id != referral.from_organisation_id:
                raise NotFound("No such referral.")
            errors["referral"] = ["The referral is still a draft: send it before writing to the other organisation."]
        client = referral.client_id
    else:
        if client_id is None:
            raise InvalidInput({"client_id": ["Say which client or referral the message is about."]})
        client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=Purpose.SUPPORT_COORDINATION).pk
        parties = set(
            cm.Engagement.objects.filter(client_id=client, status__in=cm.LIVE_ENGAGEMENT_STATUSES).values_list(
                "organisation_id", flat=True
            )
        )
    if to_organisation_id == actor.organisation_id:
        errors["to_organisation_id"] = ["Send the message to the other organisation, not your own."]
    elif to_organisation_id not in parties:
        errors["to_organisation_id"] = [
            "That organisation is not a party to this referral."
            if referral is not None
            else "That organisation is not working with this client."
        ]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        message = Message.objects.create(
            referral=referral,
            client_id=client,
            from_organisation_id=actor.organisation_id,
            to_organisation_id=to_organisation_id,
            sent_by=actor,
            body=body,
            sent_at=timezone.now(),
        )
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="message.sent",
            object_type="message",
            object_id=message.pk,
            client_id=client,
            detail={"to_organisation": to_organisation_id, "referral": str(referral.pk) if referral else ""},
        )
        hooks.message_sent(_message_recipients(message), _message_link(message))
    return message


def _message_link(message: Message) -> str:
    if message.referral_id:
        return reverse("web:referral_detail", args=[message.referral_id]) + "#messages"
    return reverse("web:messages")


def _message_recipients(message: Message) -> list[StaffMember]:
    referral = message.referral
    if referral is not None:
        if message.to_organisation_id == referral.from_organisation_id:
            return [referral.created_by]
        if referral.receiving_key_worker is not None:
            return [referral.receiving_key_worker]
        return hooks.receiving_team(referral)
    engagement = (
        cm.Engagement.objects.filter(
            client_id=message.client_id,
            organisation_id=message.to_organisation_id,
            status__in=cm.LIVE_ENGAGEMENT_STATUSES,
        )
        .select_related("key_worker__user")
        .first()
    )
    if engagement is not None and engagement.key_worker is not None:
        return [engagement.key_worker]
    return list(
        StaffMember.objects.filter(organisation_id=message.to_organisation_id, role=Role.TEAM_LEADER, active=True)
    )


def messages_read(*, actor: StaffMember, messages: Sequence[Message]) -> None:
    """The actor opened these messages: unread ones addressed to their organisation are marked read;
    the reading is audited."""
    if not messages:
        return
    with transaction.atomic():
        now = timezone.now()
        mine = [m.pk for m in messages if m.to_organisation_id == actor.organisation_id and m.read_at is None]
        if mine:
            Message.objects.filter(pk__in=mine).update(read_at=now)
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="message.read",
            object_type="message",
            object_id=messages[0].pk,
            client_id=messages[0].client_id,
            detail={"messages": [str(m.pk) for m in messages]},
        )
