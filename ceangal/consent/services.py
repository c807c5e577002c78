"""Recording, renewing, refusing and withdrawing consent. Withdrawal is as easy as giving."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from ceangal.agreements.models import AgreementParty, AgreementStatus, NoticeStatus, PrivacyNotice
from ceangal.audit.services import audit_record
from ceangal.clients import models as cm
from ceangal.consent.models import ConsentEvent, ConsentMethod, ConsentRecord, ConsentScope, EventKind, ExpressedBy
from ceangal.consent.signals import consent_withdrawn
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.partners.models import Organisation, StaffMember
from ceangal.partners.roles import CASEWORK_ROLES

EVIDENCE_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ScopeChoice:
    purpose: str
    category: str
    recipient_organisation: Organisation | None = None
    recipient_type: str = ""


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _read_evidence(evidence: UploadedFile[bytes]) -> tuple[str, str]:
    """Check an evidence file by its content (never its name or declared type) and size; give it a
    generated name. Returns its media type and SHA-256."""
    size = evidence.size or 0
    evidence.seek(0)
    sniffed = _sniff(evidence.read(16))
    if size == 0 or size > EVIDENCE_MAX_BYTES:
        raise InvalidInput({"evidence": ["The evidence file must be between 1 byte and 10 MB."]})
    if sniffed is None:
        raise InvalidInput({"evidence": ["The evidence must be a PDF, JPEG or PNG file."]})
    hasher = hashlib.sha256()
    evidence.seek(0)
    for chunk in evidence.chunks():
        hasher.update(chunk)
    evidence.seek(0)
    evidence.name = f"{uuid.uuid4().hex}{EVIDENCE_TYPES[sniffed]}"
    return sniffed, hasher.hexdigest()


def record_state(record: ConsentRecord) -> str:
    """The kind of the record's latest whole-record event (a partial withdrawal leaves it alone)."""
    for event in record.events.order_by("-at", "-pk").prefetch_related("scopes"):
        if not event.scopes.exists():
            return str(event.kind)
    return ""


def _require_caseworker_for(actor: StaffMember, client: cm.Client) -> None:
    if not actor.active or actor.role not in CASEWORK_ROLES or not actor.training_current(timezone.localdate()):
        raise NotPermitted("Only an active, trained key worker or team leader can record consent.")
    engaged = cm.Engagement.objects.filter(
        client=client, organisation_id=actor.organisation_id, status__in=cm.LIVE_ENGAGEMENT_STATUSES
    ).exists()
    if not engaged:
        raise NotFound("No such client.")


def _audit(actor: StaffMember | None, action: str, record: ConsentRecord, **detail: object) -> None:
    audit_record(
        actor_user_id=actor.user_id if actor else None,
        organisation_id=actor.organisation_id if actor else None,
        action=action,
        object_type="consent.consentrecord",
        object_id=record.pk,
        client_id=record.client_id,
        detail=dict(detail),
    )


def _check_scopes(scopes: Sequence[ScopeChoice], notice: PrivacyNotice) -> dict[str, list[str]]:
    """A consent can never be wider than its notice, and names only partners that share by agreement."""
    errors: dict[str, list[str]] = {}
    if not scopes:
        errors["scopes"] = ["Choose at least one partner, purpose and kind of information."]
        return errors
    notice_recipients = set(notice.recipients.values_list("pk", flat=True))
    parties = set(
        AgreementParty.objects.filter(
            version__agreement__partnership_id=notice.partnership_id,
            version__status__in=[AgreementStatus.ACTIVE, AgreementStatus.DRAFT],
        ).values_list("organisation_id", flat=True)
    )
    for index, scope in enumerate(scopes):
        where = f"scopes[{index}]"
        problems: list[str] = []
        if scope.purpose not in notice.purposes:
            problems.append(f"The notice the client was given does not cover the purpose {scope.purpose!r}.")
        if scope.category not in notice.categories:
            problems.append(f"The notice the client was given does not cover {scope.category!r} information.")
        org = scope.recipient_organisation
        if (org is None) == (not scope.recipient_type):
            problems.append("Name either one partner or one kind of partner.")
        elif org is not None:
            if org.partnership_id != notice.partnership_id:
                problems.append(f"{org} is not a partner in this partnership.")
            elif org.pk not in notice_recipients and org.org_type not in notice.recipient_types:
                problems.append(f"The notice does not name {org} as a recipient.")
            elif org.pk not in parties:
                problems.append(
                    f"{org} is not a party to any information sharing agreement, so nothing can be shared with it."
                )
        elif scope.recipient_type not in notice.recipient_types:
            problems.append(f"The notice does not name {scope.recipient_type!r} organisations as recipients.")
        if problems:
            errors[where] = problems
    return errors


