"""Rights requests: logging one, and each step the partnership's DPO takes on it.

Anyone who supports a client (a key worker or team leader of an organisation working with them)
or the partnership's DPO (for any client of the partnership) may log a request received by
letter, email, phone or in person. From then on only the DPO works it: identity, clarification,
extension, the answer. Every step is one transaction: the request, its timeline event and the
audit event. Free text (what the client said, the reasons told to them) is encrypted and never
written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients import models as cm
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import CASEWORK_ROLES, Role
from ceangal.rights import clock
from ceangal.rights.models import (
    CLOSED_STATUSES,
    STAFF_CHANNELS,
    Channel,
    EventKind,
    Exemption,
    IdentityMethod,
    PauseMark,
    RequestKind,
    RequestStatus,
    RightsRequest,
    RightsRequestEvent,
)
from ceangal.rights.selectors import clock_facts
from ceangal.versioning import claim_version

_S = RequestStatus
NOTE_MAX = 4000

# Exemptions that fit only one kind of request; the rest may be relied on for any kind.
EXEMPTION_KINDS: dict[str, str] = {
    Exemption.PUBLIC_TASK_ERASURE: RequestKind.ERASURE,
    Exemption.COMPELLING_GROUNDS: RequestKind.OBJECTION,
    Exemption.PORTABILITY_NOT_APPLICABLE: RequestKind.PORTABILITY,
}

# Where each step may be taken from.
STEP_FROM: dict[str, tuple[str, ...]] = {
    "await_identity": (_S.RECEIVED, _S.IN_PROGRESS, _S.EXTENDED),
    "verify_identity": (_S.RECEIVED, _S.AWAITING_IDENTITY),
    "await_clarification": (_S.RECEIVED, _S.IDENTITY_VERIFIED, _S.IN_PROGRESS, _S.EXTENDED),
    "resume": (_S.IDENTITY_VERIFIED, _S.AWAITING_CLARIFICATION),
    "extend": (_S.RECEIVED, _S.IDENTITY_VERIFIED, _S.IN_PROGRESS),
    "complete": (_S.RECEIVED, _S.IDENTITY_VERIFIED, _S.IN_PROGRESS, _S.EXTENDED),
    "refuse": tuple(s for s in _S if s not in CLOSED_STATUSES),
    "acknowledge": tuple(s for s in _S if s not in CLOSED_STATUSES),
    "withdraw": tuple(s for s in _S if s not in CLOSED_STATUSES),
}
STEP_WORDS: dict[str, str] = {
    "await_identity": "asked for proof of identity",
    "verify_identity": "marked as identity verified",
    "await_clarification": "asked for clarification",
    "resume": "resumed",
    "extend": "extended",
    "complete": "completed",
    "refuse": "refused",
    "acknowledge": "acknowledged",
    "withdraw": "withdrawn",
}


def _today() -> dt.date:
    return timezone.localdate()


# -- guards ---------------------------------------------------------------------------------------


def _require_trained(actor: StaffMember) -> None:
    if not actor.active:
        raise NotPermitted("Your account is not active.")
    if not actor.training_current(_today()):
        raise NotPermitted("Your data-protection training has expired: renew it to work on rights requests.")


def _require_dpo(actor: StaffMember, request: RightsRequest) -> None:
    if actor.role != Role.DPO or actor.organisation.partnership_id != request.partnership_id:
        raise NotPermitted("Only the partnership's data protection officer works on rights requests.")
    _require_trained(actor)


def allowed_steps(actor: StaffMember, request: RightsRequest, *, today: dt.date) -> tuple[str, ...]:
    """The steps the actor may take on the request now (for offering forms; the services decide)."""
    if actor.role != Role.DPO or not actor.active or actor.organisation.partnership_id != request.partnership_id:
        return ()
    steps = [step for step, allowed in STEP_FROM.items() if request.status in allowed]
    if request.kind != RequestKind.COMPLAINT or request.acknowledged_on:
        steps = [s for s in steps if s != "acknowledge"]
    if "extend" in steps and clock.extension_problem(clock_facts(request), months=1, decided_on=today):
        steps = [s for s in steps if s != "extend"]
    return tuple(steps)


def _require_status(request: RightsRequest, step: str) -> None:
    if request.status not in STEP_FROM[step]:
        label = RequestStatus(request.status).label.lower()
        raise InvalidInput({"status": [f"A request that is {label} cannot be {STEP_WORDS[step]}."]})


def _text(value: str | None, field: str, errors: dict[str, list[str]], *, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = [required]
    elif len(value) > NOTE_MAX:
        errors[field] = [f"Keep this to {NOTE_MAX} characters or fewer."]
    return value


def _require_logger(actor: StaffMember) -> None:
    if actor.role != Role.DPO and Role(actor.role) not in CASEWORK_ROLES:
        raise NotPermitted("Only a key worker, a team leader or the data protection officer can log a rights request.")
    _require_trained(actor)


def client_for_logging(*, actor: StaffMember, client: object) -> cm.Client:
    """The client the actor may log a request for (see request_log), or NotPermitted / NotFound:
    for the page that logs a request from a client's record, before it shows its form."""
    _require_logger(actor)
    return _client_for_logging(actor, client)