def _check_answer(
    *,
    actor: StaffMember,
    notice: PrivacyNotice,
    scopes: Sequence[ScopeChoice],
    method: str,
    expressed_by: str,
    evidence: UploadedFile[bytes] | None,
) -> tuple[dict[str, list[str]], str, str]:
    """The checks giving and refusing share: the notice, what was asked (never wider than the
    notice), how and by whom the client answered, and the evidence file if there is one. Returns
    the problems by field, and the evidence's media type and SHA-256."""
    errors: dict[str, list[str]] = {}
    if notice.status != NoticeStatus.PUBLISHED or notice.partnership_id != actor.organisation.partnership_id:
        errors["notice"] = ["Choose a published privacy notice of this partnership."]
    else:
        errors.update(_check_scopes(scopes, notice))
    if method not in ConsentMethod.values:
        errors["method"] = [f"Choose how the client answered: {', '.join(ConsentMethod.values)}."]
    if expressed_by not in ExpressedBy.values:
        errors["expressed_by"] = [f"Choose who answered: {', '.join(ExpressedBy.values)}."]
    content_type, digest = "", ""
    if evidence is not None:
        try:
            content_type, digest = _read_evidence(evidence)
        except InvalidInput as exc:
            errors.update(exc.errors)
    return errors, content_type, digest


def _record_answer(
    *,
    record: ConsentRecord,
    scopes: Sequence[ScopeChoice],
    evidence: UploadedFile[bytes] | None,
    kind: EventKind,
    actor: StaffMember,
    action: str,
    **detail: object,
) -> ConsentRecord:
    """Save a new record, its scope rows (each recipient, purpose and category once) and its first
    event in one transaction, audited; a stored evidence file is removed again if anything fails."""
    if evidence is not None:
        record.evidence = evidence  # type: ignore[assignment]
    try:
        with transaction.atomic():
            record.save()
            ConsentScope.objects.bulk_create(
                ConsentScope(
                    record=record,
                    recipient_organisation=s.recipient_organisation,
                    recipient_type=s.recipient_type if s.recipient_organisation is None else "",
                    purpose=s.purpose,
                    category=s.category,
                )
                for s in {
                    (
                        s.recipient_organisation.pk if s.recipient_organisation else s.recipient_type,
                        s.purpose,
                        s.category,
                    ): s
                    for s in scopes
                }.values()
            )
            ConsentEvent.objects.create(record=record, kind=kind, at=timezone.now(), recorded_by=actor)
            _audit(actor, action, record, scopes=len(scopes), method=record.method, **detail)
    except BaseException:
        if record.evidence and record.evidence.name:
            record.evidence.storage.delete(record.evidence.name)
        raise
    return record


@dataclass(frozen=True)
class _Answer:
    """How the client's answer was given, as consent_give and consent_refuse both record it."""

    method: str
    witness_name: str
    expressed_by: str
    language: str
    notes: str
    evidence_sha256: str
    evidence_content_type: str


def _new_record(
    actor: StaffMember,
    client: cm.Client,
    notice: PrivacyNotice,
    *,
    answer: _Answer,
    today: dt.date,
    valid_until: dt.date | None = None,
    until_support_ends: bool = False,
) -> ConsentRecord:
    return ConsentRecord(
        client=client,
        notice=notice,
        organisation=actor.organisation,
        recorded_by=actor,
        method=answer.method,
        witness_name=answer.witness_name.strip(),
        expressed_by=answer.expressed_by,
        language=answer.language,
        valid_from=today,
        valid_until=valid_until,
        until_support_ends=until_support_ends,
        evidence_sha256=answer.evidence_sha256,
        evidence_content_type=answer.evidence_content_type,
        notes=answer.notes.strip(),
    )


def consent_give(
    *,
    actor: StaffMember,
    client: cm.Client,
    notice: PrivacyNotice,
    scopes: Sequence[ScopeChoice],
    method: str,
    evidence: UploadedFile[bytes] | None = None,
    witness_name: str = "",
    expressed_by: str = ExpressedBy.CLIENT,
    language: str = "en",
    valid_until: dt.date | None = None,
    until_support_ends: bool = False,
    notes: str = "",
    today: dt.date | None = None,
) -> ConsentRecord:
    today = today or timezone.localdate()
    _require_caseworker_for(actor, client)
    errors, content_type, digest = _check_answer(
        actor=actor, notice=notice, scopes=scopes, method=method, expressed_by=expressed_by, evidence=evidence
    )
    if method == ConsentMethod.VERBAL_WITNESSED and not witness_name.strip():
        errors["witness_name"] = ["Verbal consent needs the name of the witness."]
    if valid_until is None and not until_support_ends:
        errors["valid_until"] = ["Give an end date, or choose 'until support ends'."]
    elif valid_until is not None and valid_until <= today:
        errors["valid_until"] = ["The end date must be in the future."]
    if errors:
        raise InvalidInput(errors)
    record = _new_record(
        actor,
        client,
        notice,
        answer=_Answer(method, witness_name, expressed_by, language, notes, digest, content_type),
        today=today,
        valid_until=valid_until,
        until_support_ends=until_support_ends,
    )
    # A signed paper form counts only once its scan is attached: until then the record is
    # pending, which no decision treats as consent (docs/sharing.md, "Paper forms").
    awaiting = method == ConsentMethod.PAPER_FORM and evidence is None
    return _record_answer(
        record=record,
        scopes=scopes,
        evidence=evidence,
        kind=EventKind.PENDING if awaiting else EventKind.GIVEN,
        actor=actor,
        action="consent.given",
        awaiting_evidence=awaiting,
    )


def consent_refuse(
    *,
    actor: StaffMember,
    client: cm.Client,
    notice: PrivacyNotice,
    scopes: Sequence[ScopeChoice],
    method: str,
    evidence: UploadedFile[bytes] | None = None,
    witness_name: str = "",
    expressed_by: str = ExpressedBy.CLIENT,
    language: str = "en",
    notes: str = "",
    today: dt.date | None = None,
) -> ConsentRecord:
    """The client was asked and said no. What they were asked is kept as the rows of a record
    (which partners or kinds of partner, purposes and categories, against which notice, by whom,
    when) whose one event is `refused`: the decision counts only given and renewed consent, so a
    refusal grants nothing, and it ends nothing either (an earlier consent for other rows stays in
    force; one for the same rows is withdrawn, not refused). Keeping it shows the client was asked,
    and lets the DPO answer "did they ever say no?".

    The checks are consent_give's, except that a refusal has no period of validity and needs no
    witness or signed form (it permits nothing, so there is nothing to prove before relying on
    it); a signed form, if there is one, is checked and kept like consent's. A refusal cannot be
    withdrawn or renewed; if the client changes their mind, their consent is recorded anew."""
    today = today or timezone.localdate()
    _require_caseworker_for(actor, client)
    errors, content_type, digest = _check_answer(
        actor=actor, notice=notice, scopes=scopes, method=method, expressed_by=expressed_by, evidence=evidence
    )
    if errors:
        raise InvalidInput(errors)
    record = _new_record(
        actor,
        client,
        notice,
        answer=_Answer(method, witness_name, expressed_by, language, notes, digest, content_type),
        today=today,
    )
    return _record_answer(
        record=record, scopes=scopes, evidence=evidence, kind=EventKind.REFUSED, actor=actor, action="consent.refused"
    )