def _client_for_logging(actor: StaffMember, client: object) -> cm.Client:
    """The client named by id or by the partnership's reference, if the actor may log a request for
    them: the DPO for any client of the partnership, others for clients their organisation works
    with. Anything else is the same "No such client" as a client that does not exist."""
    text = str(client or "").strip()
    clients = cm.Client.objects.filter(registered_by__partnership_id=actor.organisation.partnership_id)
    try:
        found = clients.filter(pk=uuid.UUID(text)).first()
    except ValueError:
        found = clients.filter(reference__iexact=text).first() if text else None
    if found is not None and found.merged_into_id is not None:
        found = clients.filter(pk=found.merged_into_id).first()
    if found is None:
        raise NotFound("No such client.")
    if actor.role != Role.DPO:
        works_with = cm.Engagement.objects.filter(
            client=found, organisation_id=actor.organisation_id, status__in=cm.LIVE_ENGAGEMENT_STATUSES
        ).exists()
        if not works_with:
            raise NotFound("No such client.")
    return found


# -- writing --------------------------------------------------------------------------------------


def _claim(request: RightsRequest, expected_version: int | None) -> None:
    claim_version(request, expected_version, what="The rights request")


def _event(
    request: RightsRequest,
    kind: EventKind,
    actor: StaffMember | None,
    note: str = "",
    *,
    pause: PauseMark = PauseMark.NONE,
    pause_reason: str = "",
) -> RightsRequestEvent:
    return RightsRequestEvent.objects.create(
        request=request,
        kind=kind,
        at=timezone.now(),
        on=_today(),
        by=actor,
        note=note,
        pause=pause,
        pause_reason=pause_reason,
    )


def _audit(actor: StaffMember | None, action: str, request: RightsRequest, **detail: object) -> None:
    audit_record(
        actor_user_id=actor.user_id if actor else None,
        organisation_id=actor.organisation_id if actor else request.received_by_id,
        action=action,
        object_type="rights_request",
        object_id=request.pk,
        client_id=request.client_id,
        detail={"kind": str(request.kind), "status": str(request.status), **detail},
    )


def _step(
    request: RightsRequest,
    *,
    actor: StaffMember | None,
    expected_version: int | None,
    kind: EventKind,
    changes: dict[str, object],
    note: str = "",
    pause: PauseMark = PauseMark.NONE,
    pause_reason: str = "",
    **detail: object,
) -> RightsRequest:
    with transaction.atomic():
        _claim(request, expected_version)
        for name, value in changes.items():
            setattr(request, name, value)
        request.save(update_fields=["version", *changes])
        _event(request, kind, actor, note, pause=pause, pause_reason=pause_reason)
        _audit(actor, f"rights_request.{kind}", request, **detail)
    return request


def _ends_pause(request: RightsRequest) -> PauseMark:
    return PauseMark.END if request.status in (_S.AWAITING_IDENTITY, _S.AWAITING_CLARIFICATION) else PauseMark.NONE


def _running_status(request: RightsRequest) -> RequestStatus:
    return _S.EXTENDED if request.extension_months else _S.IN_PROGRESS