def consent_attach_evidence(
    *, actor: StaffMember, record: ConsentRecord, upload: UploadedFile[bytes] | None
) -> ConsentEvent:
    """Attach the scan of a signed paper form to a consent recorded without it. From this moment
    the consent counts: a "given" event is appended (the client signed earlier, but nothing relied
    on it until Ceangal could show the signature).

    Evidence is attached once and never replaced: its SHA-256 is what proves the form was not
    changed, so a wrong scan is corrected by invalidating the record and recording consent again.
    """
    _require_caseworker_for(actor, record.client)
    if actor.organisation_id != record.organisation_id:
        raise NotPermitted(f"Only {record.organisation}, which recorded this consent, can attach its signed form.")
    state = record_state(record)
    today = timezone.localdate()
    problem = ""
    if state == EventKind.REFUSED:
        problem = "This is a refusal: its signed form, if there is one, is attached when the refusal is recorded."
    elif record.method != ConsentMethod.PAPER_FORM:
        problem = "Only consent given on a signed paper form takes a signed form as evidence."
    elif record.evidence_sha256:
        problem = (
            "This consent already has its signed form; evidence is never replaced. If it is wrong, "
            "mark the record invalid and record consent again."
        )
    elif state != EventKind.PENDING or (record.valid_until is not None and record.valid_until < today):
        problem = "This consent is no longer live (withdrawn, expired or invalid); record consent again."
    elif upload is None:
        problem = "Choose the scan of the signed form (a PDF or a photograph of it)."
    if problem:
        raise InvalidInput({"evidence": [problem]})
    assert upload is not None
    content_type, digest = _read_evidence(upload)
    record.evidence = upload  # type: ignore[assignment]
    record.evidence_sha256 = digest
    record.evidence_content_type = content_type
    try:
        with transaction.atomic():
            # Lock the record and look again, so two uploads at once cannot both attach.
            locked = ConsentRecord.objects.select_for_update().get(pk=record.pk)
            if locked.evidence_sha256:
                raise InvalidInput({"evidence": ["Someone attached the signed form a moment ago."]})
            record.save(update_fields=["evidence", "evidence_sha256", "evidence_content_type"])
            event = ConsentEvent.objects.create(
                record=record,
                kind=EventKind.GIVEN,
                at=timezone.now(),
                recorded_by=actor,
                note=f"Signed form attached (SHA-256 {digest}).",
            )
            _audit(actor, "consent.evidence_attached", record, sha256=digest, media_type=content_type)
    except BaseException:
        if record.evidence and record.evidence.name:
            record.evidence.storage.delete(record.evidence.name)
        record.evidence = ""  # type: ignore[assignment]
        record.evidence_sha256 = record.evidence_content_type = ""
        raise
    return event


REFUSAL_IS_FINAL = (
    "The client refused this consent: it never let anything be shared, so there is nothing to {verb}. "
    "If they now agree, record their consent."
)


def _refuse_if_refused(record: ConsentRecord, verb: str) -> None:
    if record_state(record) == EventKind.REFUSED:
        raise InvalidInput({"record": [REFUSAL_IS_FINAL.format(verb=verb)]})


def _rows_in_force(record: ConsentRecord, today: dt.date) -> list[ConsentScope]:
    """The rows in force now, as the decision would find them: the record's latest whole-record
    event is given or renewed, it is within its validity (after renewals; "until support ends"
    while the recording organisation still works with the client), and no partial withdrawal took
    the row out."""
    state, until, withdrawn = "", record.valid_until, set()
    for event in record.events.order_by("at", "pk").prefetch_related("scopes"):
        rows = {s.pk for s in event.scopes.all()}
        if rows and event.kind == EventKind.WITHDRAWN:
            withdrawn |= rows
            continue
        state = event.kind
        if event.kind == EventKind.RENEWED and event.valid_until is not None:
            until = event.valid_until
    if state not in {EventKind.GIVEN, EventKind.RENEWED} or today < record.valid_from:
        return []
    if until is not None and today > until:
        return []
    if until is None:
        supported = cm.Engagement.objects.filter(
            client_id=record.client_id,
            organisation_id=record.organisation_id,
            status__in=cm.LIVE_ENGAGEMENT_STATUSES,
        ).exists()
        if not record.until_support_ends or not supported:
            return []
    return [s for s in record.scopes.order_by("pk") if s.pk not in withdrawn]