def request_log(
    *,
    actor: StaffMember,
    client: object,
    kind: str,
    channel: str,
    received_on: dt.date | str | None,
    details: str = "",
) -> RightsRequest:
    """Log a request a client made by letter, email, phone or in person. `client` is the client's
    id or the partnership's reference for them."""
    _require_logger(actor)
    errors: dict[str, list[str]] = {}
    if kind not in RequestKind.values:
        errors["kind"] = ["Choose what the client is asking for."]
    if channel not in STAFF_CHANNELS:
        errors["channel"] = ["Choose how the request reached you: letter, email, phone or in person."]
    day: dt.date | None = None
    if isinstance(received_on, dt.date):
        day = received_on
    elif received_on:
        try:
            day = dt.date.fromisoformat(str(received_on).strip())
        except ValueError:
            errors["received_on"] = ["Enter the date the request was received as a real date, like 27 3 2027."]
    if day is None and "received_on" not in errors:
        errors["received_on"] = ["Enter the date the request was received."]
    elif day is not None and day > _today():
        errors["received_on"] = ["The date the request was received cannot be in the future."]
    elif day is not None and day < _today() - dt.timedelta(days=366):
        errors["received_on"] = ["The date the request was received must be within the last year."]
    details = _text(details, "details", errors)
    if not str(client or "").strip():
        errors["client"] = ["Enter the client's reference."]
    if errors:
        raise InvalidInput(errors)
    assert day is not None
    found = _client_for_logging(actor, client)
    with transaction.atomic():
        request = RightsRequest.objects.create(
            partnership_id=actor.organisation.partnership_id,
            client=found,
            kind=kind,
            channel=channel,
            received_on=day,
            logged_by=actor,
            received_by_id=actor.organisation_id,
            details=details,
        )
        _event(request, EventKind.LOGGED, actor, f"Received by {Channel(channel).label.lower()} on {day:%d %B %Y}.")
        _audit(actor, "rights_request.logged", request, channel=channel, received_on=day.isoformat())
    return request


def request_await_identity(
    *, actor: StaffMember, request: RightsRequest, note: str = "", expected_version: int | None = None
) -> RightsRequest:
    """Ask the client to prove who they are: the clock stops until they do."""
    _require_dpo(actor, request)
    _require_status(request, "await_identity")
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", errors)
    if errors:
        raise InvalidInput(errors)
    return _step(
        request,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.AWAITING_IDENTITY,
        changes={"status": _S.AWAITING_IDENTITY},
        note=note,
        pause=PauseMark.START,
        pause_reason="identity",
    )


def request_verify_identity(
    *, actor: StaffMember, request: RightsRequest, method: str, note: str = "", expected_version: int | None = None
) -> RightsRequest:
    _require_dpo(actor, request)
    _require_status(request, "verify_identity")
    errors: dict[str, list[str]] = {}
    if method not in IdentityMethod.values:
        errors["method"] = ["Choose how you confirmed who the client is."]
    note = _text(note, "note", errors)
    if errors:
        raise InvalidInput(errors)
    return _step(
        request,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.IDENTITY_VERIFIED,
        changes={"status": _S.IDENTITY_VERIFIED, "identity_method": method},
        note=note,
        pause=_ends_pause(request),
        pause_reason="identity",
        method=method,
    )


def request_await_clarification(
    *, actor: StaffMember, request: RightsRequest, question: str, expected_version: int | None = None
) -> RightsRequest:
    """Ask the client what they mean (the question as told to them): the clock stops until they answer."""
    _require_dpo(actor, request)
    _require_status(request, "await_clarification")
    errors: dict[str, list[str]] = {}
    question = _text(question, "question", errors, required="Write the question you asked the client.")
    if errors:
        raise InvalidInput(errors)
    return _step(
        request,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.AWAITING_CLARIFICATION,
        changes={"status": _S.AWAITING_CLARIFICATION},
        note=question,
        pause=PauseMark.START,
        pause_reason="clarification",
    )


def request_resume(
    *, actor: StaffMember, request: RightsRequest, note: str = "", expected_version: int | None = None
) -> RightsRequest:
    """Start work once identity is verified, or carry on once the client has clarified (the clock restarts)."""
    _require_dpo(actor, request)
    _require_status(request, "resume")
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", errors)
    if errors:
        raise InvalidInput(errors)
    return _step(
        request,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.RESUMED,
        changes={"status": _running_status(request)},
        note=note,
        pause=_ends_pause(request),
        pause_reason="clarification",
    )