def consent_withdraw(
    *,
    record: ConsentRecord,
    scopes: Sequence[ConsentScope] | None = None,
    actor: StaffMember | None = None,
    by_client: bool = False,
    note: str = "",
) -> ConsentEvent:
    """Withdraw the whole record (scopes=None) or some of its rows. It takes effect for the very
    next decision anywhere: nothing caches consent. A refusal cannot be withdrawn.

    Sends `signals.consent_withdrawn` inside the transaction, once the event is saved, with the
    rows the withdrawal ended (see that module for the contract)."""
    if actor is None and not by_client:
        raise InvalidInput({"actor": "Say who is withdrawing consent."})
    chosen = list(scopes or [])
    if any(s.record_id != record.pk for s in chosen):
        raise InvalidInput({"scopes": "Choose rows of this consent record."})
    _refuse_if_refused(record, "withdraw")
    with transaction.atomic():
        # The record as stored, locked so that two withdrawals at once see each other: the rows
        # ended are worked out from what the decision reads, not from the caller's copy.
        stored = ConsentRecord.objects.select_for_update().get(pk=record.pk)
        in_force = _rows_in_force(stored, timezone.localdate())
        event = ConsentEvent.objects.create(
            record=record,
            kind=EventKind.WITHDRAWN,
            at=timezone.now(),
            recorded_by=actor,
            by_client=by_client,
            note=note,
        )
        if chosen:
            event.scopes.set(chosen)
        _audit(actor, "consent.withdrawn", record, rows=len(chosen) or "all", by_client=by_client)
        wanted = {s.pk for s in chosen}
        ended = [s for s in in_force if not wanted or s.pk in wanted]
        consent_withdrawn.send(sender=ConsentRecord, record=record, event=event, scopes=ended, actor=actor)
    return event


def consent_renew(*, record: ConsentRecord, actor: StaffMember, valid_until: dt.date, note: str = "") -> ConsentEvent:
    _require_caseworker_for(actor, record.client)
    _refuse_if_refused(record, "renew")
    if record_state(record) == EventKind.PENDING:
        # Renewing would make a consent count that has never been shown to be given.
        raise InvalidInput({"evidence": "Attach the signed form first; a consent awaiting it cannot be renewed."})
    if valid_until <= timezone.localdate():
        raise InvalidInput({"valid_until": "The new end date must be in the future."})
    with transaction.atomic():
        event = ConsentEvent.objects.create(
            record=record,
            kind=EventKind.RENEWED,
            at=timezone.now(),
            recorded_by=actor,
            valid_until=valid_until,
            note=note,
        )
        _audit(actor, "consent.renewed", record, valid_until=valid_until.isoformat())
    return event


def consent_invalidate(*, record: ConsentRecord, actor: StaffMember, reason: str) -> ConsentEvent:
    """A record made in error (wrong client, wrong notice): it stops counting at once; correct by re-consent."""
    _require_caseworker_for(actor, record.client)
    if not reason.strip():
        raise InvalidInput({"note": "Say why the record is invalid."})
    with transaction.atomic():
        event = ConsentEvent.objects.create(
            record=record, kind=EventKind.INVALIDATED, at=timezone.now(), recorded_by=actor, note=reason.strip()
        )
        _audit(actor, "consent.invalidated", record)
    return event


def consents_expire(*, today: dt.date | None = None) -> int:
    """Mark records past their end date as expired. The decision already refuses them by date;
    this keeps the record's own history honest and feeds the expiring-consent lists."""
    today = today or timezone.localdate()
    marked = 0
    due = ConsentRecord.objects.filter(valid_until__lt=today).exclude(
        events__kind__in=[EventKind.EXPIRED, EventKind.WITHDRAWN, EventKind.INVALIDATED, EventKind.REFUSED]
    )
    for record in due.distinct():
        renewed = record.events.filter(kind=EventKind.RENEWED, valid_until__gte=today).exists()
        if renewed:
            continue
        with transaction.atomic():
            ConsentEvent.objects.create(record=record, kind=EventKind.EXPIRED, at=timezone.now())
            _audit(None, "consent.expired", record)
        marked += 1
    return marked