def request_extend(
    *, actor: StaffMember, request: RightsRequest, months: int, reason: str, expected_version: int | None = None
) -> RightsRequest:
    """Extend by one or two months for a complex or numerous request (Art 12(3)); the reason is what
    the client is told, and it must be decided within the first month."""
    _require_dpo(actor, request)
    _require_status(request, "extend")
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", errors, required="Write the reason for the extension, as told to the client.")
    problem = clock.extension_problem(clock_facts(request), months=months, decided_on=_today())
    if problem:
        errors["months" if "1 or 2" in problem else "status"] = [problem]
    if errors:
        raise InvalidInput(errors)
    return _step(
        request,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.EXTENDED,
        changes={
            "status": _S.EXTENDED,
            "extension_months": months,
            "extended_on": _today(),
            "extension_reason": reason,
        },
        note=reason,
        months=months,
    )


def request_complete(
    *, actor: StaffMember, request: RightsRequest, note: str = "", expected_version: int | None = None
) -> RightsRequest:
    _require_dpo(actor, request)
    _require_status(request, "complete")
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", errors, required="Say what was done: what the client was sent or told.")
    if errors:
        raise InvalidInput(errors)
    return _step(
        request,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.COMPLETED,
        changes={"status": _S.COMPLETED, "completed_on": _today()},
        note=note,
    )


def request_refuse(
    *, actor: StaffMember, request: RightsRequest, exemption: str, note: str, expected_version: int | None = None
) -> RightsRequest:
    """Refuse, naming the exemption relied on; the note is what the client is told."""
    _require_dpo(actor, request)
    _require_status(request, "refuse")
    errors: dict[str, list[str]] = {}
    if exemption not in Exemption.values:
        errors["exemption"] = ["Choose the exemption you rely on."]
    elif EXEMPTION_KINDS.get(exemption, request.kind) != request.kind:
        errors["exemption"] = [
            f"{Exemption(exemption).label} applies only to a request of another kind: choose one that fits."
        ]
    note = _text(note, "note", errors, required="Explain the refusal as told to the client.")
    if errors:
        raise InvalidInput(errors)
    return _step(
        request,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.REFUSED,
        changes={"status": _S.REFUSED, "exemption": exemption, "refusal_note": note, "completed_on": _today()},
        note=note,
        pause=_ends_pause(request),
        exemption=exemption,
    )


def complaint_acknowledge(
    *, actor: StaffMember, request: RightsRequest, note: str = "", expected_version: int | None = None
) -> RightsRequest:
    """Record that the complainant was told their complaint arrived (due within 30 days)."""
    _require_dpo(actor, request)
    if request.kind != RequestKind.COMPLAINT:
        raise InvalidInput({"kind": ["Only a complaint is acknowledged: this request is not a complaint."]})
    if request.acknowledged_on:
        raise InvalidInput({"status": [f"This complaint was acknowledged on {request.acknowledged_on:%d %B %Y}."]})
    _require_status(request, "acknowledge")
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", errors)
    if errors:
        raise InvalidInput(errors)
    changes: dict[str, object] = {"acknowledged_on": _today()}
    if request.status == _S.RECEIVED:
        changes["status"] = _S.IN_PROGRESS
    return _step(
        request,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.ACKNOWLEDGED,
        changes=changes,
        note=note,
    )


def request_withdraw(
    *, actor: StaffMember, request: RightsRequest, note: str, expected_version: int | None = None
) -> RightsRequest:
    """The client no longer wants the request answered: record how they said so. It closes."""
    _require_dpo(actor, request)
    _require_status(request, "withdraw")
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", errors, required="Say how the client withdrew the request (a letter, a call...).")
    if errors:
        raise InvalidInput(errors)
    return _step(
        request,
        actor=actor,
        expected_version=expected_version,
        kind=EventKind.WITHDRAWN,
        changes={"status": _S.WITHDRAWN, "completed_on": _today()},
        note=note,
        pause=_ends_pause(request),
    )


def request_withdraw_by_client(*, request: RightsRequest, expected_version: int | None = None) -> RightsRequest:
    """The client withdrew the request on their own pages. It closes; a paused clock stops for good.
    The caller has made sure the request is the signed-in client's (ceangal.rights.subject)."""
    if request.status in CLOSED_STATUSES:
        raise InvalidInput({"request": ["This request is already closed, so there is nothing to withdraw."]})
    return _step(
        request,
        actor=None,
        expected_version=expected_version,
        kind=EventKind.WITHDRAWN,
        changes={"status": _S.WITHDRAWN, "completed_on": _today()},
        note="Withdrawn by the client on their own pages.",
        pause=_ends_pause(request),
        by_client=True,
    )
